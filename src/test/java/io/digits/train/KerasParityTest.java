package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.testing.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.proto.ConfigProto;

/**
 * Training parity with Keras (issue 4): from Keras's own initial weights, on the same first 100
 * batches in file order, with dropout rate 0, the Java graph and optimizer give Keras's loss curve.
 *
 * <p>Runs under {@code make interop}, which first writes Keras's side with scripts/keras_parity.py
 * and passes {@code -Ddigits.parity.dir}; skipped in the plain unit-test run, which has no Python.
 */
class KerasParityTest {
  private static final int BATCH = 32;

  @ParameterizedTest
  @ValueSource(strings = {"simple", "double-conv"})
  void javaTrainingFollowsKerasLossCurve(String modelName) throws IOException {
    String dirProperty = System.getProperty("digits.parity.dir");
    assumeTrue(dirProperty != null, "set -Ddigits.parity.dir (make interop) to run");
    Path dir = Path.of(dirProperty).resolve(modelName);
    assertTrue(Files.isRegularFile(dir.resolve("losses.csv")), "missing Keras output in " + dir);
    List<String> lines = Files.readAllLines(dir.resolve("losses.csv"));
    double[] keras = lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
    int steps = keras.length;
    Dataset rows = DigitCsv.readLabeled(Path.of(System.getProperty("digits.data", "data/train.csv")))
        .head(steps * BATCH);

    Sequential model = Architecture.byName(modelName).create(0f);
    try (TrainingGraph graph = new TrainingGraph(model, rows, rows.head(BATCH), new RmsProp(0.001f),
        ConfigProto.getDefaultInstance())) {
      graph.start(kerasWeights(dir, ""), 0);
      double[] java = new double[steps];
      for (int step = 0; step < steps; step++) {
        int[] batch = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
          batch[i] = step * BATCH + i;
        }
        java[step] = graph.step(batch).loss();
        if (step == 0) {
          compareFirstUpdate(graph.weights(), kerasWeights(dir, "after_step1_"));
        }
      }
      double worstEarly = 0;
      for (int step = 0; step < steps; step++) {
        double rel = Math.abs(java[step] - keras[step]) / Math.abs(keras[step]);
        if (step < 20) {
          worstEarly = Math.max(worstEarly, rel);
          assertTrue(rel < 1e-3, modelName + " step " + step + ": java " + java[step] + " keras " + keras[step]);
        }
      }
      double last = Math.abs(java[steps - 1] - keras[steps - 1]) / Math.abs(keras[steps - 1]);
      System.out.printf("%s: worst relative loss difference, steps 1-20: %.2e; step %d: %.2e%n",
          modelName, worstEarly, steps, last);
      assertEquals(100, steps, "Keras wrote 100 steps");
      assertTrue(last < 1e-2, modelName + " step 100: java " + java[steps - 1] + " keras " + keras[steps - 1]);
    }
  }

  /** One step from the same weights: nearly every weight lands where Keras's does. */
  private static void compareFirstUpdate(Weights java, Weights keras) {
    long total = 0;
    long close = 0;
    for (int i = 0; i < java.values().size(); i++) {
      float[] a = java.values().get(i).data();
      float[] b = keras.values().get(i).data();
      for (int k = 0; k < a.length; k++) {
        total++;
        close += Math.abs(a[k] - b[k]) <= 1e-6 ? 1 : 0;
      }
    }
    double share = (double) close / total;
    System.out.printf("first update: %.5f of %d weights within 1e-6 of Keras's%n", share, total);
    // RMSprop's first step moves each weight by about lr*sqrt(10)*sign(g): only weights whose
    // gradient is within float rounding of zero can land elsewhere.
    assertTrue(share > 0.999, "first update matches Keras for " + share + " of the weights");
  }

  private static Weights kerasWeights(Path dir, String prefix) throws IOException {
    List<Weights.Value> values = new ArrayList<>();
    for (int i = 0; Files.exists(dir.resolve(String.format("%sw%02d.npy", prefix, i))); i++) {
      Npy.Array a = Npy.read(dir.resolve(String.format("%sw%02d.npy", prefix, i)));
      values.add(new Weights.Value(prefix + "w" + i, a.shape(), a.data()));
    }
    return new Weights(values);
  }
}
