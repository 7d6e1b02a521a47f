package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code PReLU(shared_axes)}: {@code relu(x) - alpha * relu(-x)} with a learned {@code alpha} of
 * the input's shape without the batch, size 1 along each shared axis (1-based, as Keras counts them).
 */
public final class PReLU implements Layer {
  private final int[] sharedAxes;
  private final Initializer alphaInitializer;
  private Variable<TFloat32> alpha;

  public PReLU(int[] sharedAxes, Initializer alphaInitializer) {
    this.sharedAxes = sharedAxes.clone();
    this.alphaInitializer = alphaInitializer;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    long[] dims = java.util.Arrays.copyOfRange(input.asArray(), 1, input.numDimensions());
    for (int axis : sharedAxes) {
      if (axis < 1 || axis > dims.length) {
        throw new IllegalArgumentException("shared axis " + axis + " is not an axis of " + input);
      }
      dims[axis - 1] = 1;
    }
    alpha = params.add(tf, "alpha", Shape.of(dims), alphaInitializer, true);
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    return tf.math.add(tf.nn.relu(x), tf.math.mul(tf.math.neg(alpha), tf.nn.relu(tf.math.neg(x))));
  }

  public Initializer alphaInitializer() {
    return alphaInitializer;
  }

  public int[] sharedAxes() {
    return sharedAxes.clone();
  }

  @Override
  public String describe() {
    return "PReLU(shared_axes " + java.util.Arrays.toString(sharedAxes) + ")";
  }
}
