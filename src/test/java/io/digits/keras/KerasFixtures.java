package io.digits.keras;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The committed Keras files (scripts/make_keras_test_fixtures.py) and the probabilities Keras gave for them. */
public final class KerasFixtures {
  /** The fixture models: two chains and three Functional graphs (scripts/make_keras_test_fixtures.py says what each holds). */
  public static final List<String> MODELS =
      List.of("tiny_conv", "tiny_batch_norm", "tiny_residual", "tiny_branches", "tiny_augment");

  /** Every fixture: each model by Keras 3 (.keras, .h5) and tf-keras (.h5). */
  public static final List<String> FILES = MODELS.stream()
      .flatMap(m -> List.of("keras3_" + m + ".keras", "keras3_" + m + ".h5", "tfkeras_" + m + ".h5").stream())
      .toList();

  private KerasFixtures() {}

  public static Path path(String name) {
    try {
      return Path.of(KerasFixtures.class.getResource("/keras-files/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource keras-files/" + name, e);
    }
  }

  /** A probabilities CSV as Keras wrote it: one row per image. */
  public static float[][] readCsv(Path csv) {
    try {
      return Files.readAllLines(csv).stream()
          .filter(line -> !line.isBlank())
          .map(line -> {
            String[] cells = line.split(",");
            float[] row = new float[cells.length];
            for (int k = 0; k < cells.length; k++) {
              row[k] = Float.parseFloat(cells[k]);
            }
            return row;
          })
          .toArray(float[][]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The largest absolute difference between two equally shaped tables; fails on a shape mismatch. */
  public static double maxAbsDifference(float[][] expected, float[][] actual) {
    if (expected.length != actual.length) {
      throw new AssertionError(expected.length + " rows expected, got " + actual.length);
    }
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      if (expected[i].length != actual[i].length) {
        throw new AssertionError("row " + i + ": " + expected[i].length + " columns expected, got " + actual[i].length);
      }
      for (int k = 0; k < expected[i].length; k++) {
        max = Math.max(max, Math.abs(expected[i][k] - actual[i][k]));
      }
    }
    return max;
  }
}
