package io.digits.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.DigitsException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A 3-class example worked out by hand (4 classes where one never occurs, as sklearn then leaves it out). */
class EvaluationTest {
  //                                 row: 0  1  2  3  4  5  6  7  8
  private static final int[] LABELS =    {0, 0, 0, 1, 1, 2, 2, 2, 2};
  private static final int[] PREDICTED = {0, 0, 1, 1, 1, 2, 2, 2, 0};
  // confusion (row = true): 0: [2 1 0 0], 1: [0 2 0 0], 2: [1 0 3 0], 3: [0 0 0 0]
  // column sums (predicted as): 3, 3, 3, 0

  private static final double EPS = 1e-12;

  @Test
  void confusionMatrixCountsTruePredictedPairs() {
    ConfusionMatrix m = ConfusionMatrix.of(LABELS, PREDICTED, 4);
    assertArrayEquals(new long[][] {{2, 1, 0, 0}, {0, 2, 0, 0}, {1, 0, 3, 0}, {0, 0, 0, 0}}, m.counts());
    assertEquals(9, m.total());
    assertEquals(7, m.correct());
    assertEquals(4, m.support(2));
    assertEquals(3, m.predictedAs(1));
    assertEquals(7.0 / 9, m.accuracy(), EPS);
  }

  @Test
  void classificationReportHasSklearnsPerClassFiguresAndAverages() {
    ClassificationReport r = ClassificationReport.of(ConfusionMatrix.of(LABELS, PREDICTED, 4));
    double f1Of1 = 2 * (2.0 / 3) * 1 / (2.0 / 3 + 1); // 0.8
    double f1Of2 = 2 * 1 * 0.75 / (1 + 0.75); // 6/7
    assertEquals(rows(List.of(
        new ClassificationReport.Row("0", 2.0 / 3, 2.0 / 3, 2.0 / 3, 3),
        new ClassificationReport.Row("1", 2.0 / 3, 1.0, f1Of1, 2),
        new ClassificationReport.Row("2", 1.0, 0.75, f1Of2, 4))), rows(r.classes()), "class 3 occurs nowhere: left out");
    assertRow(new ClassificationReport.Row("macro avg", (2.0 / 3 + 2.0 / 3 + 1) / 3, (2.0 / 3 + 1 + 0.75) / 3,
        (2.0 / 3 + f1Of1 + f1Of2) / 3, 9), r.macroAvg());
    assertRow(new ClassificationReport.Row("weighted avg", (3 * 2.0 / 3 + 2 * 2.0 / 3 + 4 * 1.0) / 9,
        (3 * 2.0 / 3 + 2 * 1.0 + 4 * 0.75) / 9, (3 * 2.0 / 3 + 2 * f1Of1 + 4 * f1Of2) / 9, 9), r.weightedAvg());
    assertEquals(7.0 / 9, r.accuracy(), EPS);
  }

