package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code ELU(alpha)}: {@code elu(x)} where x > 0, {@code alpha * elu(x)} elsewhere, as Keras's TF backend. */
public final class Elu implements Layer {
  private final float alpha;

  public Elu(float alpha) {
    this.alpha = alpha;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    Operand<TFloat32> elu = tf.nn.elu(x);
    return alpha == 1f ? elu
        : tf.select(tf.math.greater(x, tf.constant(0f)), elu, tf.math.mul(tf.constant(alpha), elu));
  }

  public float alpha() {
    return alpha;
  }

  @Override
  public String describe() {
    return "ELU(alpha " + alpha + ")";
  }
}
