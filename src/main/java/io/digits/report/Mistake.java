package io.digits.report;

import io.digits.scoring.Scores;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** A wrongly predicted row (0-based index into the evaluated data) and how sure the model was of its wrong answer. */
public record Mistake(int row, int label, int predicted, float confidence) {

  /** The {@code n} wrong predictions made with the highest confidence, most confident first. */
  public static List<Mistake> worst(int[] labels, float[][] probabilities, int n) {
    List<Mistake> wrong = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      int predicted = Scores.argMax(probabilities[i]);
      if (predicted != labels[i]) {
        wrong.add(new Mistake(i, labels[i], predicted, probabilities[i][predicted]));
      }
    }
    wrong.sort(Comparator.comparingDouble(Mistake::confidence).reversed().thenComparingInt(Mistake::row));
    return List.copyOf(wrong.subList(0, Math.min(n, wrong.size())));
  }

  /** The caption under the digit in the mistakes picture, e.g. {@code true 7 / pred 1 (0.93)}. */
  public String title() {
    return String.format(Locale.ROOT, "true %d / pred %d (%.2f)", label, predicted, confidence);
  }
}
