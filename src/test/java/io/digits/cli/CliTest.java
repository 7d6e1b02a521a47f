package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.scoring.Predictor;
import io.digits.testing.CliRunner;
import io.digits.testing.SyntheticDigits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on generated data: exit codes, outputs, one-line errors. */
class CliTest {


  @Test
  void versionAndHelp() {
    CliRunner.Run v = CliRunner.digits("--version");
    assertEquals(0, v.code());
    assertTrue(v.out().contains("TensorFlow 2.18"), v.out());
    CliRunner.Run h = CliRunner.digits("predict", "--help");
    assertEquals(0, h.code());
    assertTrue(h.out().contains("--model-dir"), h.out());
  }

  @Test
  void gpuWithoutAVisibleGpuIsAClearError(@TempDir Path dir) throws IOException {
    Path train = dir.resolve("train.csv");
    CliRunner.writeCsv(train, SyntheticDigits.labeled(50, 3));
    CliRunner.Run r = CliRunner.digits("train", "--device", "gpu", "--data", train.toString(), "--output", dir.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("digits: --device gpu: no GPU is visible"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void mixedBfloat16TrainsAndExportsAFloat32Model(@TempDir Path dir) throws IOException {
    Path train = dir.resolve("train.csv");
    CliRunner.writeCsv(train, SyntheticDigits.labeled(640, 3));
    CliRunner.Run r = CliRunner.digits("train", "--model", "double-conv", "--precision", "mixed_bfloat16", "--epochs", "2",
        "--data", train.toString(), "--output", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Epoch 2/2"), r.out());
    String history = Files.readString(dir.resolve("double-conv/1/assets.extra/history.json"));
    double lastValAccuracy = new com.fasterxml.jackson.databind.ObjectMapper().readTree(history)
        .get("val_accuracy").get(1).asDouble();
    assertTrue(lastValAccuracy > 0.9, "learns the synthetic digits in bfloat16: " + history);
    CliRunner.Run inspect = CliRunner.digits("inspect", "--model-dir", dir.resolve("double-conv/1").toString());
    assertTrue(inspect.out().contains("dtype: DT_FLOAT"), inspect.out());
    assertTrue(Files.readString(dir.resolve("double-conv/1/assets.extra/training.json")).contains("mixed-bfloat16"));
  }

  @Test
  void exportPrecisionWritesTheSameWeightsComputingInBfloat16(@TempDir Path dir) throws IOException {
    Path train = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(200, 3));
    for (String precision : List.of("float32", "mixed-bfloat16")) {
      CliRunner.Run r = CliRunner.digits("train", "--model", "simple", "--epochs", "1", "--data", train.toString(),
          "--export-precision", precision, "--output", dir.resolve(precision).toString());
      assertEquals(0, r.code(), r.err());
    }
    String graph = Files.readString(dir.resolve("mixed-bfloat16/simple/1/saved_model.pb"), StandardCharsets.ISO_8859_1);
    assertTrue(graph.contains("to_bfloat16"), "the bfloat16 export casts into bfloat16");
    Dataset images = SyntheticDigits.labeled(20, 5);
    try (Predictor f32 = Predictor.open(dir.resolve("float32/simple"), Predictor.DEFAULT_INPUT_SCALE);
        Predictor bf16 = Predictor.open(dir.resolve("mixed-bfloat16/simple"), Predictor.DEFAULT_INPUT_SCALE)) {
      float[][] a = f32.predict(images);
      float[][] b = bf16.predict(images);
      double largest = 0;
      for (int i = 0; i < a.length; i++) {
        for (int k = 0; k < 10; k++) {
          largest = Math.max(largest, Math.abs(a[i][k] - b[i][k]));
        }
      }
      // the tolerance of Bfloat16ExportTest: bfloat16's 8 significant bits over two layers
      assertTrue(largest > 0 && largest <= 0.01, "largest probability difference " + largest);
    }
    CliRunner.Run keras = CliRunner.digits("convert", dir.resolve("float32/simple/1").toString(), "--to",
        dir.resolve("m.keras").toString(), "--export-precision", "mixed-bfloat16");
    assertEquals(1, keras.code(), keras.out());
    assertTrue(keras.err().contains("--export-precision is for a SavedModel"), keras.err());
  }

  @Test
  void badUsageExitsTwo() {
    assertEquals(2, CliRunner.digits("train", "--precision", "float8").code());
    assertEquals(2, CliRunner.digits("train", "--device", "tpu").code());
    assertEquals(2, CliRunner.digits("train", "--no-such-option").code());
    assertEquals(2, CliRunner.digits("predict").code(), "--model-dir is required");
    assertEquals(2, CliRunner.digits("no-such-command").code());
  }

  @Test
  void wiresTrainPredictInspectOnGeneratedData(@TempDir Path dir) throws IOException {
    Path train = dir.resolve("train.csv");
    CliRunner.writeCsv(train, SyntheticDigits.labeled(400, 3));
    Path test = dir.resolve("test.csv");
    Dataset unlabeled = SyntheticDigits.labeled(120, 4);
    CliRunner.writeCsv(test, new Dataset(unlabeled.pixels(), null));
    Path models = dir.resolve("models");

    CliRunner.Run t = CliRunner.digits("train", "--model", "simple", "--data", train.toString(), "--epochs", "2",
        "--output", models.toString());
    assertEquals(0, t.code(), t.err());
    assertTrue(t.out().contains("Epoch 2/2"), t.out());
    assertTrue(Files.isRegularFile(models.resolve("simple/1/saved_model.pb")));
    assertTrue(Files.isRegularFile(models.resolve("simple/1/assets.extra/history.json")));

    // the next run takes the next free version
    assertEquals(0, CliRunner.digits("train", "--model", "simple", "--data", train.toString(), "--epochs", "1",
        "--output", models.toString()).code());
    assertTrue(Files.isDirectory(models.resolve("simple/2")));
    CliRunner.Run clash = CliRunner.digits("train", "--model", "simple", "--data", train.toString(), "--epochs", "1",
        "--output", models.toString(), "--model-version", "1");
    assertEquals(1, clash.code());
    assertTrue(clash.err().contains("--overwrite"), clash.err());

    Path submission = dir.resolve("submission.csv");
    CliRunner.Run p = CliRunner.digits("predict", "--model-dir", models.resolve("simple").toString(), "--input", test.toString(),
        "--output", submission.toString(), "--batch-size", "50");
    assertEquals(0, p.code(), p.err());
    List<String> lines = Files.readAllLines(submission);
    assertEquals("ImageId,Label", lines.get(0));
    assertEquals(121, lines.size());
    assertTrue(lines.get(1).matches("1,[0-9]"));
    assertTrue(lines.get(120).startsWith("120,"));
    long right = 0;
    for (int i = 0; i < 120; i++) {
      right += lines.get(i + 1).endsWith("," + unlabeled.labels()[i]) ? 1 : 0;
    }
    assertTrue(right > 100, "the trained model scores the generated digits: " + right + "/120");

    CliRunner.Run inspect = CliRunner.digits("inspect", "--model-dir", models.resolve("simple/1").toString());
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("MetaGraphDef with tag-set: 'serve'"), inspect.out());
    assertTrue(inspect.out().contains("inputs['image'] tensor_info:"), inspect.out());
    assertTrue(inspect.out().contains("shape: (-1, 28, 28, 1)"), inspect.out());
    assertTrue(inspect.out().contains("outputs['class'] tensor_info:"), inspect.out());
    assertTrue(inspect.out().contains("Method name is: tensorflow/serving/predict"), inspect.out());
  }

  @Test
  void trainingWithoutValidationRecordsNoValidationFigures(@TempDir Path dir) throws IOException {
    Path train = dir.resolve("train.csv");
    CliRunner.writeCsv(train, SyntheticDigits.labeled(200, 3));
    CliRunner.Run t = CliRunner.digits("train", "--model", "simple", "--data", train.toString(), "--epochs", "1",
        "--validation-split", "0", "--output", dir.toString());
    assertEquals(0, t.code(), t.err());
    assertFalse(t.out().contains("val_"), t.out());
    String history = Files.readString(dir.resolve("simple/1/assets.extra/history.json"));
    assertTrue(history.contains("\"accuracy\"") && !history.contains("val_"), history);
  }

  @Test
  void predictRefusesALabeledFileUnlessToldToIgnoreLabels(@TempDir Path dir) throws IOException {
    Path model = dir.resolve("simple/1");
    io.digits.testing.TinyModels.exportSimple(model, 1);
    Path train = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(30, 3));
    Path submission = dir.resolve("submission.csv");
    CliRunner.Run refused = CliRunner.digits("predict", "--model-dir", model.toString(), "--input", train.toString(),
        "--output", submission.toString());
    assertEquals(1, refused.code());
    assertEquals("digits: " + train + ":1: has a label column, this looks like train.csv; predict scores files like"
        + " test.csv (use evaluate for labeled data, or --ignore-labels)", refused.err().strip());
    assertFalse(Files.exists(submission));
    CliRunner.Run scored = CliRunner.digits("predict", "--model-dir", model.toString(), "--input", train.toString(),
        "--output", submission.toString(), "--ignore-labels");
    assertEquals(0, scored.code(), scored.err());
    assertEquals(31, Files.readAllLines(submission).size());
  }

  @Test
  void badInputIsOneLineExitOneAndNoOutput(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "label,pixel0\n3,4\n");
    CliRunner.Run t = CliRunner.digits("train", "--data", bad.toString(), "--output", dir.resolve("m").toString());
    assertEquals(1, t.code());
    assertEquals(1, t.err().strip().lines().count(), t.err());
    assertTrue(t.err().contains(bad.toString()), t.err());
    assertFalse(Files.exists(dir.resolve("m")));

    CliRunner.Run unknown = CliRunner.digits("train", "--model", "resnet", "--data", bad.toString());
    assertEquals(1, unknown.code());
    assertTrue(unknown.err().contains("unknown model 'resnet'"), unknown.err());
  }
}
