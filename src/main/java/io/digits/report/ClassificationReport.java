package io.digits.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-class precision, recall, F1 and support with macro and support-weighted averages, as
 * scikit-learn's {@code classification_report} computes them: over the classes that occur as a
 * label or a prediction, a ratio with a zero denominator being 0 (sklearn's {@code zero_division}
 * default, without its warning).
 */
public record ClassificationReport(List<Row> classes, Row macroAvg, Row weightedAvg, double accuracy, long support) {

  /** One line of the report; {@code name} is the class label or the average's name. */
  public record Row(String name, double precision, double recall, double f1, long support) {}

  private static final int DIGITS = 4;
  private static final int COLUMN = 9;

  public static ClassificationReport of(ConfusionMatrix m) {
    List<Row> rows = new ArrayList<>();
    for (int k = 0; k < m.classes(); k++) {
      if (m.support(k) == 0 && m.predictedAs(k) == 0) {
        continue; // as sklearn, which reports the labels found in y_true or y_pred
      }
      double precision = ratio(m.count(k, k), m.predictedAs(k));
      double recall = ratio(m.count(k, k), m.support(k));
      double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
      rows.add(new Row(Integer.toString(k), precision, recall, f1, m.support(k)));
    }
    long total = m.total();
    return new ClassificationReport(List.copyOf(rows), average("macro avg", rows, total, false),
        average("weighted avg", rows, total, true), m.accuracy(), total);
  }

  private static Row average(String name, List<Row> rows, long total, boolean bySupport) {
    double p = 0;
    double r = 0;
    double f = 0;
    double weights = 0;
    for (Row row : rows) {
      double w = bySupport ? row.support() : 1;
      p += w * row.precision();
      r += w * row.recall();
      f += w * row.f1();
      weights += w;
    }
    return weights == 0 ? new Row(name, 0, 0, 0, total) : new Row(name, p / weights, r / weights, f / weights, total);
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? 0 : (double) numerator / denominator;
  }

  /** The report in sklearn's layout ({@code digits=4}): right-aligned columns of width 9. */
  public String text() {
    int width = Math.max("weighted avg".length(), classes.stream().mapToInt(r -> r.name().length()).max().orElse(0));
    StringBuilder b = new StringBuilder(" ".repeat(width + 1));
    for (String h : List.of("precision", "recall", "f1-score", "support")) {
      b.append(' ').append(ConfusionMatrix.pad(h, COLUMN));
    }
    b.append("\n\n");
    classes.forEach(r -> row(b, width, r));
    b.append('\n');
    b.append(ConfusionMatrix.pad("accuracy", width)).append(' ')
        .append(' ').append(" ".repeat(COLUMN))
        .append(' ').append(" ".repeat(COLUMN))
        .append(' ').append(ConfusionMatrix.pad(number(accuracy), COLUMN))
        .append(' ').append(ConfusionMatrix.pad(Long.toString(support), COLUMN)).append('\n');
    row(b, width, macroAvg);
    row(b, width, weightedAvg);
    return b.toString();
  }

  private static void row(StringBuilder b, int width, Row r) {
    b.append(ConfusionMatrix.pad(r.name(), width)).append(' ');
    for (double v : new double[] {r.precision(), r.recall(), r.f1()}) {
      b.append(' ').append(ConfusionMatrix.pad(number(v), COLUMN));
    }
    b.append(' ').append(ConfusionMatrix.pad(Long.toString(r.support()), COLUMN)).append('\n');
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%." + DIGITS + "f", v);
  }
}
