package io.digits.testing;

import io.digits.export.SavedModelExporter;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.train.Precision;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;

/** Untrained exports for tests that need a SavedModel but not a good one. */
public final class TinyModels {
  private TinyModels() {}

  /** Exports the simple model with Keras-initial weights drawn from {@code seed} into {@code versionDir}. */
  public static void exportSimple(Path versionDir, long seed) {
    Weights weights;
    try (Graph g = new Graph()) {
      Sequential m = Architecture.SIMPLE.create().build(Ops.create(g));
      weights = Weights.initial(m.parameters(), seed);
    }
    SavedModelExporter.export(Architecture.SIMPLE.create(), weights, versionDir, Map.of(), Precision.FLOAT32, false);
  }
}
