package io.digits.serving;

import io.digits.data.Dataset;
import io.digits.keras.KerasModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The one way to score images with a model given by path: a Keras {@code .keras}/{@code .h5} file
 * is built into a graph here ({@link SequentialScorer}); a folder is a SavedModel, ours or Keras's
 * ({@link SavedModelScorer}). Large inputs are scored in chunks, so memory stays bounded.
 */
public final class Predictor implements ScoringModel {
  public static final float DEFAULT_INPUT_SCALE = 255f;
  /** Rows per call into TensorFlow: a double-conv batch of 1,000 needs about 150 MB of activations. */
  static final int CHUNK = 1000;

  private final ScoringModel model;

  private Predictor(ScoringModel model) {
    this.model = model;
  }

  /**
   * Opens a model file or folder. {@code inputScale}: raw pixels are divided by it before they are
   * fed (255 for models trained on [0,1] images, 1 for models that take raw 0-255 values).
   */
  public static Predictor open(Path path, float inputScale) {
    if (Files.isRegularFile(path)) {
      KerasModel keras = KerasModel.load(path);
      return new Predictor(new SequentialScorer(keras.create(), keras.weights(), inputScale,
          path + ": " + keras.description()));
    }
    return new Predictor(SavedModelScorer.open(path, inputScale));
  }

  @Override
  public float[][] predict(Dataset images) {
    if (images.size() <= CHUNK) {
      return model.predict(images);
    }
    float[][] rows = new float[images.size()][];
    for (int from = 0; from < images.size(); from += CHUNK) {
      int to = Math.min(images.size(), from + CHUNK);
      float[][] chunk = model.predict(images.subset(IntStream.range(from, to).toArray()));
      System.arraycopy(chunk, 0, rows, from, chunk.length);
    }
    return rows;
  }

  @Override
  public String description() {
    return model.description();
  }

  @Override
  public void close() {
    model.close();
  }

  public static int argMax(float[] row) {
    int best = 0;
    for (int k = 1; k < row.length; k++) {
      if (row[k] > row[best]) {
        best = k;
      }
    }
    return best;
  }

  /** Raw pixels divided by {@code scale}, row-major: a table of the 256 quotients, looked up per pixel. */
  static float[] scaled(Dataset images, float scale) {
    float[] quotient = new float[256];
    for (int x = 0; x < 256; x++) {
      quotient[x] = x / scale;
    }
    byte[] pixels = images.pixels();
    float[] scaled = new float[pixels.length];
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] = quotient[pixels[i] & 0xff];
    }
    return scaled;
  }

  /** A float32 [n, classes] tensor as one array per row. */
  static float[][] rows(TFloat32 scores) {
    int n = (int) scores.shape().size(0);
    int classes = (int) scores.shape().size(1);
    float[] flat = new float[n * classes];
    scores.copyTo(DataBuffers.of(flat, false, false));
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
    }
    return rows;
  }
}
