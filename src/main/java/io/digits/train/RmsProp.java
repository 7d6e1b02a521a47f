package io.digits.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3's {@code RMSprop} (keras/src/optimizers/rmsprop.py), every accumulator starting at 0:
 * {@code v = rho*v + (1-rho)*g^2}; centered also {@code a = rho*a + (1-rho)*g} and the denominator
 * {@code v - a^2 + eps}, else {@code v + eps}; {@code increment = lr*g / sqrt(denominator)};
 * with momentum {@code mom = momentum*mom + increment, w -= mom}, else {@code w -= increment}.
 * Epsilon inside the root, as Keras 3 and tf-keras 2.x have it (PRODUCT.md section 2).
 *
 * <p>Built on TF's fused {@code ApplyRMSProp} / {@code ApplyCenteredRMSProp}, which compute exactly
 * that formula (with momentum 0, {@code mom} is the increment); they write {@code v} as
 * {@code v += (g^2 - v)*(1-rho)} with {@code 1-rho} in float32, which moves the weights by at most
 * 6e-8 of Keras's over 20 steps (make interop, check f), and takes one pass over the weights instead
 * of ten. Not TF Java's {@code framework.optimizers.RMSProp}: that is the TF1 variant whose
 * accumulator starts at 1.0.
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
  public List<List<String>> kerasSlots() {
    List<List<String>> slots = new ArrayList<>(List.of(List.of("velocity")));
    if (momentum > 0) {
      slots.add(List.of("momentum"));
    }
    if (centered) {
      slots.add(List.of("average_gradient"));
    }
    return slots;
  }

  @Override
  public Rule rule(Slots slots, Ops scope, Operand<TFloat32> lr, Operand<TFloat32> iterations) {
    Operand<TFloat32> rhoOp = scope.constant((float) rho);
    Operand<TFloat32> momentumOp = scope.constant((float) momentum);
    Operand<TFloat32> eps = scope.constant((float) epsilon);
    if (centered) {
      return (tf, p, g) -> tf.train.applyCenteredRmsProp(p.variable(), slots.like(p, "average_gradient"),
          slots.like(p, "velocity"), slots.like(p, "momentum"), lr, rhoOp, momentumOp, eps, g);
    }
    return (tf, p, g) -> tf.train.applyRmsProp(p.variable(), slots.like(p, "velocity"), slots.like(p, "momentum"),
        lr, rhoOp, momentumOp, eps, g);
  }
}
