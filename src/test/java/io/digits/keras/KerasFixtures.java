package io.digits.keras;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The committed Keras files (scripts/make_keras_test_fixtures.py) and the probabilities Keras gave for them. */
public final class KerasFixtures {
  /** Every fixture: two models, each by Keras 3 (.keras, .h5) and tf-keras (.h5). */
  public static final List<String> FILES = List.of(
      "keras3_tiny_conv.keras", "keras3_tiny_conv.h5", "tfkeras_tiny_conv.h5",
      "keras3_tiny_batch_norm.keras", "keras3_tiny_batch_norm.h5", "tfkeras_tiny_batch_norm.h5");

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
