package io.digits.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.scoring.Predictor;
import io.digits.testing.SyntheticDigits;
import io.digits.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs examples/: the Java-defined residual model trains, exports, and the export scores as the trained weights do. */
class ResidualExampleTest {

  @Test
  void theExampleTrainsAndExportsAModelThatScores(@TempDir Path dir) {
    Dataset data = SyntheticDigits.labeled(400, 1);
    Path version = dir.resolve("residual/1");
    Trainer.Outcome outcome = ResidualExample.trainAndExport(data, 2, version);
    assertEquals(2, outcome.history().epochs().size());
    assertTrue(outcome.history().last().loss() < outcome.history().epochs().get(0).loss(),
        "the loss did not fall: " + outcome.history().epochs());
    assertTrue(Files.isRegularFile(version.resolve("saved_model.pb")));
    try (Predictor p = Predictor.open(version.getParent(), Predictor.DEFAULT_INPUT_SCALE)) {
      float[][] probabilities = p.predict(data.head(8));
      for (float[] row : probabilities) {
        assertEquals(10, row.length);
        double sum = 0;
        for (float v : row) {
          sum += v;
        }
        assertEquals(1, sum, 1e-5);
      }
    }
  }
}
