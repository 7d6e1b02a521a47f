package io.digits.train;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3's {@code RMSprop} (keras/src/optimizers/rmsprop.py), every accumulator starting at 0:
 * {@code v = rho*v + (1-rho)*g^2}; centered also {@code a = rho*a + (1-rho)*g} and the denominator
 * {@code v - a^2 + eps}, else {@code v + eps}; {@code increment = lr*g / sqrt(denominator)};
 * with momentum {@code mom = momentum*mom + increment, w -= mom}, else {@code w -= increment}.
 * Epsilon inside the root, as Keras 3 and tf-keras 2.x have it (PRODUCT.md section 2). Not TF Java's
 * {@code framework.optimizers.RMSProp}: that is the TF1 variant whose accumulator starts at 1.0.
 */
public record RmsProp(float learningRate, double rho, double momentum, double epsilon, boolean centered,
    BaseOptions base) implements Optimizer {
  public static final float NOTEBOOK_LEARNING_RATE = 0.001f;

  public RmsProp {
    if (!(rho >= 0 && rho <= 1) || !(momentum >= 0 && momentum <= 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException("RMSprop needs rho and momentum in [0, 1] and epsilon > 0, got rho "
          + rho + ", momentum " + momentum + ", epsilon " + epsilon);
    }
  }

  /** The notebook's RMSprop: rho 0.9, epsilon 1e-08 (Keras's default epsilon is 1e-07), no momentum. */
  public RmsProp(float learningRate) {
    this(learningRate, 0.9, 0, 1e-8, false, BaseOptions.NONE);
  }

  @Override
  public RmsProp withLearningRate(float rate) {
    return new RmsProp(rate, rho, momentum, epsilon, centered, base);
  }

  @Override
  public String kerasName() {
    return "RMSprop";
  }

  @Override
  public Rule rule(Slots slots, Ops scope, Operand<TFloat32> lr, Operand<TFloat32> iterations) {
    Operand<TFloat32> rhoOp = scope.constant((float) rho);
    Operand<TFloat32> oneMinusRho = scope.constant((float) (1 - rho));
    Operand<TFloat32> eps = scope.constant((float) epsilon);
    return (tf, p, g) -> {
      Variable<TFloat32> velocity = slots.like(p, "velocity");
      Variable<TFloat32> mom = momentum > 0 ? slots.like(p, "momentum") : null;
      Variable<TFloat32> average = centered ? slots.like(p, "average_gradient") : null;
      Operand<TFloat32> v = tf.assign(velocity,
          tf.math.add(tf.math.mul(rhoOp, velocity), tf.math.mul(oneMinusRho, tf.math.square(g))));
      Operand<TFloat32> denominator;
      if (centered) {
        Operand<TFloat32> a = tf.assign(average,
            tf.math.add(tf.math.mul(rhoOp, average), tf.math.mul(oneMinusRho, g)));
        denominator = tf.math.add(tf.math.sub(v, tf.math.square(a)), eps);
      } else {
        denominator = tf.math.add(v, eps);
      }
      Operand<TFloat32> increment = tf.math.div(tf.math.mul(lr, g), tf.math.sqrt(denominator));
      if (mom == null) {
        return tf.assignSub(p.variable(), increment);
      }
      Operand<TFloat32> m = tf.assign(mom,
          tf.math.add(tf.math.mul(tf.constant((float) momentum), mom), increment));
      return tf.assignSub(p.variable(), m);
    };
  }
}
