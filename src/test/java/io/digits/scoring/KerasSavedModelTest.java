package io.digits.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.digits.testing.CliRunner;
import io.digits.testing.SyntheticDigits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Keras-trained SavedModels, without Python: the committed fixtures (scripts/make_test_fixtures.py)
 * score like Keras's own {@code model.predict} did, whatever their input names and shapes.
 */
class KerasSavedModelTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "keras3-export-simple, keras_tensor, '(-1, 28, 28, 1)'",
    "tfkeras-save-simple, input_1, '(-1, 28, 28, 1)'",
    "module-784, pixels, '(-1, 784)'"
  })
  void scoresLikeKerasDid(String fixture, String input, String shape) throws IOException {
    List<String> expected = Files.readAllLines(FIXTURES.resolve(fixture).resolve("expected.csv"));
    float[][] probabilities;
    try (Predictor p = Predictor.open(FIXTURES.resolve(fixture), Predictor.DEFAULT_INPUT_SCALE)) {
      probabilities = p.predict(SyntheticDigits.formula(16));
      assertTrue(p.description().contains("input '" + input + "'"), p.description());
    }
    assertEquals(17, expected.size());
    double worst = 0;
    for (int i = 0; i < 16; i++) {
      String[] cells = expected.get(i + 1).split(",");
      for (int k = 0; k < 10; k++) {
        worst = Math.max(worst, Math.abs(probabilities[i][k] - Double.parseDouble(cells[k + 1])));
      }
    }
    assertTrue(worst <= 1e-5, fixture + ": max abs difference from Keras " + worst);

    CliRunner.Run inspect = CliRunner.digits("inspect", "--model-dir", FIXTURES.resolve(fixture).toString());
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("inputs['" + input + "'] tensor_info:"), inspect.out());
    assertTrue(inspect.out().contains("shape: " + shape), inspect.out());
  }

  /** The TF 2.5-era Keras save in ../shared/fixtures: input (-1,28,28) named flatten_input. */
  @Test
  void wiresAnOlderKerasSaveWithTwoDimensionalInput() {
    Path old = Path.of("../shared/fixtures/keras-tf25-dense");
    assumeTrue(Files.isDirectory(old), "../shared/fixtures not beside the checkout");
    try (Predictor p = Predictor.open(old, Predictor.DEFAULT_INPUT_SCALE)) {
      assertTrue(p.description().contains("input 'flatten_input' [-1, 28, 28]"), p.description());
      assertTrue(p.description().contains("output 'dense_1'"), p.description());
      float[][] probabilities = p.predict(SyntheticDigits.labeled(20, 3));
      for (float[] row : probabilities) {
        double sum = 0;
        for (float v : row) {
          sum += v;
        }
        assertEquals(1.0, sum, 1e-5);
      }
    }
  }
}
