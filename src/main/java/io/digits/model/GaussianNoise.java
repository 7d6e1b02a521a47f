package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code GaussianNoise(stddev)} (adds N(0, stddev)) and {@code GaussianDropout(rate)} (multiplies
 * by N(1, sqrt(rate / (1 - rate)))), while training only; at inference no op. Draws as {@link Dropout}'s.
 */
public final class GaussianNoise implements Layer {
  private final float stddev;
  private final float rate;
  private final boolean multiplicative;
  private final long salt;
  private Parameters params;

  /** {@code rate}: GaussianDropout's rate as given (its stddev is derived from it); NaN for GaussianNoise. */
  private GaussianNoise(float stddev, float rate, boolean multiplicative, long salt) {
    this.stddev = stddev;
    this.rate = rate;
    this.multiplicative = multiplicative;
    this.salt = salt;
  }

  public static GaussianNoise additive(float stddev, long salt) {
    return new GaussianNoise(stddev, Float.NaN, false, salt);
  }

  public static GaussianNoise dropout(float rate, long salt) {
    if (!(rate >= 0f && rate < 1f)) {
      throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    }
    return new GaussianNoise((float) Math.sqrt(rate / (1.0 - rate)), rate, true, salt);
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    this.params = params;
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    if (!training || stddev == 0f) {
      return x;
    }
    // stopGradient: the C++ gradient builder would otherwise look for the random op's gradient.
    Operand<TFloat32> noise = tf.math.mul(tf.stopGradient(
        tf.random.statelessRandomNormal(tf.shape(x), params.stepSeed(tf, salt), TFloat32.class)), tf.constant(stddev));
    return multiplicative ? tf.math.mul(x, tf.math.add(noise, tf.constant(1f))) : tf.math.add(x, noise);
  }

  /** GaussianDropout's rate; NaN for GaussianNoise. */
  public float rate() {
    return rate;
  }

  public float stddev() {
    return stddev;
  }

  public boolean multiplicative() {
    return multiplicative;
  }

  @Override
  public String describe() {
    return multiplicative ? "GaussianDropout(stddev " + stddev + ")" : "GaussianNoise(" + stddev + ")";
  }
}
