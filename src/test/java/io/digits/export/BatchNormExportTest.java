package io.digits.export;

import io.digits.train.Precision;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.scoring.Predictor;
import io.digits.testing.SyntheticDigits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * bn-cnn exports with batch normalization in inference mode: the serving graph normalizes with the
 * moving statistics it was given, computes no batch moments, updates nothing, and warps nothing.
 */
class BatchNormExportTest {
  /** Op types that only a training-mode graph has: batch moments, augmentation (random draws: {@link ServingGraphs}). */
  private static final Set<String> TRAINING_ONLY = Set.of("Mean", "SquaredDifference", "FusedBatchNorm",
      "FusedBatchNormV2", "FusedBatchNormV3", "ImageProjectiveTransformV3");

  private static List<String> opTypes(Graph g) {
    List<String> types = new ArrayList<>();
    g.operations().forEachRemaining(op -> types.add(op.type()));
    return types;
  }

  @Test
  void theChecksFindBatchMomentsAugmentationAndRandomDrawsInATrainingGraph() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Sequential model = Architecture.BN_CNN.create().build(tf);
      model.logits(tf, tf.placeholder(TFloat32.class, Placeholder.shape(Sequential.INPUT_SHAPE)), true);
      assertTrue(opTypes(g).stream().anyMatch(TRAINING_ONLY::contains), "training-only ops in " + opTypes(g));
      assertTrue(opTypes(g).contains("ImageProjectiveTransformV3"), "augmentation while training");
      assertTrue(!ServingGraphs.randomOpTypes(g).isEmpty(), "random draws while training");
    }
  }

  /** Start weights with batch-normalization values far from their initial 0/1, as training leaves them. */
  private static Weights trainedLooking(Sequential model) {
    SplittableRandom random = new SplittableRandom(9);
    List<Weights.Value> values = new ArrayList<>();
    for (Weights.Value v : Weights.initial(model.parameters(), 4).values()) {
      float[] data = v.data().clone();
      String name = v.name();
      for (int i = 0; i < data.length; i++) {
        if (name.endsWith("moving_mean") || name.endsWith("beta")) {
          data[i] = (float) (random.nextDouble() - 0.5);
        } else if (name.endsWith("moving_variance") || name.endsWith("gamma")) {
          data[i] = (float) (0.5 + random.nextDouble() * 1.5);
        }
      }
      values.add(new Weights.Value(name, v.shape(), data));
    }
    return new Weights(values);
  }

  /** The probabilities of the Java inference graph (training false) with {@code weights}. */
  private static float[][] javaInference(Weights weights, Dataset images) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Sequential model = Architecture.BN_CNN.create().build(tf);
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Sequential.INPUT_SHAPE));
      Operand<TFloat32> p = model.probabilities(tf, x, false);
      float[] pixels = new float[images.size() * 784];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (images.pixels()[i] & 0xff) / 255f;
      }
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(images.size(), 28, 28, 1), DataBuffers.of(pixels, true, false))) {
        weights.assignTo(s, model.parameters());
        try (Result r = s.runner().feed(x, in).fetch(p).run()) {
          float[] flat = new float[images.size() * 10];
          ((TFloat32) r.get(0)).copyTo(DataBuffers.of(flat, false, false));
          float[][] rows = new float[images.size()][];
          for (int i = 0; i < rows.length; i++) {
            rows[i] = java.util.Arrays.copyOfRange(flat, i * 10, i * 10 + 10);
          }
          return rows;
        }
      }
    }
  }

  @Test
  void servingGraphUsesTheMovingStatisticsAndNothingOfTraining(@TempDir Path dir) {
    Weights weights;
    try (Graph g = new Graph()) {
      weights = trainedLooking(Architecture.BN_CNN.create().build(Ops.create(g)));
    }
    Path version = dir.resolve("bn-cnn/1");
    SavedModelExporter.export(Architecture.BN_CNN.create(), weights, version, Map.of(), Precision.FLOAT32, false);

    try (SavedModelBundle b = SavedModelBundle.load(version.toString(), "serve")) {
      List<String> types = opTypes(b.graph());
      assertTrue(types.stream().noneMatch(TRAINING_ONLY::contains), "training-only ops in " + types);
      assertEquals(List.of(), ServingGraphs.randomOpTypes(b.graph()), "no random draw in the serving graph");
      assertEquals(7, types.stream().filter("Rsqrt"::equals).count(), "7 normalizations over moving variances");
    }

    Dataset images = SyntheticDigits.labeled(16, 3);
    float[][] expected = javaInference(weights, images);
    try (Predictor predictor = Predictor.open(version, Predictor.DEFAULT_INPUT_SCALE)) {
      float[][] first = predictor.predict(images);
      float[][] second = predictor.predict(images);
      float[][] alone = predictor.predict(images.head(1));
      for (int i = 0; i < images.size(); i++) {
        assertArrayEquals(first[i], second[i], "calls change nothing (no moving-statistics update), row " + i);
        assertArrayEquals(expected[i], first[i], 1e-5f, "export equals the Java inference graph, row " + i);
      }
      assertArrayEquals(first[0], alone[0], 1e-5f, "a row scores the same alone as in a batch (no batch statistics)");
    }
  }
}
