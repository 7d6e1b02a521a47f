package io.digits.export;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.tensorflow.Graph;

/** What a serving graph must not hold, found by op type. */
final class ServingGraphs {
  /**
   * Every TF op that draws random numbers: RandomUniform, StatelessRandomUniformV2 (dropout's),
   * StatelessRandomGetKeyCounter, RngReadAndSkip, Multinomial, TruncatedNormal, RandomShuffle, ...
   */
  private static final Pattern RANDOM = Pattern.compile("(?i).*(random|rng|multinomial|truncatednormal|shuffle).*");

  private ServingGraphs() {}

  /** The types of the ops in {@code graph} that draw random numbers. */
  static List<String> randomOpTypes(Graph graph) {
    List<String> found = new ArrayList<>();
    graph.operations().forEachRemaining(op -> {
      if (RANDOM.matcher(op.type()).matches()) {
        found.add(op.type());
      }
    });
    return found;
  }
}
