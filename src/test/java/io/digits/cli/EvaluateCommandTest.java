package io.digits.cli;

import io.digits.testing.TinyModels;
import io.digits.testing.CliRunner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.data.Dataset;
import io.digits.data.Split;
import io.digits.report.Evaluation;
import io.digits.scoring.Predictor;
import io.digits.testing.SyntheticDigits;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  /** An untrained export without training.json, as a Keras-trained SavedModel comes. */
  static Path bareModel;
  static Dataset rows;
  static Path csv;

  @BeforeAll
  static void exportAModelAndWriteData() {
    bareModel = dir.resolve("bare/1");
    TinyModels.exportSimple(bareModel, 4);
    rows = SyntheticDigits.labeled(60, 11);
    csv = CliRunner.writeCsv(dir.resolve("labeled.csv"), rows);
  }

  @Test
  void jsonOnAWholeFileAgreesWithTheModelsOwnPredictions() throws IOException {
    Path report = dir.resolve("report-json");
    CliRunner.Run run = CliRunner.digits("evaluate", "--model-dir", bareModel.getParent().toString(), "--data", csv.toString(),
        "--json", "--report-dir", report.toString());
    assertEquals(0, run.code(), run.err());

    JsonNode out = JSON.readTree(run.out());
    assertEquals(60, out.get("rows").asInt());
    Evaluation expected;
    try (Predictor p = Predictor.open(bareModel, Predictor.DEFAULT_INPUT_SCALE)) {
      expected = Evaluation.of(rows.labels(), p.predict(rows));
    }
    assertEquals(expected.loss(), out.get("loss").asDouble(), 1e-12);
    assertEquals(expected.accuracy(), out.get("accuracy").asDouble(), 1e-12);
    long[][] confusion = JSON.convertValue(out.get("confusion_matrix"), long[][].class);
    assertArrayEquals(expected.confusion().counts(), confusion);
    for (int k = 0; k < 10; k++) {
      final int label = k;
      long support = Arrays.stream(rows.labels()).filter(l -> l == label).count();
      assertEquals(support, Arrays.stream(confusion[k]).sum(), "row " + k + " sums to the class's rows");
    }
    JsonNode first = out.get("classes").get(0);
    assertEquals(List.of("name", "precision", "recall", "f1", "support"), fieldNames(first));
    assertEquals(60, out.get("weighted_avg").get("support").asInt());
    assertEquals(List.of(report.resolve("confusion_matrix.png").toString(), report.resolve("mistakes.png").toString()),
        JSON.convertValue(out.get("pictures"), List.class), "no curves.png: this model has no history");
    for (String png : List.of("confusion_matrix.png", "mistakes.png")) {
      BufferedImage image = ImageIO.read(report.resolve(png).toFile());
      assertTrue(image != null && image.getWidth() > 300 && image.getHeight() > 150, png);
    }
  }

  @Test
  void textShowsTheSummaryTheReportAndTheMatrix() {
    CliRunner.Run run = CliRunner.digits("evaluate", "--model-dir", bareModel.toString(), "--data", csv.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().matches("(?s).*\nloss: \\d+\\.\\d{4} - accuracy: \\d\\.\\d{4}\n.*"), run.out());
    assertTrue(run.out().contains("precision    recall  f1-score   support"), run.out());
    assertTrue(run.out().contains("weighted avg"), run.out());
    assertTrue(run.out().contains("true\\pred"), run.out());
    assertTrue(run.out().contains("(all 60 rows)"), run.out());
  }

  @Test
  void byDefaultItScoresTheValidationSplitThatTrainHeldOutAndAgreesWithTrain() throws IOException {
    Path models = dir.resolve("trained");
    CliRunner.Run train = CliRunner.digits("train", "--model", "simple", "--data", csv.toString(), "--epochs", "1",
        "--validation-split", "0.25", "--seed", "3", "--output", models.toString());
    assertEquals(0, train.code(), train.err());
    Path version = models.resolve("simple/1");
    BufferedImage curves = ImageIO.read(version.resolve("assets.extra/curves.png").toFile());
    assertTrue(curves != null && curves.getWidth() > curves.getHeight(), "train wrote the curves beside the model");

    Path report = dir.resolve("report-split");
    CliRunner.Run run = CliRunner.digits("evaluate", "--model-dir", models.resolve("simple").toString(), "--json",
        "--report-dir", report.toString());
    assertEquals(0, run.code(), run.err());
    JsonNode out = JSON.readTree(run.out());
    assertEquals(Split.of(rows, 0.25, 3).validation().size(), out.get("rows").asInt());
    assertEquals(15, out.get("rows").asInt());
    JsonNode history = JSON.readTree(version.resolve("assets.extra/history.json").toFile());
    assertEquals(history.get("val_accuracy").get(0).asDouble(), out.get("accuracy").asDouble(), 1e-9,
        "same rows as train's validation, so the same accuracy");
    assertEquals(history.get("val_loss").get(0).asDouble(), out.get("loss").asDouble(), 1e-4);
    assertTrue(Files.isRegularFile(report.resolve("curves.png")), "the history's curves go into the report too");
  }

  @Test
  void aModelWithoutTrainingJsonNeedsData() {
    Path report = dir.resolve("report-none");
    CliRunner.Run run = CliRunner.digits("evaluate", "--model-dir", bareModel.toString(), "--report-dir", report.toString());
    assertEquals(1, run.code());
    assertTrue(run.err().contains("training.json") && run.err().contains("pass --data"), run.err());
    assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
    assertFalse(Files.exists(report), "nothing written");
  }

  @Test
  void anUnlabeledFileIsAnError() {
    Path unlabeled = CliRunner.writeCsv(dir.resolve("unlabeled.csv"), SyntheticDigits.formula(3));
    CliRunner.Run run = CliRunner.digits("evaluate", "--model-dir", bareModel.toString(), "--data", unlabeled.toString());
    assertEquals(1, run.code());
    assertTrue(run.err().contains(unlabeled + ":1: no label column"), run.err());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
