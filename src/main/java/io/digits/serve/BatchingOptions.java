package io.digits.serve;

/**
 * TF Serving's batching knobs (BatchingParameters in session_bundle_config.proto, with the defaults
 * of its BasicBatchScheduler): at most {@code maxBatchSize} rows per session call; a batch that is
 * not full runs once its oldest request has waited {@code batchTimeoutMicros} (0: as soon as a
 * batch thread is free, taking whatever has queued meanwhile); {@code numBatchThreads} batches run
 * at once; at most {@code maxEnqueuedBatches} full batches' worth of rows wait, a request beyond
 * that is answered 503.
 */
public record BatchingOptions(int maxBatchSize, long batchTimeoutMicros, int numBatchThreads, int maxEnqueuedBatches) {
  public static final int DEFAULT_MAX_BATCH_SIZE = 1000;
  public static final int DEFAULT_MAX_ENQUEUED_BATCHES = 10;

  public BatchingOptions {
    if (maxBatchSize < 1 || batchTimeoutMicros < 0 || numBatchThreads < 1 || maxEnqueuedBatches < 1) {
      throw new IllegalArgumentException(
          "need max batch size >= 1, batch timeout >= 0, batch threads >= 1 and max enqueued batches >= 1");
    }
  }

  /** With TF Serving's default queue bound. */
  public BatchingOptions(int maxBatchSize, long batchTimeoutMicros, int numBatchThreads) {
    this(maxBatchSize, batchTimeoutMicros, numBatchThreads, DEFAULT_MAX_ENQUEUED_BATCHES);
  }

  /** The most rows that may wait for a batch thread. */
  long maxQueuedRows() {
    return (long) maxEnqueuedBatches * maxBatchSize;
  }
}
