package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code MaxPool2D(pool_size, strides, padding)}, NHWC.
 *
 * <p>Built as the attribute-style {@code MaxPool} op, not the {@code MaxPoolV2} that
 * {@code tf.nn.maxPool} creates: TF's oneDNN rewrite only replaces {@code MaxPool}/{@code MaxPoolGrad},
 * and the generic V2 gradient made the double-conv step 1.3-1.4x slower (shared/MEASUREMENTS.md).
 * Keras's own graph uses {@code MaxPool} too.
 */
public final class MaxPool2D implements Layer {
  private final int poolSize;
  private final int stride;
  private final Padding padding;

  /** Keras defaults: strides = pool_size, padding valid. */
  public MaxPool2D(int poolSize) {
    this(poolSize, poolSize, Padding.VALID);
  }

  public MaxPool2D(int poolSize, int stride, Padding padding) {
    this.poolSize = poolSize;
    this.stride = stride;
    this.padding = padding;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    long h = padding.outputSize(input.size(1), poolSize, stride);
    long w = padding.outputSize(input.size(2), poolSize, stride);
    return Shape.of(-1, h, w, input.size(3));
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    Operand<?> pooled =
        tf.scope()
            .opBuilder("MaxPool", "MaxPool")
            .addInput(x.asOutput())
            .setAttr("ksize", new long[] {1, poolSize, poolSize, 1})
            .setAttr("strides", new long[] {1, stride, stride, 1})
            .setAttr("padding", padding.tf())
            .setAttr("data_format", "NHWC")
            .build()
            .output(0);
    return (Operand<TFloat32>) pooled;
  }

  public int poolSize() {
    return poolSize;
  }

  public int stride() {
    return stride;
  }

  public Padding padding() {
    return padding;
  }

  @Override
  public String describe() {
    return "MaxPool2D(" + poolSize + "x" + poolSize + ", strides " + stride + ", " + padding.keras() + ")";
  }
}
