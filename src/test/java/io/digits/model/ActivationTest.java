package io.digits.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Activations against Keras 3's formulas (keras/src/activations, keras/src/backend/tensorflow/nn.py)
 * computed in double; float32 evaluation of these smooth functions stays within a few ulps, so 2e-6
 * (absolute, values up to 6) is ample and far below any formula difference (Keras 2's hard_sigmoid is
 * 0.05 away at x = -1.5). The Keras files' parity tests cover the rest end to end.
 */
class ActivationTest {
  private static final float[] XS = {-7f, -3f, -1.5f, -0.3f, 0f, 0.3f, 1.5f, 3f, 7f};

  private static void check(Activation a, DoubleUnaryOperator keras) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      try (Result r = s.runner().fetch(a.apply(tf, tf.constant(XS))).run()) {
        for (int i = 0; i < XS.length; i++) {
          assertEquals(keras.applyAsDouble(XS[i]), ((TFloat32) r.get(0)).getFloat(i), 2e-6, a + " at " + XS[i]);
        }
      }
    }
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @Test
  void hardSigmoidIsKeras3s() {
    check(Activation.HARD_SIGMOID, x -> Math.min(Math.max(x + 3, 0), 6) / 6);
    check(Activation.HARD_SILU, x -> x * Math.min(Math.max(x + 3, 0), 6) / 6);
  }

  @Test
  void frameworkGeluApproximateAndSwishAreKeras() {
    check(Activation.GELU_APPROXIMATE,
        x -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))));
    check(Activation.SILU, x -> x * sigmoid(x));
  }

  @Test
  void theOthers() {
    check(Activation.RELU6, x -> Math.min(Math.max(x, 0), 6));
    check(Activation.ELU, x -> x > 0 ? x : Math.expm1(x));
    check(Activation.SELU, x -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * Math.expm1(x)));
    check(Activation.SOFTPLUS, x -> Math.log1p(Math.exp(x)));
    check(Activation.SOFTSIGN, x -> x / (1 + Math.abs(x)));
    check(Activation.SIGMOID, ActivationTest::sigmoid);
    check(Activation.TANH, Math::tanh);
  }
}
