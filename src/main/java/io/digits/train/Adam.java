package io.digits.train;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3's {@code Adam} (keras/src/optimizers/adam.py) and {@code AdamW} (Adam with a weight decay,
 * adamw.py): with {@code t} the 1-based step, {@code alpha = lr * sqrt(1-b2^t) / (1-b1^t)},
 * {@code m += (g - m)*(1-b1);  v += (g^2 - v)*(1-b2)}; with amsgrad {@code vhat = max(vhat, v)}
 * replaces v below; {@code w -= m*alpha / (sqrt(v) + eps)}. m and v start at 0.
 *
 * @param adamW whether Keras names it AdamW (whose default weight decay is 0.004)
 */
public record Adam(float learningRate, double beta1, double beta2, double epsilon, boolean amsgrad,
    BaseOptions base, boolean adamW) implements Optimizer {

  public Adam {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException("Adam needs beta_1 and beta_2 in [0, 1) and epsilon > 0, got beta_1 "
          + beta1 + ", beta_2 " + beta2 + ", epsilon " + epsilon);
    }
  }

  /** Keras's defaults: beta_1 0.9, beta_2 0.999, epsilon 1e-7. */
  public Adam(float learningRate) {
    this(learningRate, 0.9, 0.999, 1e-7, false, BaseOptions.NONE, false);
  }

  @Override
  public Adam withLearningRate(float rate) {
    return new Adam(rate, beta1, beta2, epsilon, amsgrad, base, adamW);
  }

  @Override
  public String kerasName() {
    return adamW ? "AdamW" : "Adam";
  }

  @Override
  public List<List<String>> kerasSlots() {
    return amsgrad ? List.of(List.of("momentum", "velocity"), List.of("velocity_hat"))
        : List.of(List.of("momentum", "velocity"));
  }

  @Override
  public Rule rule(Slots slots, Ops scope, Operand<TFloat32> lr, Operand<TFloat32> iterations) {
    Operand<TFloat32> localStep = scope.math.add(iterations, scope.constant(1f));
    Operand<TFloat32> one = scope.constant(1f);
    Operand<TFloat32> beta1Power = scope.math.pow(scope.constant((float) beta1), localStep);
    Operand<TFloat32> beta2Power = scope.math.pow(scope.constant((float) beta2), localStep);
    Operand<TFloat32> alpha = scope.math.div(
        scope.math.mul(lr, scope.math.sqrt(scope.math.sub(one, beta2Power))), scope.math.sub(one, beta1Power));
    // Keras computes 1 - beta in Python (double), then float32.
    Operand<TFloat32> oneMinusBeta1 = scope.constant((float) (1 - beta1));
    Operand<TFloat32> oneMinusBeta2 = scope.constant((float) (1 - beta2));
    Operand<TFloat32> eps = scope.constant((float) epsilon);
    return (tf, p, g) -> {
      Variable<TFloat32> mSlot = slots.like(p, "momentum");
      Variable<TFloat32> vSlot = slots.like(p, "velocity");
      Variable<TFloat32> vHat = amsgrad ? slots.like(p, "velocity_hat") : null;
      Operand<TFloat32> m = tf.assignAdd(mSlot, tf.math.mul(tf.math.sub(g, mSlot), oneMinusBeta1));
      Operand<TFloat32> v = tf.assignAdd(vSlot, tf.math.mul(tf.math.sub(tf.math.square(g), vSlot), oneMinusBeta2));
      if (amsgrad) {
        v = tf.assign(vHat, tf.math.maximum(vHat, v));
      }
      return tf.assignSub(p.variable(),
          tf.math.div(tf.math.mul(m, alpha), tf.math.add(tf.math.sqrt(v), eps)));
    };
  }
}
