package io.digits.train;

/**
 * The knobs of one training run; {@link #notebook()} gives the reference notebook's values.
 *
 * @param stopAtAccuracy stop after the epoch whose training accuracy exceeds this (0: never)
 * @param dropout dropout rate of the Dropout layers (0 only for parity checks)
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    float learningRate,
    double stopAtAccuracy,
    long seed,
    float dropout,
    boolean shuffle) {

  public static TrainConfig notebook() {
    return new TrainConfig(10, 32, RmsProp.NOTEBOOK_LEARNING_RATE, 0.99, 2, 0.5f, true);
  }

  public TrainConfig withEpochs(int value) {
    return new TrainConfig(value, batchSize, learningRate, stopAtAccuracy, seed, dropout, shuffle);
  }

  public TrainConfig withBatchSize(int value) {
    return new TrainConfig(epochs, value, learningRate, stopAtAccuracy, seed, dropout, shuffle);
  }

  public TrainConfig withLearningRate(float value) {
    return new TrainConfig(epochs, batchSize, value, stopAtAccuracy, seed, dropout, shuffle);
  }

  public TrainConfig withStopAtAccuracy(double value) {
    return new TrainConfig(epochs, batchSize, learningRate, value, seed, dropout, shuffle);
  }

  public TrainConfig withSeed(long value) {
    return new TrainConfig(epochs, batchSize, learningRate, stopAtAccuracy, value, dropout, shuffle);
  }

  public TrainConfig withDropout(float value) {
    return new TrainConfig(epochs, batchSize, learningRate, stopAtAccuracy, seed, value, shuffle);
  }

  public TrainConfig withShuffle(boolean value) {
    return new TrainConfig(epochs, batchSize, learningRate, stopAtAccuracy, seed, dropout, value);
  }
}
