package io.digits.cli;

import io.digits.scoring.Scores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.keras.KerasFixtures;
import io.digits.scoring.Predictor;
import io.digits.testing.CliRunner;
import io.digits.testing.SyntheticDigits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert}, {@code predict}, {@code inspect} and {@code train --init-from} with Keras files. */
class KerasCliTest {
  private static final String BATCH_NORM = "tfkeras_tiny_batch_norm.h5";

  /** Runs the command line, checks its exit code; returns what it printed on stdout and stderr. */
  private static String run(int expectedExit, String... args) {
    CliRunner.Run r = CliRunner.digits(args);
    assertEquals(expectedExit, r.code(), String.join(" ", args) + ": " + r.err());
    return r.out() + r.err();
  }

  @Test
  void convertWritesAServingModelWithKerasProbabilities(@TempDir Path dir) throws IOException {
    Path file = KerasFixtures.path(BATCH_NORM);
    Path version = dir.resolve("keras-bn/1");
    run(0, "convert", file.toString(), "--output", version.toString());
    assertTrue(Files.isRegularFile(version.resolve("assets.extra/keras_source.json")));
    float[][] expected = KerasFixtures.readCsv(file.resolveSibling(BATCH_NORM + ".expected.csv"));
    try (Predictor p = Predictor.open(dir.resolve("keras-bn"), Predictor.DEFAULT_INPUT_SCALE)) {
      assertTrue(p.description().contains("input 'image'"), "our signature: " + p.description());
      double diff = KerasFixtures.maxAbsDifference(expected, p.predict(SyntheticDigits.formula(16)));
      assertTrue(diff <= 1e-5, "max abs difference " + diff);
    }
  }

  @Test
  void convertWantsAnIntegerVersionFolder(@TempDir Path dir) {
    String printed = run(1, "convert", KerasFixtures.path(BATCH_NORM).toString(), "--output", dir.resolve("keras-bn").toString());
    assertTrue(printed.contains("--output must end in an integer version folder"), printed);
    assertFalse(Files.exists(dir.resolve("keras-bn")));
  }

  @Test
  void predictScoresACsvWithAKerasFile(@TempDir Path dir) throws IOException {
    Path csv = CliRunner.writeCsv(dir.resolve("test.csv"), SyntheticDigits.formula(16));
    Path file = KerasFixtures.path("keras3_tiny_conv.keras");
    Path submission = dir.resolve("submission.csv");
    run(0, "predict", "--model-dir", file.toString(), "--input", csv.toString(), "--output", submission.toString());
    float[][] expected = KerasFixtures.readCsv(file.resolveSibling("keras3_tiny_conv.keras.expected.csv"));
    List<String> lines = Files.readAllLines(submission);
    assertEquals("ImageId,Label", lines.get(0));
    for (int i = 0; i < expected.length; i++) {
      assertEquals((i + 1) + "," + Scores.argMax(expected[i]), lines.get(i + 1));
    }
  }

  @Test
  void evaluateScoresALabeledCsvWithAKerasFile(@TempDir Path dir) throws IOException {
    Path file = KerasFixtures.path("keras3_tiny_conv.keras");
    float[][] expected = KerasFixtures.readCsv(file.resolveSibling("keras3_tiny_conv.keras.expected.csv"));
    int[] labels = new int[expected.length];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 2 == 0 ? Scores.argMax(expected[i]) : (Scores.argMax(expected[i]) + 1) % 10;
    }
    Path csv = CliRunner.writeCsv(dir.resolve("labeled.csv"), new Dataset(SyntheticDigits.formula(16).pixels(), labels));
    CliRunner.Run r = CliRunner.digits("evaluate", "--model-dir", file.toString(), "--data", csv.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    assertEquals(0.5, new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("accuracy").asDouble(),
        "every other label is the model's own class");
  }

  @Test
  void inspectListsTheLayersOfAKerasFile() {
    String out = run(0, "inspect", "--model-dir", KerasFixtures.path(BATCH_NORM).toString());
    assertTrue(out.contains("HDF5 (keras 2."), out);
    assertTrue(out.contains("(BatchNormalization)  BatchNormalization(momentum 0.9, epsilon 0.01)"), out);
    assertTrue(out.contains("output [-1, 10] (softmax)"), out);
  }

  @Test
  void initFromAFileWithOtherLayersFailsBeforeTraining(@TempDir Path dir) {
    String printed = run(1, "train", "--model", "simple", "--data", dir.resolve("never-read.csv").toString(),
        "--init-from", KerasFixtures.path(BATCH_NORM).toString(), "--output", dir.toString());
    assertTrue(printed.contains("its layers do not match model 'simple': layer 1 is Reshape(28, 28, 1) in the file"),
        printed);
    assertFalse(Files.exists(dir.resolve("simple")));
  }

  /** {@code train --save-keras/--save-h5} and {@code convert --to}: every file scores as the SavedModel train exported. */
  @Test
  void trainAndConvertWriteKerasFilesThatScoreAsTheSavedModel(@TempDir Path dir) throws IOException {
    Path csv = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(64, 5));
    Path keras = dir.resolve("out/simple.keras");
    Path h5 = dir.resolve("out/simple.h5");
    String printed = run(0, "train", "--model", "simple", "--data", csv.toString(), "--epochs", "2", "--batch-size", "16",
        "--output", dir.resolve("models").toString(), "--save-keras", keras.toString(), "--save-h5", h5.toString());
    assertTrue(printed.contains("Saved " + keras + " (Keras 3, with the optimizer's state after 8 steps)"), printed);
    Path converted = dir.resolve("converted.keras");
    Path convertedH5 = dir.resolve("converted.h5");
    run(0, "convert", dir.resolve("models/simple").toString(), "--to", converted.toString());
    run(0, "convert", keras.toString(), "--to", convertedH5.toString());
    Dataset images = SyntheticDigits.formula(16);
    float[][] expected;
    try (Predictor p = Predictor.open(dir.resolve("models/simple/1"), Predictor.DEFAULT_INPUT_SCALE)) {
      expected = p.predict(images);
    }
    for (Path file : List.of(keras, h5, converted, convertedH5)) {
      try (Predictor p = Predictor.open(file, Predictor.DEFAULT_INPUT_SCALE)) {
        assertEquals(0.0, KerasFixtures.maxAbsDifference(expected, p.predict(images)), 1e-6, file.toString());
      }
    }
  }

  @Test
  void aKerasFileNameWithTheWrongEndingIsRefusedBeforeAnyWork(@TempDir Path dir) {
    String printed = run(2, "train", "--model", "simple", "--save-keras", dir.resolve("model.h5").toString());
    assertTrue(printed.contains("'" + dir.resolve("model.h5") + "' does not end in .keras"), printed);
    printed = run(1, "convert", KerasFixtures.path(BATCH_NORM).toString(), "--to", dir.resolve("model.zip").toString());
    assertTrue(printed.contains("model.zip: a Keras file name ends in .keras (Keras 3) or .h5"), printed);
    assertFalse(Files.exists(dir.resolve("model.zip")));
  }
}
