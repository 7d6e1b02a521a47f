package io.digits.train;

import io.digits.model.Initializer;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3's {@code Nadam} (keras/src/optimizers/nadam.py), Adam with Nesterov momentum and a
 * momentum schedule: with {@code t} the 1-based step, {@code u_t = b1*(1 - 0.5*0.96^t)}; a slot
 * {@code u_product} (from 1) becomes {@code u_product * b1 * (1 - 0.5*0.96^t)} once per step before
 * the updates; then per parameter {@code m += (g - m)*(1-b1);  v += (g^2 - v)*(1-b2)},
 * {@code m_hat = u_{t+1}*m / (1 - u_product*u_{t+1}) + (1-u_t)*g / (1 - u_product)},
 * {@code v_hat = v / (1 - b2^t)}, {@code w -= m_hat*lr / (sqrt(v_hat) + eps)}.
 */
public record Nadam(float learningRate, double beta1, double beta2, double epsilon, BaseOptions base)
    implements Optimizer {
  private static final String U_PRODUCT = "u_product";

  public Nadam {
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new IllegalArgumentException("Nadam needs beta_1 and beta_2 in [0, 1) and epsilon > 0, got beta_1 "
          + beta1 + ", beta_2 " + beta2 + ", epsilon " + epsilon);
    }
  }

  /** Keras's defaults: beta_1 0.9, beta_2 0.999, epsilon 1e-7. */
  public Nadam(float learningRate) {
    this(learningRate, 0.9, 0.999, 1e-7, BaseOptions.NONE);
  }

  @Override
  public Nadam withLearningRate(float rate) {
    return new Nadam(rate, beta1, beta2, epsilon, base);
  }

  @Override
  public String kerasName() {
    return "Nadam";
  }

  @Override
  public List<List<String>> kerasSlots() {
    return List.of(List.of("momentum", "velocity"));
  }

  @Override
  public Map<String, Float> kerasScalars() {
    return Map.of(U_PRODUCT, 1f);
  }

  @Override
  public Rule rule(Slots slots, Ops scope, Operand<TFloat32> lr, Operand<TFloat32> iterations) {
    Operand<TFloat32> one = scope.constant(1f);
    Operand<TFloat32> half = scope.constant(0.5f);
    Operand<TFloat32> decay = scope.constant(0.96f);
    Operand<TFloat32> b1 = scope.constant((float) beta1);
    Operand<TFloat32> b2 = scope.constant((float) beta2);
    Operand<TFloat32> localStep = scope.math.add(iterations, one);
    Operand<TFloat32> nextStep = scope.math.add(iterations, scope.constant(2f));
    // _backend_update_step: u_product *= beta_1 * (1 - 0.5 * 0.96^t), once, before the updates.
    Variable<TFloat32> uProduct = slots.scalar(U_PRODUCT, Initializer.ONES);
    Operand<TFloat32> uProductT = scope.assign(uProduct, scope.math.mul(scope.math.mul(uProduct, b1),
        scope.math.sub(one, scope.math.mul(half, scope.math.pow(decay, localStep)))));
    Operand<TFloat32> uT = scope.math.mul(b1, scope.math.sub(one, scope.math.mul(half, scope.math.pow(decay, localStep))));
    Operand<TFloat32> uT1 = scope.math.mul(b1, scope.math.sub(one, scope.math.mul(half, scope.math.pow(decay, nextStep))));
    Operand<TFloat32> uProductT1 = scope.math.mul(uProductT, uT1);
    Operand<TFloat32> beta2Power = scope.math.pow(b2, localStep);
    // Here 1 - beta is float32 arithmetic: Keras casts beta to a tensor first.
    Operand<TFloat32> oneMinusB1 = scope.math.sub(one, b1);
    Operand<TFloat32> oneMinusB2 = scope.math.sub(one, b2);
    Operand<TFloat32> eps = scope.constant((float) epsilon);
    return (tf, p, g) -> {
      Variable<TFloat32> mSlot = slots.like(p, "momentum");
      Variable<TFloat32> vSlot = slots.like(p, "velocity");
      Operand<TFloat32> m = tf.assignAdd(mSlot, tf.math.mul(tf.math.sub(g, mSlot), oneMinusB1));
      Operand<TFloat32> v = tf.assignAdd(vSlot, tf.math.mul(tf.math.sub(tf.math.square(g), vSlot), oneMinusB2));
      Operand<TFloat32> mHat = tf.math.add(
          tf.math.div(tf.math.mul(uT1, m), tf.math.sub(one, uProductT1)),
          tf.math.div(tf.math.mul(tf.math.sub(one, uT), g), tf.math.sub(one, uProductT)));
      Operand<TFloat32> vHat = tf.math.div(v, tf.math.sub(one, beta2Power));
      return tf.assignSub(p.variable(),
          tf.math.div(tf.math.mul(mHat, lr), tf.math.add(tf.math.sqrt(vHat), eps)));
    };
  }
}
