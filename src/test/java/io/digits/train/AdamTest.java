package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.digits.model.Weights;
import org.junit.jupiter.api.Test;

/** Adam against Keras's formula, computed by hand in double precision. */
class AdamTest {

  @Test
  void threeStepsMatchKerasFormulaAndCountTheSteps() {
    float lr = 0.01f;
    int n = QuadraticProblem.START.length;
    double[] w = new double[n];
    double[] m = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = QuadraticProblem.START[i];
    }
    try (QuadraticProblem problem = new QuadraticProblem(new Adam(lr))) {
      for (int t = 1; t <= 3; t++) {
        float[] got = problem.step();
        double alpha = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
        for (int i = 0; i < n; i++) {
          double grad = QuadraticProblem.gradient(w[i], i);
          m[i] = 0.9 * m[i] + 0.1 * grad;
          v[i] = 0.999 * v[i] + 0.001 * grad * grad;
          w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + 1e-7);
          assertEquals(w[i], got[i], 1e-6, "step " + t + " weight " + i);
        }
      }
      Weights state = problem.slots();
      assertEquals("adam/iterations", state.values().get(0).name());
      assertEquals(3f, state.values().get(0).data()[0], "Keras's iterations counter");
    }
  }
}
