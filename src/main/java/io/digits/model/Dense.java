package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Keras {@code Dense(units, activation, use_bias)}: kernel [in, units] (glorot_uniform by default), bias when {@code use_bias} (zeros). */
public final class Dense implements Layer {
  private final int units;
  private final Activation activation;
  private final boolean useBias;
  private final Initializer kernelInitializer;
  private final Initializer biasInitializer;
  private Variable<TFloat32> kernel;
  private Variable<TFloat32> bias;

  public Dense(int units, Activation activation) {
    this(units, activation, true);
  }

  public Dense(int units, Activation activation, boolean useBias) {
    this(units, activation, useBias, Initializer.GLOROT_UNIFORM, Initializer.ZEROS);
  }

  public Dense(int units, Activation activation, boolean useBias, Initializer kernel, Initializer bias) {
    this.units = units;
    this.activation = activation;
    this.useBias = useBias;
    this.kernelInitializer = kernel;
    this.biasInitializer = bias;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (input.numDimensions() != 2) {
      throw new IllegalArgumentException("Dense needs a flat input, got " + input);
    }
    kernel = params.add(tf, "kernel", Shape.of(input.size(1), units), kernelInitializer, true);
    if (useBias) {
      bias = params.add(tf, "bias", Shape.of(units), biasInitializer, true);
    }
    return Shape.of(-1, units);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    return activation.apply(tf, preActivation(tf, x));
  }

  /** {@code x @ kernel + bias}: the logits when this is a softmax classifier head. */
  public Operand<TFloat32> preActivation(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> product = tf.linalg.matMul(x, kernel);
    return useBias ? tf.nn.biasAdd(product, bias) : product;
  }

  public Activation activation() {
    return activation;
  }

  public int units() {
    return units;
  }

  public Initializer kernelInitializer() {
    return kernelInitializer;
  }

  public Initializer biasInitializer() {
    return biasInitializer;
  }

  public boolean useBias() {
    return useBias;
  }

  @Override
  public String describe() {
    return "Dense(" + units + ", " + activation.keras() + (useBias ? "" : ", no bias") + ")";
  }
}
