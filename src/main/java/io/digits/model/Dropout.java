package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code Dropout(rate)}: while training, zeroes each value with probability {@code rate} and
 * scales the rest by 1/(1-rate); at inference it adds no op at all, so the serving graph has none.
 */
public final class Dropout implements Layer {
  private final float rate;
  private final long seed;

  /** {@code seed} makes the masks repeatable (TF's op-level seed pair). */
  public Dropout(float rate, long seed) {
    this.rate = rate;
    this.seed = seed;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    if (!training || rate == 0f) {
      return x;
    }
    Operand<TFloat32> noise = tf.random.randomUniform(tf.shape(x), TFloat32.class,
        RandomUniform.seed(seed), RandomUniform.seed2(seed >>> 32 ^ 0x5eed));
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(noise, tf.constant(rate)), TFloat32.class);
    return tf.math.mul(x, tf.math.mul(keep, tf.constant(1f / (1f - rate))));
  }

  @Override
  public String describe() {
    return "Dropout(" + rate + ")";
  }
}
