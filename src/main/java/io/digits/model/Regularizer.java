package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras's weight regularizers {@code L1(l1)}, {@code L2(l2)}, {@code L1L2(l1, l2)}: a penalty
 * {@code l1 * sum(|w|) + l2 * sum(w^2)} that training adds to the loss (Keras's {@code model.losses}).
 */
public record Regularizer(float l1, float l2) {

  public Operand<TFloat32> penalty(Ops tf, Operand<TFloat32> w) {
    Operand<TFloat32> penalty = tf.constant(0f);
    if (l1 != 0f) {
      penalty = tf.math.add(penalty, tf.math.mul(tf.constant(l1), sum(tf, tf.math.abs(w))));
    }
    if (l2 != 0f) {
      penalty = tf.math.add(penalty, tf.math.mul(tf.constant(l2), sum(tf, tf.math.square(w))));
    }
    return penalty;
  }

  private static Operand<TFloat32> sum(Ops tf, Operand<TFloat32> x) {
    return tf.reduceSum(tf.reshape(x, tf.constant(new int[] {-1})), tf.constant(0));
  }
}
