package io.digits.scoring;

import io.digits.data.Dataset;
import io.digits.keras.KerasModel;
import io.digits.train.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;

/**
 * The one way to score images with a model given by path: a Keras {@code .keras}/{@code .h5} file
 * is built into a graph here ({@link SequentialScorer}); a folder is a SavedModel, ours or Keras's
 * ({@link SavedModelScorer}). Large inputs are scored in chunks, so memory stays bounded.
 */
public final class Predictor implements AutoCloseable {
  public static final float DEFAULT_INPUT_SCALE = 255f;
  /**
   * Rows per call into TensorFlow, whatever the caller's batch. Small, so that a call's activations
   * stay small (double-conv's first convolution alone writes 100 MB for 1,000 rows, 10 MB for 100)
   * and predict's peak memory under 450 MiB. Which size runs fastest depends on the CPU (100 on an
   * Intel Xeon, 1,000 on an AMD EPYC, one call at a time); every size gives the same scores bit for
   * bit (PredictorPrecisionTest).
   */
  static final int CHUNK = 100;

  /**
   * Session calls in flight at once: one per CPU, each on one core ({@link SessionSettings}: a
   * call's ops run on its own thread, one thread per op). Two calls at once had measured, on a
   * 2-core AMD EPYC with TF's own thread pools, float32 1.05-1.3x and bfloat16 1.1-1.5x one call at
   * a time, predict's peak memory within 20 MiB of one call's (250 or 500 rows a call cost 50-160
   * MiB more); without the pools, on a 2-core Xeon, 6-25 % more again.
   */
  static final int CALLS_IN_FLIGHT = Math.max(2, Runtime.getRuntime().availableProcessors());

  private final ScoringModel model;
  private final float inputScale;
  private final ExecutorService calls;

  /** Package-private for tests that stand in a model of their own. */
  Predictor(ScoringModel model, float inputScale) {
    this.model = model;
    this.inputScale = inputScale;
    AtomicInteger count = new AtomicInteger();
    this.calls = Executors.newFixedThreadPool(CALLS_IN_FLIGHT, task -> {
      Thread t = new Thread(task, "digits-scoring-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** {@link #open(Path, float, Precision)} in float32, the model's own arithmetic. */
  public static Predictor open(Path path, float inputScale) {
    return open(path, inputScale, Precision.FLOAT32);
  }

  /**
   * Opens a model file or folder. {@code inputScale}: raw pixels are divided by it before they are
   * fed (255 for models trained on [0,1] images, 1 for models that take raw 0-255 values).
   * {@code precision}: {@code MIXED_BFLOAT16} has TF run the model's convolutions and matrix
   * products in bfloat16 (see {@link Precision}); inputs and outputs stay float32.
   */
  public static Predictor open(Path path, float inputScale, Precision precision) {
    if (Files.isRegularFile(path)) {
      KerasModel keras = KerasModel.load(path);
      return new Predictor(new SequentialScorer(keras.create(), keras.weights(), precision,
          path + ": " + keras.description()), inputScale);
    }
    return new Predictor(SavedModelScorer.open(path, precision), inputScale);
  }

  /** Class probabilities (or the model's scores), one row per image. */
  public float[][] predict(Dataset images) {
    return inChunks(images.size(), (from, to) ->
        DataBuffers.of(images.subset(IntStream.range(from, to).toArray()).scaled(inputScale), true, false));
  }

  /**
   * The same for images already divided by the input scale ({@code n*784} floats, row-major): for
   * callers that hold float pixels, e.g. the inference benchmark.
   */
  public float[][] predictScaled(float[] images) {
    if (images.length % Dataset.PIXELS != 0) {
      throw new IllegalArgumentException(images.length + " floats are not whole 28x28 images");
    }
    FloatDataBuffer all = DataBuffers.of(images, true, false);
    return inChunks(images.length / Dataset.PIXELS,
        (from, to) -> all.slice((long) from * Dataset.PIXELS, (long) (to - from) * Dataset.PIXELS));
  }

  /**
   * Scores rows 0..n-1 in calls of at most {@link #CHUNK} rows, {@link #CALLS_IN_FLIGHT} at a time;
   * {@code pixels(from, to)} gives each call's input, made only when that call starts.
   */
  private float[][] inChunks(int n, BiFunction<Integer, Integer, FloatDataBuffer> pixels) {
    float[][] rows = new float[n][];
    List<Future<?>> pending = new ArrayList<>();
    for (int from = 0; from < n; from += CHUNK) {
      int start = from;
      int to = Math.min(n, from + CHUNK);
      pending.add(calls.submit(() -> {
        float[][] chunk = model.predict(pixels.apply(start, to), to - start);
        System.arraycopy(chunk, 0, rows, start, chunk.length);
      }));
    }
    for (Future<?> call : pending) {
      awaitCall(call);
    }
    return rows;
  }

  /** Waits for one call; its failure is rethrown as it was thrown (a DigitsException stays one). */
  private static void awaitCall(Future<?> call) {
    try {
      call.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scoring", e);
    }
  }

  public String description() {
    return model.description();
  }

  @Override
  public void close() {
    // after a failed call the others may still be running: the session must outlive them
    calls.shutdownNow();
    try {
      calls.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    model.close();
  }
}
