package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras {@code LayerNormalization(axis=-1, epsilon, center, scale)} over the last axis, in Keras 3's
 * arithmetic (keras/src/ops/nn.py): {@code x * inv + (beta - mean * inv)}, {@code inv = gamma *
 * rsqrt(variance + epsilon)}, the moments of each row's last axis. Variables: gamma, then beta.
 */
public final class LayerNormalization implements Layer {
  private final int axis;
  private final float epsilon;
  private final boolean center;
  private final boolean scale;
  private int lastAxis;
  private Variable<TFloat32> gamma;
  private Variable<TFloat32> beta;

  /** {@code axis}: -1, or the index of the last axis; any other is refused at build. */
  public LayerNormalization(int axis, float epsilon, boolean center, boolean scale) {
    this.axis = axis;
    this.epsilon = epsilon;
    this.center = center;
    this.scale = scale;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    lastAxis = input.numDimensions() - 1;
    if (axis != -1 && axis != lastAxis) {
      throw new IllegalArgumentException("axis " + axis + " of input " + input + " is not supported, only the last axis");
    }
    Shape channels = Shape.of(input.size(lastAxis));
    if (scale) {
      gamma = params.add(tf, "gamma", channels, Initializer.ONES, true);
    }
    if (center) {
      beta = params.add(tf, "beta", channels, Initializer.ZEROS, true);
    }
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    Operand<TInt32> axis = tf.constant(new int[] {lastAxis});
    Operand<TFloat32> mean = tf.math.mean(x, axis, Mean.keepDims(true));
    Operand<TFloat32> variance =
        tf.math.mean(tf.math.squaredDifference(x, tf.stopGradient(mean)), axis, Mean.keepDims(true));
    return BatchNormalization.normalize(tf, x, mean, variance, epsilon, scale ? gamma : null, center ? beta : null);
  }

  public int axis() {
    return axis;
  }

  public float epsilon() {
    return epsilon;
  }

  public boolean center() {
    return center;
  }

  public boolean scale() {
    return scale;
  }

  @Override
  public String describe() {
    return "LayerNormalization(epsilon " + epsilon + (center ? "" : ", no center") + (scale ? "" : ", no scale") + ")";
  }
}
