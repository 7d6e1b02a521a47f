package io.digits.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.train.Optimizer;
import io.digits.train.TrainingGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/**
 * The Java half of "Keras's fit continues where Java stopped" (make interop, check e): Java trains
 * {@value #BEFORE} batches, writes {@code continue.keras} with the optimizer's state, trains
 * {@value #AFTER} more and writes their losses ({@code java_losses.csv}, each before its update) and
 * the weights after them ({@code after.keras}). scripts/interop_check.py then loads continue.keras
 * in Keras, fits the same {@value #AFTER} batches and compares. Batches are rows
 * {@code step*32 .. step*32+31} of the CSV in file order, dropout off.
 *
 * <p>Skipped unless {@code -Ddigits.keras-out.dir} is set (make interop); the plain unit-test run
 * has no Python.
 */
class KerasContinuationTest {
  static final int BATCH = 32;
  static final int BEFORE = 3;
  static final int AFTER = 3;

  @ParameterizedTest
  @CsvSource({"simple, RMSPROP", "double-conv, RMSPROP", "simple, ADAM"})
  void writeJavasStateAndItsNextSteps(String modelName, Optimizer.Kind kind) throws IOException {
    String dirProperty = System.getProperty("digits.keras-out.dir");
    assumeTrue(dirProperty != null, "set -Ddigits.keras-out.dir (make interop) to run");
    Path dir = Files.createDirectories(Path.of(dirProperty).resolve(modelName + "-" + kind.keras().toLowerCase()));
    Dataset rows = DigitCsv.readLabeled(Path.of(System.getProperty("digits.data", "data/train.csv")))
        .head((BEFORE + AFTER) * BATCH);
    Architecture architecture = Architecture.byName(modelName);
    float learningRate = 0.001f;
    Sequential model = architecture.create(0f);
    try (TrainingGraph graph = new TrainingGraph(model, rows, rows.head(BATCH), kind.create(learningRate),
        ConfigProto.getDefaultInstance())) {
      graph.start(initial(architecture, 1), 0);
      for (int step = 0; step < BEFORE; step++) {
        graph.step(batch(step));
      }
      Weights state = graph.weights();
      KerasWriter.write(dir.resolve("continue.keras"), architecture.create(0f), state, training(kind, learningRate,
          graph));
      List<Weights.Value> read = KerasModel.load(dir.resolve("continue.keras")).weights().values();
      for (int i = 0; i < read.size(); i++) {
        assertArrayEquals(state.values().get(i).data(), read.get(i).data(), 0f, state.values().get(i).name());
      }
      List<String> losses = new ArrayList<>(List.of("step,loss"));
      for (int step = BEFORE; step < BEFORE + AFTER; step++) {
        losses.add(step + "," + graph.step(batch(step)).loss());
      }
      Files.write(dir.resolve("java_losses.csv"), losses);
      KerasWriter.write(dir.resolve("after.keras"), architecture.create(0f), graph.weights(), training(kind,
          learningRate, graph));
    }
  }

  private static KerasWriter.Training training(Optimizer.Kind kind, float learningRate, TrainingGraph graph) {
    return new KerasWriter.Training(kind, learningRate, 1, BEFORE + AFTER, graph.stepsTaken(), graph.optimizerState());
  }

  private static Weights initial(Architecture architecture, long seed) {
    try (Graph graph = new Graph()) {
      Sequential model = architecture.create(0f).build(Ops.create(graph));
      return Weights.initial(model.parameters(), seed);
    }
  }

  private static int[] batch(int step) {
    int[] indices = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      indices[i] = step * BATCH + i;
    }
    return indices;
  }
}
