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
    assertTrue(h.out().contains("bn-cnn: 6)"), "epochs default of bn-cnn: " + h.out());
    assertTrue(h.out().replaceAll("\\s+", " ").contains(TrainConfig.BN_CNN_RECIPE), "the recipe: " + h.out());
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

    CliRunner.Run e = CliRunner.digits("train", "--model", "bn-cnn", "--data", train.toString(), "--epochs", "1",
        "--schedule", "exponential", "--learning-rate-decay", "0.9", "--learning-rate", "0.001", "--output",
        models.toString());
    assertEquals(0, e.code(), e.err());
    assertEquals(TrainConfig.defaults(Architecture.BN_CNN).withEpochs(1).withLearningRate(0.001f)
            .withExponentialDecay(0.9),
        TrainingRun.read(models.resolve("bn-cnn/2/assets.extra/training.json")).config(), "the old recipe, on request");

    CliRunner.Run s = CliRunner.digits("train", "--model", "simple", "--data", train.toString(), "--epochs", "1",
        "--output", models.toString());
    assertEquals(0, s.code(), s.err());
    TrainingRun notebook = TrainingRun.read(models.resolve("simple/1/assets.extra/training.json"));
    assertEquals(TrainConfig.notebook().withEpochs(1), notebook.config(), "the notebook's settings");

    CliRunner.Run c = CliRunner.digits("train", "--model", "simple", "--data", train.toString(), "--epochs", "2",
        "--schedule", "cosine", "--warmup-epochs", "0.5", "--schedule-alpha", "0.1", "--label-smoothing", "0.1",
        "--output", models.toString());
    assertEquals(0, c.code(), c.err());
    assertEquals(TrainConfig.notebook().withEpochs(2).withCosine(0.5, 0, 0.1).withLabelSmoothing(0.1),
        TrainingRun.read(models.resolve("simple/2/assets.extra/training.json")).config(), "a cosine run's record");
  }

  @Test
  void refusesTheOtherSchedulesOptionsAndACosineWithNoStepToDecay() {
    CliRunner.Run a = CliRunner.digits("train", "--model", "simple", "--warmup-epochs", "1");
    assertEquals(1, a.code());
    assertTrue(a.err().contains("are for --schedule cosine"), a.err());
    CliRunner.Run b = CliRunner.digits("train", "--model", "bn-cnn", "--learning-rate-decay", "0.9");
    assertEquals(1, b.code());
    assertTrue(b.err().contains("--learning-rate-decay is for --schedule exponential"), b.err());
    CliRunner.Run c = CliRunner.digits("train", "--model", "simple", "--schedule", "cosine", "--epochs", "1",
        "--warmup-epochs", "1");
    assertEquals(1, c.code());
    assertTrue(c.err().contains("leaves no epoch for the decay"), c.err());
    CliRunner.Run d = CliRunner.digits("train", "--model", "simple", "--schedule", "linear");
    assertEquals(2, d.code(), "bad usage");
    assertTrue(d.err().contains("expected exponential or cosine"), d.err());
  }
}
