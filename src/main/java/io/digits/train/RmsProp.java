package io.digits.train;

import io.digits.model.Initializer;
import io.digits.model.Parameters;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * RMSprop as today's Keras (Keras 3 and tf-keras 2.x) computes it, momentum 0:
 * {@code v = rho*v + (1-rho)*g^2;  w -= lr * g / sqrt(v + eps)}, with {@code v} starting at 0.
 *
 * <p>Built on TF's fused {@code ApplyRMSProp} op, which computes exactly that when its {@code ms}
 * slot starts at 0 and momentum is 0. Not TF Java's {@code framework.optimizers.RMSProp}: that is the
 * TF1 variant whose accumulator starts at 1.0 (PRODUCT.md section 2).
 */
public record RmsProp(float learningRate) implements Optimizer {
  public static final float NOTEBOOK_LEARNING_RATE = 0.001f;
  /** Keras's RMSprop defaults, the notebook's settings: rho 0.9, epsilon 1e-08. */
  public static final float RHO = 0.9f;
  public static final float EPSILON = 1e-8f;
  /** Slot suffixes: {@code ms} is Keras's velocity. */
  static final String VELOCITY = "_ms";
  private static final String MOMENTUM = "_mom";

  /** Its slots are the {@code ms} and {@code mom} accumulators of every parameter. */
  @Override
  public StepUpdates stepUpdates(Ops tf, Ops afterGradients, Parameters slots, Operand<TFloat32> lr) {
    Ops state = tf.withSubScope("rmsprop");
    Ops scope = afterGradients.withSubScope("rmsprop");
    Operand<TFloat32> rhoOp = scope.constant(RHO);
    Operand<TFloat32> momentum = scope.constant(0f);
    Operand<TFloat32> eps = scope.constant(EPSILON);
    return (p, gradient) -> {
      Variable<TFloat32> ms = slots.add(state, Optimizer.slotName(p, VELOCITY), p.shape(), Initializer.ZEROS, false);
      Variable<TFloat32> mom = slots.add(state, Optimizer.slotName(p, MOMENTUM), p.shape(), Initializer.ZEROS, false);
      return scope.train.applyRmsProp(p.variable(), ms, mom, lr, rhoOp, momentum, eps, gradient);
    };
  }
}
