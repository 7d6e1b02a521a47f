package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.digits.model.Weights;
import io.digits.train.Optimizer.BaseOptions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every optimizer against Keras 3's formula (keras/src/optimizers/*.py), computed here in double
 * precision, for several steps of {@link QuadraticProblem}. The graph computes in float32: each of
 * the ~10 ops per step rounds by at most 2^-24 relative (6e-8), the constants (0.9f for 0.9) differ
 * by as much, and weights of magnitude up to 3 move by at most ~0.1 a step, so after 5 steps the
 * weights agree to a few 1e-7 of max(1, |w|); 1e-6 of that leaves room without hiding a wrong formula
 * (a wrong epsilon placement or bias correction moves them by 1e-4 or more).
 */
class OptimizerTest {
  private static final int STEPS = 5;

  /** One step of an optimizer in double precision: updates {@code w} in place from gradients {@code g}. */
  private interface Reference {
    void step(double[][] w, double[][] g, int t);
  }

  private static void check(Optimizer optimizer, Reference reference) {
    double[][] w = QuadraticProblem.start();
    try (QuadraticProblem problem = new QuadraticProblem(optimizer)) {
      for (int t = 1; t <= STEPS; t++) {
        reference.step(w, QuadraticProblem.gradients(w), t);
        float[][] got = problem.step();
        for (int v = 0; v < w.length; v++) {
          for (int i = 0; i < w[v].length; i++) {
            assertEquals(w[v][i], got[v][i], 1e-6 * Math.max(1, Math.abs(w[v][i])),
                optimizer + ": step " + t + " weight " + v + "[" + i + "]");
          }
        }
      }
      Weights.Value iterations = problem.slots().values().get(0);
      assertEquals(optimizer.kerasName().toLowerCase() + "/iterations", iterations.name());
      assertEquals(STEPS, iterations.data()[0], "Keras's iterations counter");
    }
  }

  /** Per-variable state arrays shaped like the weights. */
  private static double[][] zeros() {
    double[][] s = QuadraticProblem.start();
    for (double[] a : s) {
      Arrays.fill(a, 0);
    }
    return s;
  }

  @Test
  void sgdPlainMomentumAndNesterov() {
    double lr = 0.1f;
    check(new Sgd(0.1f), (w, g, t) -> forEach(w, (v, i) -> w[v][i] -= g[v][i] * lr));
    for (boolean nesterov : List.of(false, true)) {
      double[][] m = zeros();
      check(new Sgd(0.1f, 0.9, nesterov, BaseOptions.NONE), (w, g, t) -> forEach(w, (v, i) -> {
        m[v][i] = m[v][i] * 0.9 - g[v][i] * lr;
        w[v][i] += nesterov ? m[v][i] * 0.9 - g[v][i] * lr : m[v][i];
      }));
    }
  }

  @Test
  void rmsPropPlainCenteredAndWithMomentum() {
    double lr = 0.01f;
    for (boolean centered : List.of(false, true)) {
      for (double momentum : List.of(0.0, 0.5)) {
        double[][] vel = zeros();
        double[][] avg = zeros();
        double[][] mom = zeros();
        check(new RmsProp(0.01f, 0.9, momentum, 1e-7, centered, BaseOptions.NONE), (w, g, t) -> forEach(w, (v, i) -> {
          vel[v][i] = 0.9 * vel[v][i] + 0.1 * g[v][i] * g[v][i]; // from 0 (Keras), not 1 (TF1)
          avg[v][i] = 0.9 * avg[v][i] + 0.1 * g[v][i];
          double denominator = centered ? vel[v][i] - avg[v][i] * avg[v][i] + 1e-7 : vel[v][i] + 1e-7;
          double increment = lr * g[v][i] / Math.sqrt(denominator); // epsilon inside the root
          mom[v][i] = momentum * mom[v][i] + increment;
          w[v][i] -= momentum > 0 ? mom[v][i] : increment;
        }));
      }
    }
  }

  @Test
  void notebookRmsPropHasEpsilon1e8() {
    RmsProp notebook = new RmsProp(0.001f);
    assertEquals(1e-8, notebook.epsilon());
    assertEquals(0.9, notebook.rho());
  }

  @Test
  void adamAndAmsgrad() {
    for (boolean amsgrad : List.of(false, true)) {
      double[][] m = zeros();
      double[][] vel = zeros();
      double[][] vHat = zeros();
      check(new Adam(0.01f, 0.9, 0.999, 1e-7, amsgrad, BaseOptions.NONE, false), (w, g, t) -> {
        double alpha = 0.01f * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
        forEach(w, (v, i) -> {
          m[v][i] += (g[v][i] - m[v][i]) * 0.1;
          vel[v][i] += (g[v][i] * g[v][i] - vel[v][i]) * 0.001;
          vHat[v][i] = Math.max(vHat[v][i], vel[v][i]);
          w[v][i] -= m[v][i] * alpha / (Math.sqrt(amsgrad ? vHat[v][i] : vel[v][i]) + 1e-7); // eps outside
        });
      });
    }
  }

