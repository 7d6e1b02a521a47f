package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * Keras's weight constraints, which Keras 3 applies to a variable after each optimizer update
 * ({@code variable.assign(constraint(variable))}), in its formulas (keras/src/constraints).
 */
public interface Constraint {
  float EPSILON = 1e-7f; // Keras's backend.epsilon()

  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> w);

  // axes as a List, so that equal constraints are equal records (an array compares by identity)

  /** Keras {@code MaxNorm(max_value, axis)}: {@code w * clip(norm, 0, max) / (epsilon + norm)}, norms over {@code axes}. */
  record MaxNorm(float maxValue, java.util.List<Integer> axes) implements Constraint {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> w) {
      Operand<TFloat32> norms = norms(tf, w, axes);
      Operand<TFloat32> desired = tf.clipByValue(norms, tf.constant(0f), tf.constant(maxValue));
      return tf.math.mul(w, tf.math.div(desired, tf.math.add(tf.constant(EPSILON), norms)));
    }
  }

  /** Keras {@code NonNeg()}: {@code max(w, 0)}. */
  record NonNeg() implements Constraint {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> w) {
      return tf.math.maximum(w, tf.constant(0f));
    }
  }

  /** Keras {@code UnitNorm(axis)}: {@code w / (epsilon + norm)}, norms over {@code axes}. */
  record UnitNorm(java.util.List<Integer> axes) implements Constraint {
    @Override
    public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> w) {
      return tf.math.div(w, tf.math.add(tf.constant(EPSILON), norms(tf, w, axes)));
    }
  }

  private static Operand<TFloat32> norms(Ops tf, Operand<TFloat32> w, java.util.List<Integer> axes) {
    int rank = w.shape().numDimensions();
    int[] resolved = axes.stream().mapToInt(a -> a < 0 ? rank + a : a).toArray();
    return tf.math.sqrt(tf.reduceSum(tf.math.square(w), tf.constant(resolved), ReduceSum.keepDims(true)));
  }
}
