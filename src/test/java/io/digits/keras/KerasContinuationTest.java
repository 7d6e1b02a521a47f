package io.digits.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.train.Adam;
import io.digits.train.GradientClipping;
import io.digits.train.LearningRateSchedule;
import io.digits.train.Loss;
import io.digits.train.Nadam;
import io.digits.train.Optimizer;
import io.digits.train.Optimizer.BaseOptions;
import io.digits.train.RmsProp;
import io.digits.train.Sgd;
import io.digits.train.Trainer;
import io.digits.train.TrainingGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/**
 * The Java half of "Keras's fit continues where Java stopped" (make interop, check g): Java trains
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

  /** The notebook's settings, and each optimizer (with a schedule, clipping, decay or another loss) training offers. */
  static Stream<Arguments> runs() {
    BaseOptions none = BaseOptions.NONE;
    return Stream.of(
        Arguments.of("simple-rmsprop", "simple", notebook(new RmsProp(0.001f))),
        Arguments.of("double-conv-rmsprop", "double-conv", notebook(new RmsProp(0.001f))),
        Arguments.of("simple-adam", "simple", notebook(new Adam(0.001f))),
        Arguments.of("simple-rmsprop-centered-momentum", "simple", new Trainer.Compiled(
            new RmsProp(0.0005f, 0.9, 0.5, 1e-7, true, none), LearningRateSchedule.constant(0.0005f),
            new Loss(Loss.Kind.CATEGORICAL, false, 0.1))),
        Arguments.of("simple-sgd-nesterov-decay", "simple", new Trainer.Compiled(
            new Sgd(0.01f, 0.9, true, new BaseOptions(0, new GradientClipping.ByValue(0.5))),
            new LearningRateSchedule.ExponentialDecay(0.01, 2, 0.5, true), Loss.NOTEBOOK)),
        Arguments.of("simple-adamw-amsgrad-cosine", "simple", new Trainer.Compiled(
            new Adam(0.001f, 0.9, 0.999, 1e-7, true, new BaseOptions(0.004, new GradientClipping.ByNorm(1)), true),
            new LearningRateSchedule.CosineDecay(0.0005, 10, 0, 0.001, 2), Loss.NOTEBOOK)),
        Arguments.of("simple-nadam-sparse", "simple", new Trainer.Compiled(new Nadam(0.001f),
            LearningRateSchedule.constant(0.001f), new Loss(Loss.Kind.SPARSE_CATEGORICAL, false, 0))));
  }

  private static Trainer.Compiled notebook(Optimizer optimizer) {
    return new Trainer.Compiled(optimizer, LearningRateSchedule.constant(optimizer.learningRate()), Loss.NOTEBOOK);
  }

  @ParameterizedTest
  @MethodSource("runs")
  void writeJavasStateAndItsNextSteps(String name, String modelName, Trainer.Compiled compiled) throws IOException {
    String dirProperty = System.getProperty("digits.keras-out.dir");
    assumeTrue(dirProperty != null, "set -Ddigits.keras-out.dir (make interop) to run");
    Path dir = Files.createDirectories(Path.of(dirProperty).resolve(name));
    Dataset rows = DigitCsv.readLabeled(Path.of(System.getProperty("digits.data", "data/train.csv")))
        .head((BEFORE + AFTER) * BATCH);
    Architecture architecture = Architecture.byName(modelName);
    Sequential model = architecture.create(0f);
    try (TrainingGraph graph = new TrainingGraph(model, rows, rows.head(BATCH), compiled.optimizer(), compiled.loss(),
        ConfigProto.getDefaultInstance())) {
      graph.start(initial(architecture, 1), 0);
      for (int step = 0; step < BEFORE; step++) {
        graph.step(batch(step), compiled.schedule().rate(graph.stepsTaken()));
      }
      Weights state = graph.weights();
      KerasWriter.write(dir.resolve("continue.keras"), architecture.create(0f), state,
          new KerasWriter.Training(compiled, graph.stepsTaken(), graph.optimizerState()));
      List<Weights.Value> read = KerasModel.load(dir.resolve("continue.keras")).weights().values();
      for (int i = 0; i < read.size(); i++) {
        assertArrayEquals(state.values().get(i).data(), read.get(i).data(), 0f, state.values().get(i).name());
      }
      List<String> losses = new ArrayList<>(List.of("step,loss"));
      for (int step = BEFORE; step < BEFORE + AFTER; step++) {
        losses.add(step + "," + graph.step(batch(step), compiled.schedule().rate(graph.stepsTaken())).loss());
      }
      Files.write(dir.resolve("java_losses.csv"), losses);
      KerasWriter.write(dir.resolve("after.keras"), architecture.create(0f), graph.weights(),
          new KerasWriter.Training(compiled, graph.stepsTaken(), graph.optimizerState()));
    }
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
