package io.digits.serve;

/**
 * TF Serving's batching knobs (BatchingParameters in session_bundle_config.proto, with the defaults
 * of its BasicBatchScheduler): at most {@code maxBatchSize} rows per session call; a batch that is
 * not full runs once its oldest request has waited {@code batchTimeoutMicros} (0: as soon as a
 * batch thread is free, taking whatever has queued meanwhile); {@code numBatchThreads} batches run
 * at once.
 */
public record BatchingOptions(int maxBatchSize, long batchTimeoutMicros, int numBatchThreads) {
  public static final int DEFAULT_MAX_BATCH_SIZE = 1000;

  public BatchingOptions {
    if (maxBatchSize < 1 || batchTimeoutMicros < 0 || numBatchThreads < 1) {
      throw new IllegalArgumentException("need max batch size >= 1, batch timeout >= 0 and batch threads >= 1");
    }
  }
}
