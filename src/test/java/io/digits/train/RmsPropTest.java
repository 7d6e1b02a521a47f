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
    // the first variable holds the small gradients
    double[] w = QuadraticProblem.start()[0];
    int n = w.length;
    double[] v = new double[n];
    double widestGap = 0;
    try (QuadraticProblem problem = new QuadraticProblem(new RmsProp((float) LR))) {
      for (int t = 1; t <= 3; t++) {
        float[] got = problem.step()[0];
        double[] g = QuadraticProblem.gradients(new double[][] {w})[0];
        for (int i = 0; i < n; i++) {
          v[i] = RHO * v[i] + (1 - RHO) * g[i] * g[i]; // accumulator starts at 0 (Keras), not 1 (TF1)
          double inside = w[i] - LR * g[i] / Math.sqrt(v[i] + EPS); // Keras 2.x/3
          double outside = w[i] - LR * g[i] / (Math.sqrt(v[i]) + EPS); // Keras 2.2 and older, PyTorch
          widestGap = Math.max(widestGap, Math.abs(inside - outside));
          w[i] = inside;
          assertEquals(w[i], got[i], TOLERANCE, "step " + t + " weight " + i);
        }
      }
      float[] velocity = problem.slots().values().stream().filter(s -> s.name().endsWith("velocity")).findFirst()
          .orElseThrow().data();
      for (int i = 0; i < n; i++) {
        assertEquals(v[i], velocity[i], 1e-6 * Math.max(1, v[i]), "accumulator " + i);
      }
    }
    // Where 0.1*g^2 is not far above epsilon (g = 1e-4, 1e-5 here), sqrt(v + eps) and sqrt(v) + eps
    // differ by a factor up to 30 in the step: the two formulas part by far more than the tolerance,
    // so the match above says which one this is.
    assertTrue(widestGap > 1000 * TOLERANCE, "the formulas differ by " + widestGap);
  }
}
