package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The activations the digit models use, by their Keras names (those Keras files may also hold). */
public enum Activation {
  LINEAR("linear"),
  RELU("relu"),
  SOFTMAX("softmax"),
  SIGMOID("sigmoid"),
  TANH("tanh");

  private final String keras;

  Activation(String keras) {
    this.keras = keras;
  }

  public String keras() {
    return keras;
  }

  /** The activation Keras calls {@code name}, if it is one of these. */
  public static java.util.Optional<Activation> byKeras(String name) {
    return java.util.Arrays.stream(values()).filter(a -> a.keras.equals(name)).findFirst();
  }

  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (this) {
      case LINEAR -> x;
      case RELU -> tf.nn.relu(x);
      case SOFTMAX -> tf.nn.softmax(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case TANH -> tf.math.tanh(x);
    };
  }
}
