package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The optimizer against the Keras formula, computed by hand in double precision. */
class RmsPropTest {
  private static final double LR = 0.001;
  private static final double RHO = 0.9;
  private static final double EPS = 1e-8;
  private static final double TOLERANCE = 1e-6;

  @Test
  void threeStepsMatchKerasFormulaWithEpsilonInsideTheRoot() {
    int n = QuadraticProblem.START.length;
    double[] w = new double[n];
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = QuadraticProblem.START[i];
    }
    double widestGap = 0;
    try (QuadraticProblem problem = new QuadraticProblem(new RmsProp((float) LR))) {
      for (int t = 1; t <= 3; t++) {
        float[] got = problem.step();
        for (int i = 0; i < n; i++) {
          double grad = QuadraticProblem.gradient(w[i], i);
          v[i] = RHO * v[i] + (1 - RHO) * grad * grad; // accumulator starts at 0 (Keras), not 1 (TF1)
          double inside = w[i] - LR * grad / Math.sqrt(v[i] + EPS); // Keras 2.x/3
          double outside = w[i] - LR * grad / (Math.sqrt(v[i]) + EPS); // Keras 2.2 and older, PyTorch
          widestGap = Math.max(widestGap, Math.abs(inside - outside));
          w[i] = inside;
          assertEquals(w[i], got[i], TOLERANCE, "step " + t + " weight " + i);
        }
      }
      float[] ms = problem.slots().values().get(0).data();
      for (int i = 0; i < n; i++) {
        assertEquals(v[i], ms[i], 1e-6 * Math.max(1, v[i]), "accumulator " + i);
      }
    }
    // Where 0.1*g^2 is not far above epsilon (g = 1e-4, 1e-5 here), sqrt(v + eps) and sqrt(v) + eps
    // differ by a factor up to 30 in the step: the two formulas part by far more than the tolerance,
    // so the match above says which one this is.
    assertTrue(widestGap > 1000 * TOLERANCE, "the formulas differ by " + widestGap);
  }
}
