package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code MaxPooling2D(pool_size, strides, padding)} and, with {@link #average}, {@code
 * AveragePooling2D} (the mean over the window's cells inside the image, as TF's AvgPool), NHWC.
 *
 * <p>Built as the attribute-style {@code MaxPool}/{@code AvgPool} ops, not the {@code MaxPoolV2} that
 * {@code tf.nn.maxPool} creates: TF's oneDNN rewrite only replaces {@code MaxPool}/{@code MaxPoolGrad},
 * and the generic V2 gradient made the double-conv step 1.3-1.4x slower (shared/MEASUREMENTS.md).
 * Keras's own graph uses {@code MaxPool} too.
 */
public final class MaxPool2D implements Layer {
  private final int poolSize;
  private final int stride;
  private final Padding padding;
  private final boolean average;

  /** Keras defaults: strides = pool_size, padding valid. */
  public MaxPool2D(int poolSize) {
    this(poolSize, poolSize, Padding.VALID);
  }

  public MaxPool2D(int poolSize, int stride, Padding padding) {
    this(poolSize, stride, padding, false);
  }

  private MaxPool2D(int poolSize, int stride, Padding padding, boolean average) {
    this.poolSize = poolSize;
    this.stride = stride;
    this.padding = padding;
    this.average = average;
  }

  /** Keras {@code AveragePooling2D(pool_size, strides, padding)}. */
  public static MaxPool2D average(int poolSize, int stride, Padding padding) {
    return new MaxPool2D(poolSize, stride, padding, true);
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (input.numDimensions() != 4) {
      throw new IllegalArgumentException("pooling needs an NHWC input, got " + input);
    }
    long h = padding.outputSize(input.size(1), poolSize, stride);
    long w = padding.outputSize(input.size(2), poolSize, stride);
    return Shape.of(-1, h, w, input.size(3));
  }

  @Override
  @SuppressWarnings("unchecked")
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    String op = average ? "AvgPool" : "MaxPool";
    Operand<?> pooled =
        tf.scope()
            .opBuilder(op, op)
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

  public boolean average() {
    return average;
  }

  @Override
  public String describe() {
    return (average ? "AveragePooling2D(" : "MaxPool2D(") + poolSize + "x" + poolSize + ", strides " + stride + ", "
        + padding.keras() + ")";
  }
}
