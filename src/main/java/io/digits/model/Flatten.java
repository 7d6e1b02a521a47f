package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Flatten()}: NHWC to [batch, H*W*C] in row-major order, as Keras flattens. */
public final class Flatten implements Layer {
  private long size;

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    size = 1;
    for (int i = 1; i < input.numDimensions(); i++) {
      size *= input.size(i);
    }
    return Shape.of(-1, size);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    return tf.reshape(x, tf.constant(new long[] {-1, size}));
  }

  @Override
  public String describe() {
    return "Flatten()";
  }
}
