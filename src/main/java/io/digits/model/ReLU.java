package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code ReLU(max_value, negative_slope, threshold)} and {@code LeakyReLU(negative_slope)}: x above
 * {@code threshold} (capped at {@code max_value}), {@code negative_slope * (x - threshold)} below, in
 * Keras 3's operations (keras/src/activations/activations.py, {@code ReLU.static_call}).
 */
public final class ReLU implements Layer {
  private final float negativeSlope;
  private final Float maxValue;
  private final float threshold;

  /** {@code maxValue}: null for no cap. */
  public ReLU(float negativeSlope, Float maxValue, float threshold) {
    this.negativeSlope = negativeSlope;
    this.maxValue = maxValue;
    this.threshold = threshold;
  }

  /** Keras {@code LeakyReLU(negative_slope)}. */
  public static ReLU leaky(float negativeSlope) {
    return new ReLU(negativeSlope, null, 0f);
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    if (negativeSlope != 0f && maxValue == null && threshold == 0f) {
      return tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(negativeSlope));
    }
    Operand<TFloat32> out;
    boolean clip = maxValue != null;
    if (threshold != 0f) {
      out = tf.select(tf.math.greater(x, tf.constant(threshold)), x, tf.zerosLike(x));
    } else if (maxValue != null && maxValue == 6f) {
      out = tf.nn.relu6(x);
      clip = false;
    } else {
      out = tf.nn.relu(x);
    }
    if (clip) {
      out = tf.clipByValue(out, tf.constant(0f), tf.constant(maxValue));
    }
    if (negativeSlope != 0f) {
      Operand<TFloat32> below = tf.nn.relu(threshold != 0f ? tf.math.add(tf.math.neg(x), tf.constant(threshold))
          : tf.math.neg(x));
      out = tf.math.sub(out, tf.math.mul(tf.constant(negativeSlope), below));
    }
    return out;
  }

  public float negativeSlope() {
    return negativeSlope;
  }

  /** null: no upper bound. */
  public Float maxValue() {
    return maxValue;
  }

  public float threshold() {
    return threshold;
  }

  @Override
  public String describe() {
    return "ReLU(negative_slope " + negativeSlope + (maxValue == null ? "" : ", max_value " + maxValue)
        + (threshold == 0f ? "" : ", threshold " + threshold) + ")";
  }
}
