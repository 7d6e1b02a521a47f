package io.digits.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.model.Initializer.Distribution;
import io.digits.model.Initializer.FanMode;
import io.digits.model.Initializer.VarianceScaling;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;

/**
 * Each initializer's sample mean and variance against Keras's formula (keras/src/initializers). The
 * bounds are 6 standard errors of a sample of n = 120,000 values: the mean's is sigma / sqrt(n), the
 * variance's at most sigma^2 sqrt(2 / n) (a normal's; a uniform or truncated normal has lighter
 * tails and a smaller one), so a correct sampler fails about once in 10^9 runs, and a wrong variance
 * (by the fan, the 0.8796 correction or a factor 2) is far outside.
 */
class InitializerTest {
  /** A conv kernel 5x5, 40 in, 120 out: fan_in 1,000, fan_out 3,000. */
  private static final Shape KERNEL = Shape.of(5, 5, 40, 120);
  private static final double FAN_IN = 1000;
  private static final double FAN_OUT = 3000;

  private static void assertMoments(Initializer init, double mean, double variance) {
    float[] v = init.values(KERNEL, new SplittableRandom(42));
    int n = v.length;
    double sum = 0;
    for (float x : v) {
      sum += x;
    }
    double m = sum / n;
    double squares = 0;
    for (float x : v) {
      squares += (x - m) * (x - m);
    }
    double var = squares / (n - 1);
    assertEquals(mean, m, 6 * Math.sqrt(variance / n) + 1e-12, init + ": mean");
    assertEquals(variance, var, 6 * variance * Math.sqrt(2.0 / n) + 1e-12, init + ": variance");
  }

  @Test
  void glorotUniform() {
    assertMoments(VarianceScaling.glorotUniform(), 0, 2 / (FAN_IN + FAN_OUT));
    assertMoments(Initializer.GLOROT_UNIFORM, 0, 2 / (FAN_IN + FAN_OUT));
  }

  @Test
  void glorotNormal() {
    assertMoments(VarianceScaling.glorotNormal(), 0, 2 / (FAN_IN + FAN_OUT));
  }

  @Test
  void heUniform() {
    assertMoments(VarianceScaling.heUniform(), 0, 2 / FAN_IN);
  }

  @Test
  void heNormal() {
    assertMoments(VarianceScaling.heNormal(), 0, 2 / FAN_IN);
  }

  @Test
  void lecunUniform() {
    assertMoments(VarianceScaling.lecunUniform(), 0, 1 / FAN_IN);
  }

  @Test
  void lecunNormal() {
    assertMoments(VarianceScaling.lecunNormal(), 0, 1 / FAN_IN);
  }

  @Test
  void varianceScalingWithArguments() {
    assertMoments(new VarianceScaling(3, FanMode.FAN_OUT, Distribution.UNTRUNCATED_NORMAL), 0, 3 / FAN_OUT);
    assertMoments(new VarianceScaling(0.5, FanMode.FAN_AVG, Distribution.UNIFORM), 0, 0.5 / ((FAN_IN + FAN_OUT) / 2));
  }

  @Test
  void zerosOnesConstant() {
    for (float c : new float[] {0, 1, -0.25f}) {
      float[] v = new Initializer.Constant(c).values(KERNEL, new SplittableRandom(1));
      for (float x : v) {
        assertEquals(c, x);
      }
    }
    assertEquals(Initializer.ZEROS, new Initializer.Constant(0));
    assertEquals(Initializer.ONES, new Initializer.Constant(1));
  }

  @Test
  void randomUniform() {
    // U(a, b): mean (a + b) / 2, variance (b - a)^2 / 12; Keras's default (-0.05, 0.05).
    assertMoments(new Initializer.RandomUniform(-0.05, 0.05), 0, 0.01 / 12);
    assertMoments(new Initializer.RandomUniform(1, 3), 2, 4.0 / 12);
    for (float x : new Initializer.RandomUniform(1, 3).values(KERNEL, new SplittableRandom(3))) {
      assertTrue(x >= 1 && x <= 3, "outside [1, 3]: " + x);
    }
  }

  @Test
  void randomNormal() {
    assertMoments(new Initializer.RandomNormal(0.5, 0.05, false), 0.5, 0.0025);
  }

  @Test
  void truncatedNormal() {
    // N(mean, s) cut at 2 s: variance s^2 (1 - 2 * 2 phi(2) / (2 Phi(2) - 1)) = 0.773741 s^2 (Keras does not rescale it).
    assertMoments(new Initializer.RandomNormal(0.1, 0.05, true), 0.1, 0.773741 * 0.0025);
    for (float x : new Initializer.RandomNormal(0, 1, true).values(KERNEL, new SplittableRandom(3))) {
      assertTrue(Math.abs(x) <= 2, "beyond 2 standard deviations: " + x);
    }
  }

  @Test
  void orthogonalRowsOrColumnsAreOrthonormalTimesGain() {
    for (Shape shape : new Shape[] {Shape.of(3, 3, 4, 8), Shape.of(5, 40)}) {
      float[] v = new Initializer.Orthogonal(1.5).values(shape, new SplittableRandom(9));
      int cols = (int) shape.size(shape.numDimensions() - 1);
      int rows = v.length / cols;
      boolean byColumn = rows >= cols;
      int count = byColumn ? cols : rows;
      int length = byColumn ? rows : cols;
      for (int a = 0; a < count; a++) {
        for (int b = 0; b < count; b++) {
          double dot = 0;
          for (int i = 0; i < length; i++) {
            dot += (byColumn ? v[i * cols + a] * v[i * cols + b] : v[a * cols + i] * v[b * cols + i]);
          }
          assertEquals(a == b ? 2.25 : 0, dot, 1e-5, shape + " vectors " + a + ", " + b);
        }
      }
    }
  }
}
