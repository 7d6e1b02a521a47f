package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Rescaling(scale, offset)}: {@code x * scale + offset}. */
public final class Rescaling implements Layer {
  private final float scale;
  private final float offset;

  public Rescaling(float scale, float offset) {
    this.scale = scale;
    this.offset = offset;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    return tf.math.add(tf.math.mul(x, tf.constant(scale)), tf.constant(offset));
  }

  public float scale() {
    return scale;
  }

  public float offset() {
    return offset;
  }

  @Override
  public String describe() {
    return "Rescaling(" + scale + ", offset " + offset + ")";
  }
}
