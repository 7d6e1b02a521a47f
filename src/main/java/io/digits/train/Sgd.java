package io.digits.train;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3's {@code SGD} (keras/src/optimizers/sgd.py): without momentum {@code w -= g * lr};
 * with it {@code m = m * momentum - g * lr}, then {@code w += m}, or with nesterov
 * {@code w += m * momentum - g * lr} (the new m). m starts at 0.
 */
public record Sgd(float learningRate, double momentum, boolean nesterov, BaseOptions base) implements Optimizer {

  public Sgd {
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
    }
  }

  /** Keras's defaults: learning rate 0.01, no momentum. */
  public Sgd(float learningRate) {
    this(learningRate, 0, false, BaseOptions.NONE);
  }

  @Override
  public Sgd withLearningRate(float rate) {
    return new Sgd(rate, momentum, nesterov, base);
  }

  @Override
  public String kerasName() {
    return "SGD";
  }

  @Override
  public List<List<String>> kerasSlots() {
    return momentum == 0 ? List.of() : List.of(List.of("momentum"));
  }

  @Override
  public Rule rule(Slots slots, Ops scope, Operand<TFloat32> lr, Operand<TFloat32> iterations) {
    if (momentum == 0) {
      return (tf, p, g) -> tf.assignSub(p.variable(), tf.math.mul(g, lr));
    }
    Operand<TFloat32> mu = scope.constant((float) momentum);
    return (tf, p, g) -> {
      Variable<TFloat32> m = slots.like(p, "momentum");
      Operand<TFloat32> newM = tf.assign(m, tf.math.sub(tf.math.mul(m, mu), tf.math.mul(g, lr)));
      Operand<TFloat32> step = nesterov ? tf.math.sub(tf.math.mul(newM, mu), tf.math.mul(g, lr)) : newM;
      return tf.assignAdd(p.variable(), step);
    };
  }
}
