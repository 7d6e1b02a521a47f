package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.keras.KerasFixtures;
import io.digits.keras.KerasModel;
import io.digits.scoring.Predictor;
import io.digits.testing.CliRunner;
import io.digits.train.TrainingRun;
import io.digits.testing.SyntheticDigits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --model FILE.keras|FILE.h5}: a Keras user's own model trained and exported under its file name. */
class TrainKerasFileTest {

  private static CliRunner.Run train(Path dir, String file, String... more) {
    Path csv = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(300, 4));
    String[] args = {"train", "--model", KerasFixtures.path(file).toString(), "--data", csv.toString(),
        "--epochs", "1", "--output", dir.resolve("models").toString()};
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return CliRunner.digits(all);
  }

  @Test
  void aFunctionalFileTrainsFromItsWeightsAndExportsUnderItsName(@TempDir Path dir) throws IOException {
    CliRunner.Run r = train(dir, "tfkeras_tiny_residual.h5");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Training tfkeras_tiny_residual on 270 rows"), r.out());
    Path version = dir.resolve("models/tfkeras_tiny_residual/1");
    assertTrue(Files.isRegularFile(version.resolve("saved_model.pb")));
    TrainingRun run = TrainingRun.read(version.resolve("assets.extra/training.json"));
    assertTrue(run.initFrom().endsWith("tfkeras_tiny_residual.h5"), "started from the file's weights: " + run);
    // One epoch moved the file's weights: the export no longer scores as the file does.
    KerasModel file = KerasModel.load(KerasFixtures.path("tfkeras_tiny_residual.h5"));
    float[][] expected = KerasFixtures.readCsv(
        KerasFixtures.path("tfkeras_tiny_residual.h5").resolveSibling("tfkeras_tiny_residual.h5.expected.csv"));
    try (Predictor p = Predictor.open(version.getParent(), Predictor.DEFAULT_INPUT_SCALE)) {
      double diff = KerasFixtures.maxAbsDifference(expected, p.predict(SyntheticDigits.formula(16)));
      assertTrue(diff > 1e-4, "trained weights differ from the file's: " + diff);
    }
    assertTrue(file.classifier());
  }

  @Test
  void freshWeightsStartFromTheLayersInitializers(@TempDir Path dir) {
    CliRunner.Run r = train(dir, "keras3_tiny_augment.keras", "--fresh-weights");
    assertEquals(0, r.code(), r.err());
    Path version = dir.resolve("models/keras3_tiny_augment/1");
    assertEquals(null, TrainingRun.read(version.resolve("assets.extra/training.json")).initFrom(),
        "fresh weights: no start file recorded");
  }

  @Test
  void freshWeightsNeedAFile(@TempDir Path dir) {
    CliRunner.Run r = CliRunner.digits("train", "--model", "simple", "--fresh-weights", "--output", dir.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("--fresh-weights is for --model FILE.keras|FILE.h5"), r.err());
  }
}
