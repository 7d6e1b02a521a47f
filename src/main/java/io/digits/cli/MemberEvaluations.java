package io.digits.cli;

import io.digits.data.Dataset;
import io.digits.export.EnsembleExporter;
import io.digits.export.SavedModelExporter;
import io.digits.report.Evaluation;
import io.digits.scoring.ModelLoader;
import io.digits.scoring.Scores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.types.TFloat32;

/**
 * Each member of an ensemble export scored on its own, through its signature {@code member_i}
 * ({@link EnsembleExporter}): what {@code evaluate} reports beside the ensemble.
 */
final class MemberEvaluations {
  private static final int CHUNK = 1000;

  private MemberEvaluations() {}

  /** Signature key to evaluation, in member order; empty for a model that is not an ensemble export. */
  static Map<String, Evaluation> of(Path dir, Dataset rows) {
    Map<String, Evaluation> out = new LinkedHashMap<>();
    if (Files.isRegularFile(dir)) {
      return out;
    }
    try (SavedModelBundle bundle = ModelLoader.open(dir)) {
      List<String> keys = new ArrayList<>(bundle.signatures().stream().map(Signature::key)
          .filter(k -> k.matches(EnsembleExporter.MEMBER_PREFIX + "\\d+")).toList());
      keys.sort(Comparator.comparingInt(k -> Integer.parseInt(k.substring(EnsembleExporter.MEMBER_PREFIX.length()))));
      for (String key : keys) {
        out.put(key, Evaluation.of(rows.labels(), predict(bundle.function(key), rows)));
      }
    }
    return out;
  }

  private static float[][] predict(SessionFunction member, Dataset rows) {
    float[][] probabilities = new float[rows.size()][];
    for (int from = 0; from < rows.size(); from += CHUNK) {
      int to = Math.min(rows.size(), from + CHUNK);
      try (TFloat32 images = rows.images(from, to);
          Result r = member.call(Map.of(SavedModelExporter.INPUT, images))) {
        float[][] chunk = Scores.rows((TFloat32) r.get(SavedModelExporter.PROBABILITIES).orElseThrow());
        System.arraycopy(chunk, 0, probabilities, from, chunk.length);
      }
    }
    return probabilities;
  }
}
