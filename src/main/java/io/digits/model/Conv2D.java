package io.digits.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Conv2D(filters, (k, k), strides=(s, s), padding, activation, use_bias)}, NHWC:
 * glorot_uniform kernel [k, k, in, filters] (Keras's layout, so Keras weights load as they are),
 * zero bias when {@code use_bias}.
 */
public final class Conv2D implements Layer {
  private final int filters;
  private final int kernelSize;
  private final int stride;
  private final Padding padding;
  private final Activation activation;
  private final boolean useBias;
  private Variable<TFloat32> kernel;
  private Variable<TFloat32> bias;

  /** Stride 1 with a bias, as the notebook's models use it. */
  public Conv2D(int filters, int kernelSize, Padding padding, Activation activation) {
    this(filters, kernelSize, 1, padding, activation, true);
  }

  public Conv2D(int filters, int kernelSize, int stride, Padding padding, Activation activation, boolean useBias) {
    this.filters = filters;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.activation = activation;
    this.useBias = useBias;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (input.numDimensions() != 4) {
      throw new IllegalArgumentException("Conv2D needs an NHWC input, got " + input);
    }
    long channels = input.size(3);
    kernel = params.add(tf, "kernel", Shape.of(kernelSize, kernelSize, channels, filters),
        Initializer.GLOROT_UNIFORM, true);
    if (useBias) {
      bias = params.add(tf, "bias", Shape.of(filters), Initializer.ZEROS, true);
    }
    long h = padding.outputSize(input.size(1), kernelSize, stride);
    long w = padding.outputSize(input.size(2), kernelSize, stride);
    return Shape.of(-1, h, w, filters);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    Operand<TFloat32> conv = tf.nn.conv2d(x, kernel, List.of(1L, (long) stride, (long) stride, 1L), padding.tf());
    return activation.apply(tf, useBias ? tf.nn.biasAdd(conv, bias) : conv);
  }

  public int filters() {
    return filters;
  }

  public int kernelSize() {
    return kernelSize;
  }

  public int stride() {
    return stride;
  }

  public Padding padding() {
    return padding;
  }

  public Activation activation() {
    return activation;
  }

  public boolean useBias() {
    return useBias;
  }

  @Override
  public String describe() {
    return "Conv2D(" + filters + ", " + kernelSize + "x" + kernelSize + (stride == 1 ? "" : ", strides " + stride)
        + ", " + padding.keras() + ", " + activation.keras() + (useBias ? "" : ", no bias") + ")";
  }
}
