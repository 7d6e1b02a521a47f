package io.digits.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.digits.model.Architecture;

/**
 * The knobs of one training run; {@link #notebook()} gives the reference notebook's values and
 * {@link #defaults} each model's own.
 *
 * @param stopAtAccuracy stop after the epoch whose training accuracy exceeds this (0: never)
 * @param dropout dropout rate of the Dropout layers (0 only for parity checks)
 * @param learningRateDecay the learning rate of epoch e (from 1) is {@code learningRate * decay^(e-1)}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainConfig(
    int epochs,
    int batchSize,
    float learningRate,
    double stopAtAccuracy,
    long seed,
    float dropout,
    Optimizer.Kind optimizer,
    double learningRateDecay) {

  public static TrainConfig notebook() {
    return new TrainConfig(10, 32, RmsProp.NOTEBOOK_LEARNING_RATE, 0.99, 2, 0.5f, Optimizer.Kind.RMSPROP, 1);
  }

  /**
   * What {@code train --model} uses where no option says otherwise. {@code bn-cnn}: Adam at 0.001
   * decaying 10 % an epoch over 20 epochs of 64 images (batch normalization and augmentation
   * want neither the notebook's small batches nor its early stop at 0.99 training accuracy).
   */
  public static TrainConfig defaults(Architecture architecture) {
    TrainConfig notebook = notebook().withDropout(architecture.defaultDropout());
    return switch (architecture) {
      case SIMPLE, DOUBLE_CONV -> notebook;
      case BN_CNN -> new TrainConfig(20, 64, 0.001f, 0, notebook.seed(), architecture.defaultDropout(),
          Optimizer.Kind.ADAM, 0.9);
    };
  }

  /** The steps of an epoch over {@code trainRows} rows (the last batch may be short). */
  public int stepsPerEpoch(int trainRows) {
    return Math.max(1, (trainRows + batchSize - 1) / batchSize);
  }

  /** The learning rate of every step, for epochs of {@code stepsPerEpoch} steps. */
  public LearningRateSchedule schedule(int stepsPerEpoch) {
    return learningRateDecay == 1 ? LearningRateSchedule.constant(learningRate)
        : LearningRateSchedule.exponentialStaircase(learningRate, stepsPerEpoch, learningRateDecay);
  }

  public TrainConfig withEpochs(int value) {
    return new TrainConfig(value, batchSize, learningRate, stopAtAccuracy, seed, dropout, optimizer,
        learningRateDecay);
  }

  public TrainConfig withBatchSize(int value) {
    return new TrainConfig(epochs, value, learningRate, stopAtAccuracy, seed, dropout, optimizer,
        learningRateDecay);
  }

  public TrainConfig withLearningRate(float value) {
    return new TrainConfig(epochs, batchSize, value, stopAtAccuracy, seed, dropout, optimizer,
        learningRateDecay);
  }

  public TrainConfig withStopAtAccuracy(double value) {
    return new TrainConfig(epochs, batchSize, learningRate, value, seed, dropout, optimizer,
        learningRateDecay);
  }

  public TrainConfig withSeed(long value) {
    return new TrainConfig(epochs, batchSize, learningRate, stopAtAccuracy, value, dropout, optimizer,
        learningRateDecay);
  }

  public TrainConfig withDropout(float value) {
    return new TrainConfig(epochs, batchSize, learningRate, stopAtAccuracy, seed, value, optimizer,
        learningRateDecay);
  }
}
