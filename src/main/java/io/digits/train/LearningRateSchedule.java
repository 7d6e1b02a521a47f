package io.digits.train;

/**
 * Keras's {@code LearningRateSchedule}: the learning rate of each optimizer step, as a function of
 * the number of steps already taken ({@code optimizer.iterations}: 0 for the first step). Fed to
 * the graph every step, so any schedule costs the same.
 */
@FunctionalInterface
public interface LearningRateSchedule {

  float rate(long step);

  static LearningRateSchedule constant(float rate) {
    return step -> rate;
  }

  /**
   * Keras's {@code ExponentialDecay(initial, decaySteps, decayRate, staircase=True)}:
   * {@code initial * decayRate^floor(step / decaySteps)}. With {@code decaySteps} = steps per epoch
   * this is the per-epoch decay that a {@code LearningRateScheduler} callback gives.
   */
  static LearningRateSchedule exponentialStaircase(float initial, long decaySteps, double decayRate) {
    return step -> (float) (initial * Math.pow(decayRate, Math.floorDiv(step, decaySteps)));
  }
}
