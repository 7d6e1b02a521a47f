package io.digits.scoring;

import io.digits.data.Dataset;
import io.digits.keras.KerasModel;
import io.digits.train.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
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
   * Rows per call into TensorFlow, whatever the caller's batch. Small enough that a call's
   * activations stay small (double-conv's first convolution alone writes 100 MB for 1,000 rows,
   * 10 MB for 100) and near the CPU's caches: measured side by side, 100 rows per call ran faster
   * than 1,000 and left every score bit for bit the same (PredictorPrecisionTest).
   */
  static final int CHUNK = 100;

  private final ScoringModel model;
  private final float inputScale;

  private Predictor(ScoringModel model, float inputScale) {
    this.model = model;
    this.inputScale = inputScale;
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

  /** Scores rows 0..n-1 in calls of at most {@link #CHUNK} rows; {@code pixels(from, to)} gives each call's input. */
  private float[][] inChunks(int n, BiFunction<Integer, Integer, FloatDataBuffer> pixels) {
    float[][] rows = new float[n][];
    for (int from = 0; from < n; from += CHUNK) {
      int to = Math.min(n, from + CHUNK);
      float[][] chunk = model.predict(pixels.apply(from, to), to - from);
      System.arraycopy(chunk, 0, rows, from, chunk.length);
    }
    return rows;
  }

  public String description() {
    return model.description();
  }

  @Override
  public void close() {
    model.close();
  }
}
