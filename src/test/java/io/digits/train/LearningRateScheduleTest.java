package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.digits.train.LearningRateSchedule.CosineDecay;
import io.digits.train.LearningRateSchedule.ExponentialDecay;
import io.digits.train.LearningRateSchedule.InverseTimeDecay;
import io.digits.train.LearningRateSchedule.PiecewiseConstantDecay;
import java.util.List;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Keras 3's schedules against their formulas in double precision. The schedules compute in float32
 * as Keras does: a handful of ops, each rounding by at most 2^-24 (6e-8) relative, plus float32
 * constants; in {@code decay_rate^p} the base's rounding (0.96f is 0.96 - 2.1e-8) is raised to the
 * power p, up to 50 here, so the rate may differ by 50 * 2.2e-8 = 1.1e-6 relative: 4e-6 covers that.
 */
class LearningRateScheduleTest {
  private static final long[] STEPS = {0, 1, 5, 99, 100, 101, 250, 999, 1000, 5000};

  private static void check(LearningRateSchedule schedule, LongToDoubleFunction formula) {
    for (long step : STEPS) {
      double want = formula.applyAsDouble(step);
      assertEquals(want, schedule.rate(step), 4e-6 * Math.abs(want), schedule + " at step " + step);
    }
  }

  @Test
  void exponentialDecaySmoothAndStaircase() {
    check(new ExponentialDecay(0.1, 100, 0.96, false), s -> 0.1 * Math.pow(0.96, s / 100.0));
    check(new ExponentialDecay(0.1, 100, 0.96, true), s -> 0.1 * Math.pow(0.96, Math.floor(s / 100.0)));
    assertEquals(0.1f * 0.96f, new ExponentialDecay(0.1, 100, 0.96, true).rate(100), "the step after 100 steps");
    assertEquals(0.1f, new ExponentialDecay(0.1, 100, 0.96, true).rate(99));
  }

  @Test
  void inverseTimeDecaySmoothAndStaircase() {
    check(new InverseTimeDecay(0.1, 100, 0.5, false), s -> 0.1 / (1 + 0.5 * s / 100.0));
    check(new InverseTimeDecay(0.1, 100, 0.5, true), s -> 0.1 / (1 + 0.5 * Math.floor(s / 100.0)));
  }

  @Test
  void piecewiseConstantIncludesEachBoundaryInTheRangeBelowIt() {
    var schedule = new PiecewiseConstantDecay(List.of(100L, 1000L), List.of(1.0, 0.5, 0.1));
    check(schedule, s -> s <= 100 ? 1.0 : s <= 1000 ? 0.5 : 0.1);
    assertEquals(1f, schedule.rate(100));
    assertEquals(0.5f, schedule.rate(101));
    assertThrows(IllegalArgumentException.class, () -> new PiecewiseConstantDecay(List.of(1L), List.of(1.0)));
  }

  @Test
  void cosineDecayWithAlphaAndWithWarmup() {
    check(new CosineDecay(0.1, 1000, 0.2),
        s -> 0.1 * (0.8 * 0.5 * (1 + Math.cos(Math.PI * Math.min(s, 1000) / 1000)) + 0.2));
    check(new CosineDecay(0.01, 1000, 0.0, 0.1, 100), s -> {
      if (s < 100) {
        return (0.1 - 0.01) * s / 100 + 0.01;
      }
      double d = Math.min(s, 1100) - 100;
      return 0.1 * 0.5 * (1 + Math.cos(Math.PI * d / 1000));
    });
    assertEquals(0.0f, new CosineDecay(0.1, 1000, 0).rate(5000), "alpha 0 decays to 0");
  }

  @Test
  void refusesDecayStepsOfZero() {
    assertThrows(IllegalArgumentException.class, () -> new ExponentialDecay(0.1, 0, 0.9, false));
    assertThrows(IllegalArgumentException.class, () -> new CosineDecay(0.1, 0, 0));
  }
}
