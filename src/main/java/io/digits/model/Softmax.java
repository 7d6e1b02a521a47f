package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Softmax(axis=-1)}: softmax over the last axis (a classifier head, as {@code Activation(softmax)}). */
public final class Softmax implements Layer {

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    return tf.nn.softmax(x);
  }

  @Override
  public String describe() {
    return "Softmax()";
  }
}
