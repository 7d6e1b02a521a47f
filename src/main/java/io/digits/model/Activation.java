package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras's activations by their Keras names, each as Keras 3 computes it on TensorFlow
 * (keras/src/backend/tensorflow/nn.py): the same TF op where Keras calls one, else Keras's formula.
 * Approximate gelu and silu come from tensorflow-framework's Keras-modelled activations, which
 * ActivationTest shows equal to Keras's formulas; its HardSigmoid is Keras 2's (0.2 x + 0.5) and its
 * exact GELU needs Erfc's gradient, which TF Java lacks, so those two are written here.
 */
public enum Activation {
  LINEAR("linear"),
  RELU("relu"),
  RELU6("relu6"),
  ELU("elu"),
  SELU("selu"),
  /**
   * Keras's default gelu, {@code tf.nn.gelu(approximate=False)} = {@code 0.5 x erfc(-x / sqrt 2)}, here as
   * {@code 0.5 x (1 + erf(x / sqrt 2))}: TF's C++ gradients (TF Java's) have Erf's but not Erfc's; the two
   * differ by float rounding of {@code 1 + erf} (below 1e-7 x).
   */
  GELU("gelu"),
  /** {@code gelu(approximate=True)}: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}; no Keras name of its own. */
  GELU_APPROXIMATE("gelu_approximate"),
  SILU("silu"),
  /** Keras 3's {@code relu6(x + 3) / 6} (tf-keras 2 used {@code clip(0.2 x + 0.5, 0, 1)}, a different function). */
  HARD_SIGMOID("hard_sigmoid"),
  /** Keras 3's {@code x * hard_sigmoid(x)}. */
  HARD_SILU("hard_silu"),
  TANH("tanh"),
  SIGMOID("sigmoid"),
  SOFTPLUS("softplus"),
  SOFTSIGN("softsign"),
  SOFTMAX("softmax"),
  LOG_SOFTMAX("log_softmax");

  private final String keras;

  Activation(String keras) {
    this.keras = keras;
  }

  public String keras() {
    return keras;
  }

  /** The activation Keras calls {@code name} ({@code swish} is {@code silu}, {@code hard_swish} is {@code hard_silu}). */
  public static java.util.Optional<Activation> byKeras(String name) {
    String canonical = switch (name) {
      case "swish" -> "silu";
      case "hard_swish" -> "hard_silu";
      default -> name;
    };
    return java.util.Arrays.stream(values()).filter(a -> a.keras.equals(canonical)).findFirst();
  }

  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (this) {
      case LINEAR -> x;
      case RELU -> tf.nn.relu(x);
      case RELU6 -> tf.nn.relu6(x);
      case ELU -> tf.nn.elu(x);
      case SELU -> tf.nn.selu(x);
      case GELU -> tf.math.mul(tf.math.mul(tf.constant(0.5f), x),
          tf.math.add(tf.constant(1f), tf.math.erf(tf.math.mul(x, tf.constant(0.7071067811865476f)))));
      case GELU_APPROXIMATE -> new org.tensorflow.framework.activations.GELU(true).call(tf, x);
      case SILU -> new org.tensorflow.framework.activations.Swish().call(tf, x);
      case HARD_SIGMOID -> hardSigmoid(tf, x);
      case HARD_SILU -> tf.math.mul(x, hardSigmoid(tf, x));
      case TANH -> tf.math.tanh(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case SOFTPLUS -> tf.math.softplus(x);
      case SOFTSIGN -> tf.nn.softsign(x);
      case SOFTMAX -> tf.nn.softmax(x);
      case LOG_SOFTMAX -> tf.nn.logSoftmax(x);
    };
  }

  private static Operand<TFloat32> hardSigmoid(Ops tf, Operand<TFloat32> x) {
    return tf.math.div(tf.nn.relu6(tf.math.add(x, tf.constant(3f))), tf.constant(6f));
  }
}
