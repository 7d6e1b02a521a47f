package io.digits.scoring;

import io.digits.data.Dataset;
import io.digits.keras.KerasModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;

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
}
