package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras's standalone {@code Activation(name)} layer. */
public final class ActivationLayer implements Layer {
  private final Activation activation;

  public ActivationLayer(Activation activation) {
    this.activation = activation;
  }

  public Activation activation() {
    return activation;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    return activation.apply(tf, x);
  }

  @Override
  public String describe() {
    return "Activation(" + activation.keras() + ")";
  }
}
