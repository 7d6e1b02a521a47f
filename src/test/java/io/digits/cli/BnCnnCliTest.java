package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.model.Architecture;
import io.digits.testing.CliRunner;
import io.digits.train.TrainConfig;
import io.digits.train.TrainingRun;
import io.digits.testing.SyntheticDigits;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --model bn-cnn}: its own defaults where no option is given, the options where one is. */
class BnCnnCliTest {

  @Test
  void helpNamesTheModelAndItsDefaults() {
    CliRunner.Run h = CliRunner.digits("train", "--help");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("bn-cnn"), h.out());
    assertTrue(h.out().contains("bn-cnn: 20"), "epochs default of bn-cnn: " + h.out());
  }

  @Test
  void wiresItsDefaultsIntoTheRunAndTrainingJson(@TempDir Path dir) throws IOException {
    Path train = dir.resolve("train.csv");
    CliRunner.writeCsv(train, SyntheticDigits.labeled(200, 3));
    Path models = dir.resolve("models");
    CliRunner.Run t = CliRunner.digits("train", "--model", "bn-cnn", "--data", train.toString(), "--epochs", "1",
        "--output", models.toString());
    assertEquals(0, t.code(), t.err());
    assertTrue(t.out().contains("Epoch 1/1"), t.out());
    JsonNode info = new ObjectMapper().readTree(models.resolve("bn-cnn/1/assets.extra/training.json").toFile());
    TrainingRun run = TrainingRun.read(models.resolve("bn-cnn/1/assets.extra/training.json"));
    assertEquals(TrainConfig.defaults(Architecture.BN_CNN).withEpochs(1), run.config(), "bn-cnn's own defaults");
    assertEquals("Adam", info.get("config").get("optimizer").asText(), "written under Keras's name");
    assertEquals("bn-cnn", run.model());
    assertEquals(train.toString(), run.data());

    CliRunner.Run s = CliRunner.digits("train", "--model", "simple", "--data", train.toString(), "--epochs", "1",
        "--output", models.toString());
    assertEquals(0, s.code(), s.err());
    TrainingRun notebook = TrainingRun.read(models.resolve("simple/1/assets.extra/training.json"));
    assertEquals(TrainConfig.notebook().withEpochs(1), notebook.config(), "the notebook's settings");
  }
}
