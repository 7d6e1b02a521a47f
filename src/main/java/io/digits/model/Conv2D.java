package io.digits.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.DepthwiseConv2dNative;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Conv2D(filters, (k, k), strides, padding, dilation_rate, activation, use_bias)}, NHWC,
 * and its relatives {@link #depthwise DepthwiseConv2D} and {@link #separable SeparableConv2D}. Kernels
 * are in Keras's layouts, so Keras weights load as they are: [k, k, in, filters]; depthwise
 * [k, k, in, multiplier]; separable's depthwise kernel then pointwise [1, 1, in * multiplier, filters].
 * Default start weights: glorot_uniform kernels, zero bias.
 */
public final class Conv2D implements Layer {
  private enum Kind { STANDARD, DEPTHWISE, SEPARABLE }

  private final Kind kind;
  private final int filters;
  private final int multiplier;
  private final int kernelSize;
  private final int stride;
  private final int dilation;
  private final int groups;
  private final Padding padding;
  private final Activation activation;
  private final boolean useBias;
  private final Initializer kernelInitializer;
  private final Initializer biasInitializer;
  private Variable<TFloat32> kernel;
  private Variable<TFloat32> pointwise;
  private Variable<TFloat32> bias;

  /** Stride 1 with a bias, as the notebook's models use it. */
  public Conv2D(int filters, int kernelSize, Padding padding, Activation activation) {
    this(filters, kernelSize, 1, padding, activation, true);
  }

  public Conv2D(int filters, int kernelSize, int stride, Padding padding, Activation activation, boolean useBias) {
    this(Kind.STANDARD, filters, 1, kernelSize, stride, 1, 1, padding, activation, useBias, Initializer.GLOROT_UNIFORM,
        Initializer.ZEROS);
  }

  private Conv2D(Kind kind, int filters, int multiplier, int kernelSize, int stride, int dilation, int groups,
      Padding padding, Activation activation, boolean useBias, Initializer kernelInitializer,
      Initializer biasInitializer) {
    this.kind = kind;
    this.groups = groups;
    this.filters = filters;
    this.multiplier = multiplier;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.dilation = dilation;
    this.padding = padding;
    this.activation = activation;
    this.useBias = useBias;
    this.kernelInitializer = kernelInitializer;
    this.biasInitializer = biasInitializer;
  }

  /**
   * Conv2D with a dilation rate, {@code groups} (the input channels and the filters split into that
   * many groups, each convolved apart: kernel [k, k, in / groups, filters], as Keras's) and its own
   * initializers (every kernel of the layer draws from {@code kernel}).
   */
  public static Conv2D of(int filters, int kernelSize, int stride, int dilation, int groups, Padding padding,
      Activation activation, boolean useBias, Initializer kernel, Initializer bias) {
    return new Conv2D(Kind.STANDARD, filters, 1, kernelSize, stride, dilation, groups, padding, activation, useBias,
        kernel, bias);
  }

  /** Keras {@code DepthwiseConv2D(kernel_size, strides, padding, depth_multiplier, dilation_rate, ...)}. */
  public static Conv2D depthwise(int multiplier, int kernelSize, int stride, int dilation, Padding padding,
      Activation activation, boolean useBias, Initializer kernel, Initializer bias) {
    return new Conv2D(Kind.DEPTHWISE, 0, multiplier, kernelSize, stride, dilation, 1, padding, activation, useBias,
        kernel, bias);
  }

  /** Keras {@code SeparableConv2D(filters, kernel_size, ..., depth_multiplier)}: depthwise, then a 1x1 conv. */
  public static Conv2D separable(int filters, int multiplier, int kernelSize, int stride, int dilation, Padding padding,
      Activation activation, boolean useBias, Initializer kernel, Initializer bias) {
    return new Conv2D(Kind.SEPARABLE, filters, multiplier, kernelSize, stride, dilation, 1, padding, activation,
        useBias, kernel, bias);
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (input.numDimensions() != 4) {
      throw new IllegalArgumentException("Conv2D needs an NHWC input, got " + input);
    }
    if (stride > 1 && dilation > 1) {
      throw new IllegalArgumentException("strides > 1 with dilation_rate > 1 is not supported (nor by Keras)");
    }
    long channels = input.size(3);
    long outChannels;
    if (kind == Kind.STANDARD) {
      if (channels % groups != 0 || filters % groups != 0) {
        throw new IllegalArgumentException("groups " + groups + " divide neither " + channels + " input channels nor "
            + filters + " filters");
      }
      kernel = params.add(tf, "kernel", Shape.of(kernelSize, kernelSize, channels / groups, filters),
          kernelInitializer, true);
      outChannels = filters;
    } else {
      kernel = params.add(tf, kind == Kind.SEPARABLE ? "depthwise_kernel" : "kernel",
          Shape.of(kernelSize, kernelSize, channels, multiplier), kernelInitializer, true);
      outChannels = channels * multiplier;
      if (kind == Kind.SEPARABLE) {
        pointwise = params.add(tf, "pointwise_kernel", Shape.of(1, 1, outChannels, filters), kernelInitializer, true);
        outChannels = filters;
      }
    }
    if (useBias) {
      bias = params.add(tf, "bias", Shape.of(outChannels), biasInitializer, true);
    }
    int window = (kernelSize - 1) * dilation + 1;
    long h = padding.outputSize(input.size(1), window, stride);
    long w = padding.outputSize(input.size(2), window, stride);
    return Shape.of(-1, h, w, outChannels);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    List<Long> strides = List.of(1L, (long) stride, (long) stride, 1L);
    List<Long> dilations = List.of(1L, (long) dilation, (long) dilation, 1L);
    Operand<TFloat32> conv;
    if (kind == Kind.STANDARD && groups > 1) {
      // Each group of input channels through its own slice of the filters, then side by side.
      Operand<org.tensorflow.types.TInt32> channelAxis = tf.constant(3);
      var inputs = tf.split(channelAxis, x, (long) groups).output();
      var kernels = tf.split(channelAxis, kernel, (long) groups).output();
      List<Operand<TFloat32>> parts = new java.util.ArrayList<>();
      for (int g = 0; g < groups; g++) {
        parts.add(tf.nn.conv2d(inputs.get(g), kernels.get(g), strides, padding.tf(),
            org.tensorflow.op.nn.Conv2d.dilations(dilations)));
      }
      conv = tf.concat(parts, channelAxis);
    } else if (kind == Kind.STANDARD) {
      conv = tf.nn.conv2d(x, kernel, strides, padding.tf(), org.tensorflow.op.nn.Conv2d.dilations(dilations));
    } else {
      conv = tf.nn.depthwiseConv2dNative(x, kernel, strides, padding.tf(), DepthwiseConv2dNative.dilations(dilations));
      if (kind == Kind.SEPARABLE) {
        conv = tf.nn.conv2d(conv, pointwise, List.of(1L, 1L, 1L, 1L), "VALID");
      }
    }
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

  /** Keras's class for this layer: Conv2D, DepthwiseConv2D or SeparableConv2D. */
  public String kerasClass() {
    return switch (kind) {
      case STANDARD -> "Conv2D";
      case DEPTHWISE -> "DepthwiseConv2D";
      case SEPARABLE -> "SeparableConv2D";
    };
  }

  /** The kernels' initializer (a separable conv's depthwise and pointwise kernels share it). */
  public Initializer kernelInitializer() {
    return kernelInitializer;
  }

  public Initializer biasInitializer() {
    return biasInitializer;
  }

  public int multiplier() {
    return multiplier;
  }

  public int dilation() {
    return dilation;
  }

  public int groups() {
    return groups;
  }

  @Override
  public String describe() {
    String name = switch (kind) {
      case STANDARD -> "Conv2D(" + filters + ", ";
      case DEPTHWISE -> "DepthwiseConv2D(multiplier " + multiplier + ", ";
      case SEPARABLE -> "SeparableConv2D(" + filters + ", multiplier " + multiplier + ", ";
    };
    return name + kernelSize + "x" + kernelSize + (stride == 1 ? "" : ", strides " + stride)
        + (dilation == 1 ? "" : ", dilation " + dilation) + (groups == 1 ? "" : ", groups " + groups) + ", "
        + padding.keras() + ", " + activation.keras()
        + (useBias ? "" : ", no bias") + ")";
  }
}
