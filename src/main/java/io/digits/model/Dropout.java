package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras {@code Dropout(rate)}: while training, zeroes each value with probability {@code rate} and
 * scales the rest by 1/(1-rate); at inference it adds no op at all, so the serving graph has none.
 *
 * <p>Masks come from a stateless generator keyed by the training step's seed plus this layer's
 * {@code salt} (see {@link Parameters#stepSeed}), so they repeat exactly across runs and resumes.
 */
public final class Dropout implements Layer {
  private final float rate;
  private final long salt;
  private final boolean spatial;
  private Parameters params;

  /** {@code salt} tells this layer's masks apart from other dropout layers' in the same step. */
  public Dropout(float rate, long salt) {
    this(rate, salt, false);
  }

  /** Keras {@code SpatialDropout2D(rate)}: whole channels of an image dropped (one draw per image and channel). */
  public static Dropout spatial(float rate, long salt) {
    return new Dropout(rate, salt, true);
  }

  private Dropout(float rate, long salt, boolean spatial) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    }
    this.rate = rate;
    this.salt = salt;
    this.spatial = spatial;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (spatial && input.numDimensions() != 4) {
      throw new IllegalArgumentException("SpatialDropout2D needs an NHWC input, got " + input);
    }
    this.params = params;
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    if (!training || rate == 0f) {
      return x;
    }
    Operand<TInt64> seed = params.stepSeed(tf, salt);
    Operand<org.tensorflow.types.TInt32> shape = spatial
        ? tf.math.mul(tf.shape(x), tf.constant(new int[] {1, 0, 0, 1})) // [batch, 1, 1, channels] below
        : tf.shape(x);
    if (spatial) {
      shape = tf.math.maximum(shape, tf.constant(1));
    }
    Operand<TFloat32> noise = tf.random.statelessRandomUniform(shape, seed, TFloat32.class);
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(noise, tf.constant(rate)), TFloat32.class);
    return tf.math.mul(x, tf.math.mul(keep, tf.constant(1f / (1f - rate))));
  }

  public float rate() {
    return rate;
  }

  public boolean spatial() {
    return spatial;
  }

  @Override
  public String describe() {
    return (spatial ? "SpatialDropout2D(" : "Dropout(") + rate + ")";
  }
}
