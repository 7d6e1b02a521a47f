package io.digits.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Concatenate(axis=-1)}: inputs joined along one axis (not the batch); the other dims must agree. */
public final class Concatenate implements Merge {
  private final int axis;
  private int resolved;

  public Concatenate(int axis) {
    this.axis = axis;
  }

  @Override
  public Shape build(Ops tf, List<Shape> inputs, Parameters params) {
    int rank = inputs.get(0).numDimensions();
    resolved = axis < 0 ? rank + axis : axis;
    if (resolved < 1 || resolved >= rank) {
      throw new IllegalArgumentException("axis " + axis + " is not a non-batch axis of " + inputs.get(0));
    }
    long[] out = inputs.get(0).asArray().clone();
    out[resolved] = 0;
    for (Shape s : inputs) {
      for (int d = 1; d < rank; d++) {
        if (s.numDimensions() != rank || d != resolved && s.size(d) != out[d]) {
          throw new IllegalArgumentException("Concatenate(axis " + axis + ") cannot join " + inputs);
        }
      }
      out[resolved] += s.size(resolved);
    }
    return Shape.of(out);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, List<Operand<TFloat32>> inputs, boolean training) {
    return tf.concat(inputs, tf.constant(resolved));
  }

  public int axis() {
    return axis;
  }

  @Override
  public String describe() {
    return "Concatenate(axis " + axis + ")";
  }
}
