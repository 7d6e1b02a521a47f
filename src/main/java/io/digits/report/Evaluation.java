package io.digits.report;

import io.digits.scoring.Scores;
import io.digits.DigitsException;
import java.util.Locale;

/**
 * What Keras's {@code model.evaluate} and scikit-learn's {@code classification_report} and
 * {@code confusion_matrix} tell about a model's class probabilities on labeled rows.
 */
public record Evaluation(double loss, ConfusionMatrix confusion, ClassificationReport report) {
  /** Keras's {@code backend.epsilon()}: probabilities are clipped to [eps, 1-eps] before the log. */
  static final double EPSILON = 1e-7;

  /** @param probabilities one row of class probabilities per label; labels must lie within its width */
  public static Evaluation of(int[] labels, float[][] probabilities) {
    if (labels.length != probabilities.length || labels.length == 0) {
      throw new IllegalArgumentException(labels.length + " labels for " + probabilities.length + " predictions");
    }
    int classes = probabilities[0].length;
    int[] predicted = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new DigitsException("row " + (i + 1) + " has label " + labels[i] + ", but the model scores only "
            + classes + " classes");
      }
      predicted[i] = Scores.argMax(probabilities[i]);
    }
    ConfusionMatrix confusion = ConfusionMatrix.of(labels, predicted, classes);
    return new Evaluation(crossEntropy(labels, probabilities), confusion, ClassificationReport.of(confusion));
  }

  /**
   * Mean categorical cross-entropy as Keras computes it from probabilities: each row divided by its
   * sum, clipped to [1e-7, 1-1e-7], then -log of the true class's value.
   */
  static double crossEntropy(int[] labels, float[][] probabilities) {
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      double rowSum = 0;
      for (float p : probabilities[i]) {
        rowSum += p;
      }
      double p = Math.min(Math.max(probabilities[i][labels[i]] / rowSum, EPSILON), 1 - EPSILON);
      sum -= Math.log(p);
    }
    return sum / labels.length;
  }

  public double accuracy() {
    return confusion.accuracy();
  }

  /** Keras's summary line, the classification report and the confusion matrix. */
  public String text() {
    return String.format(Locale.ROOT, "loss: %.4f - accuracy: %.4f%n%n", loss, accuracy())
        + report.text()
        + "\nConfusion matrix (rows: true label, columns: predicted label):\n"
        + confusion.table();
  }
}
