package io.digits.model;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Keras {@code Reshape(target_shape)}: each row to {@code target_shape} (one entry may be -1), row-major. */
public final class Reshape implements Layer {
  private final long[] target;
  private long[] resolved;

  public Reshape(long... target) {
    this.target = target.clone();
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    long size = Arrays.stream(input.asArray()).skip(1).reduce(1, (a, b) -> a * b);
    long known = Arrays.stream(target).filter(d -> d != -1).reduce(1, (a, b) -> a * b);
    long unknowns = Arrays.stream(target).filter(d -> d == -1).count();
    if (unknowns > 1 || (unknowns == 0 ? known != size : size % known != 0)) {
      throw new IllegalArgumentException("cannot reshape " + input + " to " + describe());
    }
    resolved = new long[target.length + 1];
    resolved[0] = -1;
    for (int i = 0; i < target.length; i++) {
      resolved[i + 1] = target[i] == -1 ? size / known : target[i];
    }
    return Shape.of(resolved);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    return tf.reshape(x, tf.constant(resolved));
  }

  /** The target shape without the batch dimension (one entry may be -1). */
  public long[] target() {
    return target.clone();
  }

  @Override
  public String describe() {
    return "Reshape(" + Arrays.stream(target).mapToObj(Long::toString).collect(Collectors.joining(", ")) + ")";
  }
}
