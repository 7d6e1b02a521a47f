package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras 3 {@code RandomContrast(factor, value_range)}, while training only: each image's distance from
 * its per-channel mean scaled by a factor drawn uniformly from [1 - lower, 1 + upper], then clipped
 * to {@code value_range}. At inference no op. Draws as {@link Dropout}'s: from the step seed and {@code salt}.
 */
public final class RandomContrast implements Layer {
  private final float lower;
  private final float upper;
  private final float min;
  private final float max;
  private final long salt;
  private Parameters params;

  public RandomContrast(float lower, float upper, float min, float max, long salt) {
    this.lower = lower;
    this.upper = upper;
    this.min = min;
    this.max = max;
    this.salt = salt;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (input.numDimensions() != 4) {
      throw new IllegalArgumentException("RandomContrast needs an NHWC input, got " + input);
    }
    this.params = params;
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    if (!training) {
      return x;
    }
    Operand<TInt32> shape = tf.math.maximum(tf.math.mul(tf.shape(x), tf.constant(new int[] {1, 0, 0, 0})),
        tf.constant(1)); // [batch, 1, 1, 1]: one factor per image
    // stopGradient: the C++ gradient builder would otherwise look for the random op's gradient.
    Operand<TFloat32> u = tf.stopGradient(tf.random.statelessRandomUniform(shape, params.stepSeed(tf, salt), TFloat32.class));
    Operand<TFloat32> factor = tf.math.add(tf.constant(1f - lower), tf.math.mul(u, tf.constant(lower + upper)));
    Operand<TFloat32> mean = tf.math.mean(x, tf.constant(new int[] {1, 2}), Mean.keepDims(true));
    Operand<TFloat32> out = tf.math.add(tf.math.mul(tf.math.sub(x, mean), factor), mean);
    return tf.clipByValue(out, tf.constant(min), tf.constant(max));
  }

  public float lower() {
    return lower;
  }

  public float upper() {
    return upper;
  }

  public float min() {
    return min;
  }

  public float max() {
    return max;
  }

  @Override
  public String describe() {
    return "RandomContrast(" + lower + ", " + upper + ", range " + min + ".." + max + ")";
  }
}
