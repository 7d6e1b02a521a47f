package io.digits.train;

import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Losses;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras's categorical and sparse categorical cross-entropy, per example, as Keras 3 computes them
 * inside {@code fit} (keras/src/losses/losses.py, backend/tensorflow/nn.py):
 *
 * <ul>
 *   <li>A softmax or sigmoid output is never used as probabilities: Keras keeps the logits under
 *       it ({@code _keras_logits}; in a graph also the Softmax op's input) and computes softmax
 *       cross-entropy from them, whatever {@code from_logits} says; for a sigmoid output too (checked
 *       against Keras 3.15's {@code test_on_batch} in make interop). The notebook models take this path.
 *   <li>Any other output with {@code from_logits} is taken as logits; without it as probabilities:
 *       categorical renormalizes them to sum 1, clips to [1e-7, 1 - 1e-7] and takes
 *       {@code -sum(y * log p)}; sparse clips, takes the log, and applies sparse softmax
 *       cross-entropy to it.
 *   <li>{@code label_smoothing} (categorical only, as in Keras 3) replaces the one-hot labels by
 *       {@code y * (1 - ls) + ls / classes}, with {@code 1 - ls} computed in double as Keras does.
 * </ul>
 *
 * <p>The cross-entropy itself comes from tensorflow-framework's {@link Losses}, whose formulas equal
 * Keras's for these cases; three of its differences are kept out: it has no softmax-output detection
 * (it would compute a softmax output as probabilities, clipped); it smooths labels with
 * {@code 1f - ls} in float32, one float32 step off Keras's value for 41 % of the settings 0.001-0.999;
 * and its sparse form uses TF's SparseSoftmaxCrossEntropyWithLogits op, which has no gradient in TF's
 * C API, so sparse labels go through the one-hot op here (the same formula; equal to Keras's sparse
 * loss in make interop, check f).
 *
 * <p>Reduced over the batch by the mean, Keras's {@code sum_over_batch_size}.
 */
public record Loss(Kind kind, boolean fromLogits, double labelSmoothing) {

  /** Keras's {@code backend.epsilon()}, the clipping margin of probabilities. */
  private static final double EPSILON = 1e-7;

  /** The notebook's loss: categorical cross-entropy on a softmax output. */
  public static final Loss NOTEBOOK = new Loss(Kind.CATEGORICAL, false, 0);

  public enum Kind {
    CATEGORICAL("CategoricalCrossentropy", "categorical_crossentropy"),
    SPARSE_CATEGORICAL("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy");

    private final String className;
    private final String functionName;

    Kind(String className, String functionName) {
      this.className = className;
      this.functionName = functionName;
    }

    /** Keras's class name, e.g. {@code CategoricalCrossentropy}. */
    public String className() {
      return className;
    }

    /** Keras's function name, e.g. {@code categorical_crossentropy}. */
    public String functionName() {
      return functionName;
    }
  }

  public Loss {
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException("label_smoothing must be in [0, 1], got " + labelSmoothing);
    }
    if (labelSmoothing > 0 && kind == Kind.SPARSE_CATEGORICAL) {
      throw new IllegalArgumentException("sparse categorical cross-entropy has no label_smoothing in Keras 3");
    }
  }

  /**
   * What the loss sees of a model's output [batch, classes]: either the logits under a final softmax
   * or sigmoid ({@link #logitsOf}), or any other output ({@link #of}).
   */
  public record Prediction(Operand<TFloat32> kerasLogits, Operand<TFloat32> output) {
    public static Prediction logitsOf(Operand<TFloat32> logits) {
      return new Prediction(logits, null);
    }

    public static Prediction of(Operand<TFloat32> output) {
      return new Prediction(null, output);
    }

    /** Scores whose arg-max is the predicted class. */
    public Operand<TFloat32> scores() {
      return kerasLogits != null ? kerasLogits : output;
    }

    int classes() {
      long n = scores().shape().size(scores().shape().numDimensions() - 1);
      if (n < 1) {
        throw new IllegalArgumentException("the model's output " + scores().shape() + " has no known class count");
      }
      return (int) n;
    }
  }

  /** The loss of each example [batch], for class indices {@code labels} [batch]. */
  public Operand<TFloat32> perExample(Ops tf, Prediction prediction, Operand<TInt32> labels) {
    boolean logits = prediction.kerasLogits() != null || fromLogits;
    Operand<TFloat32> x = prediction.scores();
    Operand<TFloat32> target = oneHot(tf, labels, prediction.classes());
    if (kind == Kind.SPARSE_CATEGORICAL) {
      if (!logits) { // Keras: clip, log, then softmax cross-entropy of the logs
        x = tf.math.log(tf.clipByValue(x, tf.constant((float) EPSILON), tf.constant((float) (1 - EPSILON))));
      }
      return Losses.categoricalCrossentropy(tf, target, x, true, 0f, -1);
    }
    if (labelSmoothing > 0) {
      target = tf.math.add(tf.math.mul(target, tf.constant((float) (1.0 - labelSmoothing))),
          tf.math.div(tf.constant((float) labelSmoothing), tf.constant((float) prediction.classes())));
    }
    return Losses.categoricalCrossentropy(tf, target, x, logits, 0f, -1);
  }

  /** The batch mean of {@link #perExample} (Keras's {@code sum_over_batch_size}). */
  public Operand<TFloat32> mean(Ops tf, Prediction prediction, Operand<TInt32> labels) {
    return tf.math.mean(perExample(tf, prediction, labels), tf.constant(0));
  }

  /** Number of rows whose arg-max is the label, as float (Keras's accuracy metric, either form). */
  public static Operand<TFloat32> correct(Ops tf, Prediction prediction, Operand<TInt32> labels) {
    Operand<TFloat32> hits = tf.dtypes.cast(
        tf.math.equal(tf.dtypes.cast(tf.math.argMax(prediction.scores(), tf.constant(1)), TInt32.class), labels),
        TFloat32.class);
    return tf.reduceSum(hits, tf.constant(0));
  }

  static Operand<TFloat32> oneHot(Ops tf, Operand<TInt32> labels, int classes) {
    return tf.oneHot(labels, tf.constant(classes), tf.constant(1f), tf.constant(0f));
  }

  /** Keras-like description, e.g. {@code CategoricalCrossentropy(label_smoothing=0.1)}. */
  public String describe() {
    String args = (fromLogits ? "from_logits=True" : "")
        + (labelSmoothing > 0 ? (fromLogits ? ", " : "") + "label_smoothing=" + labelSmoothing : "");
    return kind.className() + "(" + args + ")";
  }
}
