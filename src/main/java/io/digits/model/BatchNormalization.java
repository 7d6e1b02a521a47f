package io.digits.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras {@code BatchNormalization(axis=-1, momentum, epsilon, center, scale)} over the last axis, as
 * Keras 3 computes it. Variables in Keras's order: gamma (when {@code scale}), beta (when
 * {@code center}), then the non-trainable moving_mean and moving_variance.
 *
 * <p>Inference: {@code x * inv + (beta - mean * inv)} with {@code inv = gamma / sqrt(variance + epsilon)}
 * over the moving statistics ({@code tf.nn.batch_normalization}'s arithmetic, which Keras calls).
 * Training: the same over the batch's mean and biased variance ({@code tf.nn.moments}), and the
 * moving statistics become {@code moving * momentum + batch * (1 - momentum)}. Those updates are
 * control dependencies of the layer's output, so whatever runs the training forward pass runs them.
 */
public final class BatchNormalization implements Layer {
  public static final float KERAS_MOMENTUM = 0.99f;
  public static final float KERAS_EPSILON = 1e-3f;

  private final int axis;
  private final float momentum;
  private final float epsilon;
  private final boolean center;
  private final boolean scale;
  private final boolean fusedKernel;
  private int rank;
  private long channelCount;
  private Variable<TFloat32> gamma;
  private Variable<TFloat32> beta;
  private Variable<TFloat32> movingMean;
  private Variable<TFloat32> movingVariance;

  public BatchNormalization() {
    this(KERAS_MOMENTUM, KERAS_EPSILON, true, true);
  }

  public BatchNormalization(float momentum, float epsilon, boolean center, boolean scale) {
    this(-1, momentum, epsilon, center, scale);
  }

  /** {@code axis}: -1, or the index of the last axis (tf-keras writes e.g. 3); any other is refused at build. */
  public BatchNormalization(int axis, float momentum, float epsilon, boolean center, boolean scale) {
    this(axis, momentum, epsilon, center, scale, false);
  }

  private BatchNormalization(int axis, float momentum, float epsilon, boolean center, boolean scale,
      boolean fusedKernel) {
    this.axis = axis;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.center = center;
    this.scale = scale;
    this.fusedKernel = fusedKernel;
  }

  /**
   * This layer, trained on 4-D inputs with TensorFlow's fused kernel ({@code FusedBatchNormV3} and
   * its gradient, oneDNN's on CPU; what tf-keras's {@code fused=True} runs): the same function and
   * the same moving-statistics update as Keras 3's arithmetic, to float32 rounding, in one op instead
   * of about twenty (bn-cnn trains 1.4x faster). Inference is the same graph either way.
   */
  public BatchNormalization withFusedKernel() {
    return new BatchNormalization(axis, momentum, epsilon, center, scale, true);
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    rank = input.numDimensions();
    if (axis != -1 && axis != rank - 1) {
      throw new IllegalArgumentException("axis " + axis + " of input " + input
          + " is not supported, only the last (channels) axis");
    }
    channelCount = input.size(rank - 1);
    Shape channels = Shape.of(channelCount);
    if (scale) {
      gamma = params.add(tf, "gamma", channels, Initializer.ONES, true);
    }
    if (center) {
      beta = params.add(tf, "beta", channels, Initializer.ZEROS, true);
    }
    movingMean = params.add(tf, "moving_mean", channels, Initializer.ZEROS, false);
    movingVariance = params.add(tf, "moving_variance", channels, Initializer.ONES, false);
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    if (!training) {
      return normalize(tf, x, movingMean, movingVariance);
    }
    if (fusedKernel && rank == 4) {
      return fused(tf, x);
    }
    int[] batchAxes = new int[rank - 1];
    for (int i = 0; i < batchAxes.length; i++) {
      batchAxes[i] = i;
    }
    Operand<TInt32> axes = tf.constant(batchAxes);
    Operand<TFloat32> mean = tf.math.mean(x, axes);
    Operand<TFloat32> variance = tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(mean)), axes);
    return afterMovingUpdate(tf, mean, variance, normalize(tf, x, mean, variance));
  }

  /** {@code y}, once the moving statistics have taken in the batch's {@code mean} and (biased) {@code variance} as Keras 3 does. */
  private Operand<TFloat32> afterMovingUpdate(Ops tf, Operand<TFloat32> mean, Operand<TFloat32> variance,
      Operand<TFloat32> y) {
    Operand<TFloat32> keep = tf.constant(momentum);
    Operand<TFloat32> blend = tf.constant(1f - momentum);
    var updateMean = tf.assign(movingMean, tf.math.add(tf.math.mul(movingMean, keep), tf.math.mul(mean, blend)));
    var updateVariance =
        tf.assign(movingVariance, tf.math.add(tf.math.mul(movingVariance, keep), tf.math.mul(variance, blend)));
    return tf.withControlDependencies(List.of(updateMean, updateVariance)).identity(y);
  }

  /** Training with the fused kernel: the batch's moments from the op, the moving statistics updated as Keras 3 does. */
  private Operand<TFloat32> fused(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> none = tf.constant(new float[0]);
    int c = (int) channelCount;
    Operand<TFloat32> g = scale ? gamma : tf.fill(tf.constant(new int[] {c}), tf.constant(1f));
    Operand<TFloat32> b = center ? beta : tf.fill(tf.constant(new int[] {c}), tf.constant(0f));
    var bn = tf.nn.fusedBatchNorm(x, g, b, none, none,
        org.tensorflow.op.nn.FusedBatchNorm.epsilon(epsilon),
        org.tensorflow.op.nn.FusedBatchNorm.isTraining(true));
    // the op's batch variance is Bessel-corrected; Keras 3's moving variance takes the biased one
    Operand<TFloat32> n = tf.math.div(tf.dtypes.cast(tf.size(x), TFloat32.class), tf.constant((float) c));
    Operand<TFloat32> variance = tf.math.mul(bn.batchVariance(),
        tf.math.div(tf.math.sub(n, tf.constant(1f)), n));
    return afterMovingUpdate(tf, tf.stopGradient(bn.batchMean()), tf.stopGradient(variance), bn.y());
  }

  private Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x, Operand<TFloat32> mean,
      Operand<TFloat32> variance) {
    return normalize(tf, x, mean, variance, epsilon, scale ? gamma : null, center ? beta : null);
  }

  /**
   * Keras's normalization arithmetic, shared with {@link LayerNormalization}: {@code x * inv + (beta -
   * mean * inv)}, {@code inv = gamma * rsqrt(variance + epsilon)}; {@code gamma} or {@code beta} null
   * where the layer has none.
   */
  static Operand<TFloat32> normalize(Ops tf, Operand<TFloat32> x, Operand<TFloat32> mean, Operand<TFloat32> variance,
      float epsilon, Operand<TFloat32> gamma, Operand<TFloat32> beta) {
    Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon)));
    if (gamma != null) {
      inv = tf.math.mul(inv, gamma);
    }
    Operand<TFloat32> shift = tf.math.mul(mean, inv);
    Operand<TFloat32> offset = beta != null ? tf.math.sub(beta, shift) : tf.math.neg(shift);
    return tf.math.add(tf.math.mul(x, inv), offset);
  }

  /** -1, or the index of the last axis as the Keras file gave it. */
  public int axis() {
    return axis;
  }

  public float momentum() {
    return momentum;
  }

  public float epsilon() {
    return epsilon;
  }

  public boolean center() {
    return center;
  }

  public boolean scale() {
    return scale;
  }

  @Override
  public String describe() {
    return "BatchNormalization(momentum " + momentum + ", epsilon " + epsilon
        + (center ? "" : ", no center") + (scale ? "" : ", no scale") + ")";
  }
}
