package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/** Keras {@code GlobalAveragePooling2D(keepdims)} and {@code GlobalMaxPooling2D(keepdims)}: over height and width, NHWC. */
public final class GlobalPooling2D implements Layer {
  private final boolean max;
  private final boolean keepDims;

  public GlobalPooling2D(boolean max, boolean keepDims) {
    this.max = max;
    this.keepDims = keepDims;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (input.numDimensions() != 4) {
      throw new IllegalArgumentException("global pooling needs an NHWC input, got " + input);
    }
    return keepDims ? Shape.of(-1, 1, 1, input.size(3)) : Shape.of(-1, input.size(3));
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    Operand<org.tensorflow.types.TInt32> axes = tf.constant(new int[] {1, 2});
    return max ? tf.max(x, axes, Max.keepDims(keepDims)) : tf.math.mean(x, axes, Mean.keepDims(keepDims));
  }

  public boolean max() {
    return max;
  }

  public boolean keepDims() {
    return keepDims;
  }

  @Override
  public String describe() {
    return (max ? "GlobalMaxPooling2D(" : "GlobalAveragePooling2D(") + (keepDims ? "keepdims" : "") + ")";
  }
}