  @Test
  void aClassNeverPredictedHasPrecisionZeroNotNaN() {
    ClassificationReport r = ClassificationReport.of(ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 0}, 2));
    assertRow(new ClassificationReport.Row("1", 0, 0, 0, 1), r.classes().get(1));
    assertRow(new ClassificationReport.Row("0", 0.5, 1, 2 * 0.5 / 1.5, 1), r.classes().get(0));
  }

  @Test
  void lossIsKerasCategoricalCrossEntropyWithClipping() {
    int[] labels = {0, 1, 2, 2};
    float[][] probabilities = {
      {0.5f, 0.25f, 0.25f},
      {0f, 1f, 0f}, // clipped to 1-1e-7
      {0.5f, 0.5f, 0f}, // clipped to 1e-7
      {1f, 1f, 2f}, // not normalised: Keras divides by the row sum first, 2/4
    };
    double expected = (-Math.log(0.5) - Math.log(1 - 1e-7) - Math.log(1e-7) - Math.log(0.5)) / 4;
    Evaluation e = Evaluation.of(labels, probabilities);
    assertEquals(expected, e.loss(), 1e-9);
    assertEquals(3.0 / 4, e.accuracy(), EPS, "row 2 predicts 0 (the first of a tie), the others are right");
  }

  @Test
  void aLabelOutsideTheModelsClassesIsAnError() {
    DigitsException e = assertThrows(DigitsException.class,
        () -> Evaluation.of(new int[] {0, 3}, new float[][] {{1, 0, 0}, {0, 1, 0}}));
    assertTrue(e.getMessage().contains("row 2 has label 3"), e.getMessage());
  }

  @Test
  void reportTextIsSklearnsLayoutWithAlignedColumns() {
    String text = ClassificationReport.of(ConfusionMatrix.of(LABELS, PREDICTED, 4)).text();
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    assertEquals(7, lines.size(), text); // header, 3 classes, accuracy, 2 averages
    assertEquals(1, lines.stream().mapToInt(String::length).distinct().count(), "every line ends at the same column:\n" + text);
    assertEquals(List.of("precision", "recall", "f1-score", "support"), words(lines.get(0)));
    assertEquals(List.of("1", "0.6667", "1.0000", "0.8000", "2"), words(lines.get(2)));
    assertEquals(List.of("accuracy", "0.7778", "9"), words(lines.get(4)));
    // The accuracy sits in the f1-score column: its last digit under the last letter of "f1-score".
    assertEquals(lines.get(0).indexOf("f1-score") + "f1-score".length(), lines.get(4).indexOf("0.7778") + 6);
    assertEquals(List.of("weighted", "avg", "0.8148", "0.7778", "0.7810", "9"), words(lines.get(6)));
  }

  @Test
  void confusionTableIsRightAlignedAndReadsBack() {
    ConfusionMatrix m = ConfusionMatrix.of(new int[] {0, 0, 1, 2}, new int[] {0, 1, 1, 0}, 3);
    List<String> lines = m.table().lines().toList();
    assertEquals(4, lines.size());
    assertEquals(1, lines.stream().mapToInt(String::length).distinct().count(), m.table());
    assertEquals(List.of("true\\pred", "0", "1", "2"), words(lines.get(0)));
    long[][] read = lines.subList(1, 4).stream()
        .map(l -> words(l).stream().skip(1).mapToLong(Long::parseLong).toArray()).toArray(long[][]::new);
    assertArrayEquals(m.counts(), read);
  }

  @Test
  void worstMistakesAreTheMostConfidentWrongPredictions() {
    int[] labels = {0, 1, 2, 0};
    float[][] probabilities = {{0.9f, 0.1f, 0}, {0.7f, 0.3f, 0}, {0, 0.95f, 0.05f}, {0.2f, 0.8f, 0}};
    List<Mistake> worst = Mistake.worst(labels, probabilities, 2);
    assertEquals(List.of(new Mistake(2, 2, 1, 0.95f), new Mistake(3, 0, 1, 0.8f)), worst);
    assertEquals("true 2 / pred 1 (0.95)", worst.get(0).title());
    assertEquals(3, Mistake.worst(labels, probabilities, 10).size(), "only 3 rows are wrong");
  }

  private static List<String> words(String line) {
    return Arrays.asList(line.trim().split("\\s+"));
  }

  /** Rows rounded to 12 decimals, so that records compare despite floating-point order of operations. */
  private static List<ClassificationReport.Row> rows(List<ClassificationReport.Row> rows) {
    return rows.stream().map(EvaluationTest::round).toList();
  }

  private static void assertRow(ClassificationReport.Row expected, ClassificationReport.Row actual) {
    assertEquals(round(expected), round(actual));
  }

  private static ClassificationReport.Row round(ClassificationReport.Row r) {
    return new ClassificationReport.Row(r.name(), Math.round(r.precision() * 1e12) / 1e12,
        Math.round(r.recall() * 1e12) / 1e12, Math.round(r.f1() * 1e12) / 1e12, r.support());
  }
}
