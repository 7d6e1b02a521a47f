package io.digits.train;

import io.digits.model.Initializer;
import io.digits.model.Parameters;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Keras's {@code Adam} (beta_1 0.9, beta_2 0.999, epsilon 1e-7): with {@code t} the 1-based step,
 * {@code m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;
 * w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)}, m and v starting at 0. TF's fused
 * {@code ApplyAdam} op computes exactly that from {@code b1^t} and {@code b2^t}, which come from a
 * step counter kept as a slot (Keras's {@code iterations}), so a checkpoint carries it.
 */
public record Adam(float learningRate) implements Optimizer {
  public static final float BETA_1 = 0.9f;
  public static final float BETA_2 = 0.999f;
  public static final float EPSILON = 1e-7f;
  /** Slot suffixes, Keras's names: momentum (first moment), velocity (second). */
  static final String MOMENTUM = "_m";
  static final String VELOCITY = "_v";

  @Override
  public StepUpdates stepUpdates(Ops tf, Ops afterGradients, Parameters slots, Operand<TFloat32> lr) {
    Ops state = tf.withSubScope("adam");
    Ops scope = afterGradients.withSubScope("adam");
    Variable<TFloat32> iterations = slots.add(state, "iterations", Shape.scalar(), Initializer.ZEROS, false);
    Operand<TFloat32> step = scope.math.add(iterations, scope.constant(1f));
    Operand<TFloat32> beta1 = scope.constant(BETA_1);
    Operand<TFloat32> beta2 = scope.constant(BETA_2);
    Operand<TFloat32> beta1Power = scope.math.pow(beta1, step);
    Operand<TFloat32> beta2Power = scope.math.pow(beta2, step);
    Operand<TFloat32> eps = scope.constant(EPSILON);
    return new StepUpdates() {
      @Override
      public Op update(Parameters.Parameter p, Operand<TFloat32> gradient) {
        Variable<TFloat32> m = slots.add(state, Optimizer.slotName(p, MOMENTUM), p.shape(), Initializer.ZEROS, false);
        Variable<TFloat32> v = slots.add(state, Optimizer.slotName(p, VELOCITY), p.shape(), Initializer.ZEROS, false);
        return scope.train.applyAdam(p.variable(), m, v, beta1Power, beta2Power, lr, beta1, beta2, eps, gradient);
      }

      /** The step is counted after every update has read the count it belongs to. */
      @Override
      public Op finish(Ops tf, List<Op> updates) {
        return tf.withControlDependencies(updates).assignAdd(iterations, tf.constant(1f));
      }
    };
  }
}
