package io.digits.model;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras's element-wise merging layers {@code Add}, {@code Subtract} (two inputs), {@code Multiply},
 * {@code Average}, {@code Maximum}, {@code Minimum}: inputs of one shape, combined left to right as
 * Keras does.
 */
public final class Merging implements Merge {
  public enum Op { ADD, SUBTRACT, MULTIPLY, AVERAGE, MAXIMUM, MINIMUM }

  private final Op op;

  public Merging(Op op) {
    this.op = op;
  }

  @Override
  public Shape build(Ops tf, List<Shape> inputs, Parameters params) {
    if (inputs.size() < 2 || op == Op.SUBTRACT && inputs.size() != 2) {
      throw new IllegalArgumentException(describe() + " takes " + (op == Op.SUBTRACT ? "exactly 2" : "2 or more")
          + " inputs, got " + inputs.size());
    }
    for (Shape s : inputs) {
      if (!Arrays.equals(s.asArray(), inputs.get(0).asArray())) {
        throw new IllegalArgumentException(describe() + " needs inputs of one shape, got " + inputs);
      }
    }
    return inputs.get(0);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, List<Operand<TFloat32>> inputs, boolean training) {
    Operand<TFloat32> out = inputs.get(0);
    for (Operand<TFloat32> x : inputs.subList(1, inputs.size())) {
      out = switch (op) {
        case ADD, AVERAGE -> tf.math.add(out, x);
        case SUBTRACT -> tf.math.sub(out, x);
        case MULTIPLY -> tf.math.mul(out, x);
        case MAXIMUM -> tf.math.maximum(out, x);
        case MINIMUM -> tf.math.minimum(out, x);
      };
    }
    return op == Op.AVERAGE ? tf.math.div(out, tf.constant((float) inputs.size())) : out;
  }

  public Op op() {
    return op;
  }

  @Override
  public String describe() {
    String name = op.name().toLowerCase();
    return Character.toUpperCase(name.charAt(0)) + name.substring(1) + "()";
  }
}