  @Test
  void adamWDecaysTheWeightsBeforeTheUpdate() {
    double lr = 0.01f;
    double[][] m = zeros();
    double[][] vel = zeros();
    check(new Adam(0.01f, 0.9, 0.999, 1e-7, false, new BaseOptions(0.05, GradientClipping.NONE), true),
        (w, g, t) -> {
          double alpha = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
          forEach(w, (v, i) -> {
            w[v][i] -= w[v][i] * 0.05 * lr; // the gradient g was taken before the decay
            m[v][i] += (g[v][i] - m[v][i]) * 0.1;
            vel[v][i] += (g[v][i] * g[v][i] - vel[v][i]) * 0.001;
            w[v][i] -= m[v][i] * alpha / (Math.sqrt(vel[v][i]) + 1e-7);
          });
        });
  }

  @Test
  void nadamWithItsMomentumSchedule() {
    double lr = 0.01f;
    double[][] m = zeros();
    double[][] vel = zeros();
    double[] uProduct = {1};
    check(new Nadam(0.01f), (w, g, t) -> {
      double uT = 0.9 * (1 - 0.5 * Math.pow(0.96, t));
      double uT1 = 0.9 * (1 - 0.5 * Math.pow(0.96, t + 1));
      uProduct[0] *= uT;
      double uProductT1 = uProduct[0] * uT1;
      forEach(w, (v, i) -> {
        m[v][i] += (g[v][i] - m[v][i]) * 0.1;
        vel[v][i] += (g[v][i] * g[v][i] - vel[v][i]) * 0.001;
        double mHat = uT1 * m[v][i] / (1 - uProductT1) + (1 - uT) * g[v][i] / (1 - uProduct[0]);
        double vHat = vel[v][i] / (1 - Math.pow(0.999, t));
        w[v][i] -= mHat * lr / (Math.sqrt(vHat) + 1e-7);
      });
    });
  }

  @Test
  void clippingByValueByNormAndByGlobalNorm() {
    double lr = 0.1f;
    check(new Sgd(0.1f, 0, false, new BaseOptions(0, new GradientClipping.ByValue(0.5))),
        (w, g, t) -> forEach(w, (v, i) -> w[v][i] -= Math.max(-0.5, Math.min(0.5, g[v][i])) * lr));
    check(new Sgd(0.1f, 0, false, new BaseOptions(0, new GradientClipping.ByNorm(1.5))), (w, g, t) -> {
      for (int v = 0; v < w.length; v++) {
        double scale = 1.5 / Math.max(norm(g[v]), 1.5);
        for (int i = 0; i < w[v].length; i++) {
          w[v][i] -= g[v][i] * scale * lr;
        }
      }
    });
    check(new Sgd(0.1f, 0, false, new BaseOptions(0, new GradientClipping.ByGlobalNorm(2))), (w, g, t) -> {
      double global = Math.hypot(norm(g[0]), norm(g[1]));
      double scale = 2 * Math.min(1 / global, 1 / 2.0);
      forEach(w, (v, i) -> w[v][i] -= g[v][i] * scale * lr);
    });
  }

  /** Every slot, the step counter and Nadam's u_product included, is in the state a checkpoint saves. */
  @Test
  void aRunResumedFromItsSavedStateTakesTheSameStepsAsAnUninterruptedOne() {
    for (Optimizer optimizer : List.of(new Sgd(0.1f, 0.9, true, BaseOptions.NONE),
        new RmsProp(0.01f, 0.9, 0.5, 1e-7, true, BaseOptions.NONE),
        new Adam(0.01f, 0.9, 0.999, 1e-7, true, new BaseOptions(0.1, GradientClipping.NONE), true),
        new Nadam(0.01f))) {
      float[][] whole;
      try (QuadraticProblem uninterrupted = new QuadraticProblem(optimizer)) {
        for (int t = 1; t < 6; t++) {
          uninterrupted.step();
        }
        whole = uninterrupted.step();
      }
      Weights weights;
      Weights state;
      try (QuadraticProblem first = new QuadraticProblem(optimizer)) {
        for (int t = 1; t <= 3; t++) {
          first.step();
        }
        weights = first.weights();
        state = first.slots();
      }
      try (QuadraticProblem resumed = new QuadraticProblem(optimizer)) {
        resumed.restore(weights, state, 3);
        resumed.step();
        resumed.step();
        float[][] got = resumed.step();
        for (int v = 0; v < whole.length; v++) {
          assertArrayEquals(whole[v], got[v], optimizer + " weight " + v);
        }
      }
    }
  }

  @Test
  void refusesSettingsKerasRefuses() {
    assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1f, 1.5, false, BaseOptions.NONE));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1f, 1, 0.999, 1e-7, false, BaseOptions.NONE, false));
    assertThrows(IllegalArgumentException.class, () -> new BaseOptions(-1, GradientClipping.NONE));
  }

  private static double norm(double[] a) {
    double s = 0;
    for (double x : a) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  private interface Element {
    void apply(int v, int i);
  }

  private static void forEach(double[][] w, Element e) {
    for (int v = 0; v < w.length; v++) {
      for (int i = 0; i < w[v].length; i++) {
        e.apply(v, i);
      }
    }
  }
}
