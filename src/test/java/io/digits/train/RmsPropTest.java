package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The optimizer against the Keras formula, computed by hand in double precision. */
class RmsPropTest {

  @Test
  void threeStepsMatchKerasFormula() {
    float lr = 0.001f;
    int n = QuadraticProblem.START.length;
    double[] w = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = QuadraticProblem.START[i];
    }
    try (QuadraticProblem problem = new QuadraticProblem(new RmsProp(lr))) {
      for (int t = 1; t <= 3; t++) {
        float[] got = problem.step();
        for (int i = 0; i < n; i++) {
          double grad = QuadraticProblem.gradient(w[i], i);
          v[i] = 0.9 * v[i] + 0.1 * grad * grad; // accumulator starts at 0 (Keras), not 1 (TF1)
          w[i] -= lr * grad / Math.sqrt(v[i] + 1e-8); // epsilon inside the root (Keras 2.x/3)
          assertEquals(w[i], got[i], 1e-6, "step " + t + " weight " + i);
        }
      }
      float[] ms = problem.slots().values().get(0).data();
      for (int i = 0; i < n; i++) {
        assertEquals(v[i], ms[i], 1e-6 * Math.max(1, v[i]), "accumulator " + i);
      }
    }
  }
}
