package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.testing.CliRunner;
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
    assertEquals("Adam", info.get("optimizer").asText());
    assertEquals(64, info.get("batch_size").asInt(), "bn-cnn's own batch size");
    assertEquals(0.9, info.get("learning_rate_decay_per_epoch").asDouble(), 1e-12);
    assertEquals(0, info.get("stop_at_accuracy").asDouble());
    assertEquals(326_954, info.get("parameters").asLong());

    CliRunner.Run s = CliRunner.digits("train", "--model", "simple", "--data", train.toString(), "--epochs", "1",
        "--output", models.toString());
    assertEquals(0, s.code(), s.err());
    JsonNode notebook = new ObjectMapper().readTree(models.resolve("simple/1/assets.extra/training.json").toFile());
    assertEquals("RMSprop", notebook.get("optimizer").asText());
    assertEquals(32, notebook.get("batch_size").asInt());
    assertEquals(1.0, notebook.get("learning_rate_decay_per_epoch").asDouble());
  }
}
