package io.digits.keras;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.scoring.Predictor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Parity with real Keras (make interop): the files scripts/make_keras_files.py trained and saved
 * in Keras 3 and tf-keras, scored here on the first 1,000 rows of train.csv, against the
 * probabilities Keras gave for each file. Runs only with {@code -Ddigits.keras.dir=DIR}
 * ({@code -Ddigits.data} defaults to data/train.csv); with the property set, a missing file fails.
 */
class KerasFileParityTest {
  static final List<String> FILES = List.of(
      "keras3_simple.keras", "keras3_simple.h5", "tfkeras_simple.h5",
      "keras3_double_conv.keras", "keras3_double_conv.h5", "tfkeras_double_conv.h5",
      "keras3_batch_norm.keras", "keras3_batch_norm.h5", "tfkeras_batch_norm.h5",
      "keras3_residual_cnn.keras", "keras3_residual_cnn.h5", "tfkeras_residual_cnn.h5",
      "keras3_separable_cnn.keras", "keras3_separable_cnn.h5", "tfkeras_separable_cnn.h5",
      "keras3_augmented_cnn.keras", "keras3_augmented_cnn.h5", "tfkeras_augmented_cnn.h5");
  static final int ROWS = 1000;
  static final double TOLERANCE = 1e-5;

  @Test
  void javaGraphGivesKerasProbabilitiesForEveryFile() {
    String dirProperty = System.getProperty("digits.keras.dir");
    Assumptions.assumeTrue(dirProperty != null && !dirProperty.isBlank(),
        "set -Ddigits.keras.dir=DIR (written by scripts/make_keras_files.py) to run");
    Path dir = Path.of(dirProperty);
    Path data = Path.of(System.getProperty("digits.data", "data/train.csv"));
    List<String> missing = FILES.stream()
        .flatMap(f -> List.of(f, f + ".probs.csv").stream())
        .filter(f -> !Files.isRegularFile(dir.resolve(f)))
        .toList();
    if (!missing.isEmpty()) {
      fail(dir + " lacks " + missing + "; run scripts/make_keras_files.py --out " + dir);
    }
    Dataset rows = DigitCsv.readLabeled(data).head(ROWS);
    StringBuilder report = new StringBuilder();
    double worst = 0;
    for (String name : FILES) {
      float[][] expected = KerasFixtures.readCsv(dir.resolve(name + ".probs.csv"));
      try (Predictor p = Predictor.open(dir.resolve(name), Predictor.DEFAULT_INPUT_SCALE)) {
        double diff = KerasFixtures.maxAbsDifference(expected, p.predict(rows));
        worst = Math.max(worst, diff);
        report.append(String.format(Locale.ROOT, "%-28s max abs difference %.2e%n", name, diff));
      }
    }
    System.out.print(report);
    assertTrue(worst <= TOLERANCE, "Java vs Keras probabilities on " + ROWS + " rows of " + data + ":\n" + report);
  }
}
