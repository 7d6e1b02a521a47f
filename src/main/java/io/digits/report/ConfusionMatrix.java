package io.digits.report;

import java.util.Arrays;

/**
 * Counts of (true label, predicted label) pairs, laid out as scikit-learn's
 * {@code confusion_matrix(y_true, y_pred)}: row = true label, column = predicted label.
 */
public final class ConfusionMatrix {
  private final long[][] counts;

  private ConfusionMatrix(long[][] counts) {
    this.counts = counts;
  }

  /** @param labels true labels, each in [0, classes); @param predicted predicted labels, same length and range */
  public static ConfusionMatrix of(int[] labels, int[] predicted, int classes) {
    if (labels.length != predicted.length) {
      throw new IllegalArgumentException(labels.length + " labels for " + predicted.length + " predictions");
    }
    long[][] counts = new long[classes][classes];
    for (int i = 0; i < labels.length; i++) {
      counts[labels[i]][predicted[i]]++;
    }
    return new ConfusionMatrix(counts);
  }

  public int classes() {
    return counts.length;
  }

  public long count(int trueLabel, int predictedLabel) {
    return counts[trueLabel][predictedLabel];
  }

  /** Rows whose true label is {@code label} (a row sum; sklearn's support). */
  public long support(int label) {
    return Arrays.stream(counts[label]).sum();
  }

  /** Rows predicted as {@code label} (a column sum). */
  public long predictedAs(int label) {
    long sum = 0;
    for (long[] row : counts) {
      sum += row[label];
    }
    return sum;
  }

  public long total() {
    return Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
  }

  public long correct() {
    long sum = 0;
    for (int k = 0; k < counts.length; k++) {
      sum += counts[k][k];
    }
    return sum;
  }

  public double accuracy() {
    long total = total();
    return total == 0 ? 0 : (double) correct() / total;
  }

  /** A copy of the counts, row = true label. */
  public long[][] counts() {
    return Arrays.stream(counts).map(long[]::clone).toArray(long[][]::new);
  }

  /** Right-aligned text table: one row per true label, one column per predicted label. */
  public String table() {
    String corner = "true\\pred";
    int width = Math.max(Long.toString(Arrays.stream(counts).flatMapToLong(Arrays::stream).max().orElse(0)).length(),
        Integer.toString(classes() - 1).length()) + 2;
    StringBuilder b = new StringBuilder(corner);
    for (int p = 0; p < classes(); p++) {
      b.append(pad(Integer.toString(p), width));
    }
    b.append('\n');
    for (int t = 0; t < classes(); t++) {
      b.append(pad(Integer.toString(t), corner.length()));
      for (int p = 0; p < classes(); p++) {
        b.append(pad(Long.toString(counts[t][p]), width));
      }
      b.append('\n');
    }
    return b.toString();
  }

  static String pad(String s, int width) {
    return " ".repeat(Math.max(0, width - s.length())) + s;
  }
}
