package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The activations the digit models use, by their Keras names. */
public enum Activation {
  LINEAR("linear"),
  RELU("relu"),
  SOFTMAX("softmax");

  private final String keras;

  Activation(String keras) {
    this.keras = keras;
  }

  public String keras() {
    return keras;
  }

  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (this) {
      case LINEAR -> x;
      case RELU -> tf.nn.relu(x);
      case SOFTMAX -> tf.nn.softmax(x);
    };
  }
}
