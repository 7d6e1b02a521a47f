package io.digits.train;

import java.util.Arrays;
import java.util.List;

/**
 * Keras's {@code LearningRateSchedule}: the learning rate of each optimizer step, as a function of
 * the number of steps already taken ({@code optimizer.iterations}: 0 for the first step). Fed to
 * the graph every step, so any schedule costs the same.
 *
 * <p>The schedules below are Keras 3's (keras/src/optimizers/schedules/learning_rate_schedule.py),
 * with its config names, computed as Keras computes them: in float32, op for op (so a staircase's
 * {@code floor(step / decay_steps)} flips at the same step as Keras's).
 */
@FunctionalInterface
public interface LearningRateSchedule {

  float rate(long step);

  static LearningRateSchedule constant(float rate) {
    return new Constant(rate);
  }

  /** The same rate every step: Keras's plain {@code learning_rate=rate}. */
  record Constant(float learningRate) implements LearningRateSchedule {
    @Override
    public float rate(long step) {
      return learningRate;
    }
  }

  /**
   * Keras's {@code ExponentialDecay(initial, decaySteps, decayRate, staircase=True)}:
   * {@code initial * decayRate^floor(step / decaySteps)}. With {@code decaySteps} = steps per epoch
   * this is the per-epoch decay that a {@code LearningRateScheduler} callback gives.
   */
  static LearningRateSchedule exponentialStaircase(float initial, long decaySteps, double decayRate) {
    return new ExponentialDecay(initial, decaySteps, decayRate, true);
  }

  /** {@code initial * decay_rate^p}, {@code p = step / decay_steps}, floored with {@code staircase}. */
  record ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, boolean staircase)
      implements LearningRateSchedule {
    public ExponentialDecay {
      positive("decay_steps", decaySteps);
    }

    @Override
    public float rate(long step) {
      return (float) initialLearningRate * (float) Math.pow((float) decayRate, progress(step, decaySteps, staircase));
    }
  }

  /** {@code initial / (1 + decay_rate * p)}, {@code p = step / decay_steps}, floored with {@code staircase}. */
  record InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate, boolean staircase)
      implements LearningRateSchedule {
    public InverseTimeDecay {
      positive("decay_steps", decaySteps);
    }

    @Override
    public float rate(long step) {
      return (float) initialLearningRate / (1f + (float) decayRate * progress(step, decaySteps, staircase));
    }
  }

  /**
   * {@code values[0]} while {@code step <= boundaries[0]}, {@code values[i]} while
   * {@code boundaries[i-1] < step <= boundaries[i]}, {@code values[n]} after the last boundary.
   */
  record PiecewiseConstantDecay(List<Long> boundaries, List<Double> values) implements LearningRateSchedule {
    public PiecewiseConstantDecay {
      boundaries = List.copyOf(boundaries);
      values = List.copyOf(values);
      if (boundaries.isEmpty() || values.size() != boundaries.size() + 1) {
        throw new IllegalArgumentException("PiecewiseConstantDecay needs one more value than boundaries, got "
            + boundaries.size() + " boundaries and " + values.size() + " values");
      }
    }

    @Override
    public float rate(long step) {
      int i = 0;
      while (i < boundaries.size() && step > boundaries.get(i)) {
        i++;
      }
      return values.get(i).floatValue();
    }
  }

  /**
   * Keras 3's {@code CosineDecay}: without a warmup target, with {@code s = min(step, decay_steps)},
   * {@code initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)}. With one, the
   * rate first rises linearly from {@code initial} to {@code warmup_target} over
   * {@code warmup_steps}, then decays from {@code warmup_target} as above over {@code decay_steps}.
   *
   * @param warmupTarget NaN: no warmup (Keras's None)
   */
  record CosineDecay(double initialLearningRate, double decaySteps, double alpha, double warmupTarget,
      double warmupSteps) implements LearningRateSchedule {
    public CosineDecay {
      positive("decay_steps", decaySteps);
    }

    public CosineDecay(double initialLearningRate, double decaySteps, double alpha) {
      this(initialLearningRate, decaySteps, alpha, Double.NaN, 0);
    }

    @Override
    public float rate(long step) {
      float initial = (float) initialLearningRate;
      float steps = (float) decaySteps;
      float s = (float) step;
      if (Double.isNaN(warmupTarget)) {
        return decayed(Math.min(s, steps), steps, initial);
      }
      float target = (float) warmupTarget;
      float warmup = (float) warmupSteps;
      s = Math.min(s, steps + warmup);
      if (s < warmup) {
        return (target - initial) * (s / warmup) + initial;
      }
      return decayed(s - warmup, steps, target);
    }

    private float decayed(float s, float steps, float from) {
      float cosine = 0.5f * (1f + (float) Math.cos((float) Math.PI * (s / steps)));
      return from * ((float) (1 - alpha) * cosine + (float) alpha);
    }
  }

  /** {@code step / decay_steps} in float32, floored with {@code staircase}. */
  private static float progress(long step, double decaySteps, boolean staircase) {
    float p = (float) step / (float) decaySteps;
    return staircase ? (float) Math.floor(p) : p;
  }

  private static void positive(String name, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
  }
}
