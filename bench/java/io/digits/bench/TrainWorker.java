package io.digits.bench;

import io.digits.data.DigitCsv;
import io.digits.data.Split;
import io.digits.keras.CompileSettings;
import io.digits.keras.KerasModel;
import io.digits.model.Architecture;
import io.digits.model.Model;
import io.digits.model.Weights;
import io.digits.train.Loss;
import io.digits.train.Precision;
import io.digits.train.RmsProp;
import io.digits.train.TrainingGraph;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.proto.ConfigProto;

/**
 * Row 2, our side: a long-lived process that bench/run.py asks for one measurement at a time, so
 * that our rounds and Keras's alternate while both processes stay warm. Trains on the notebook's
 * training rows (train.csv, 10 % held out with seed 2) through {@link TrainingGraph#step} on
 * shuffled indices, the way Trainer does.
 *
 * <p>Usage: TrainWorker TRAIN_CSV; then lines {@code train MODEL BATCH WARMUP_STEPS TIMED_STEPS PRECISION}
 * on stdin ({@code float32} or {@code mixed-bfloat16}), each answered by one JSON line with {@code img_s};
 * end of input ends it. MODEL is an architecture's name, or a .keras/.h5 file, trained as
 * {@code digits train --model FILE} trains it: the file's graph, weights, optimizer and loss.
 */
public final class TrainWorker implements AutoCloseable {
  private final Split split;
  private final Map<String, TrainingGraph> graphs = new HashMap<>();
  private final SplittableRandom random = new SplittableRandom(2);
  private int[] order;
  private int next;

  private TrainWorker(Split split) {
    this.split = split;
    this.order = new int[split.train().size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    this.next = order.length;
  }

  public static void main(String[] args) throws Exception {
    try (TrainWorker worker = new TrainWorker(Split.of(DigitCsv.readLabeled(Path.of(args[0])), 0.1, 2));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
      Report.print(Map.of("ready", true));
      for (String line; (line = in.readLine()) != null; ) {
        String[] w = line.trim().split("\\s+");
        if (!w[0].equals("train") || w.length != 6) {
          throw new IllegalArgumentException("expected 'train MODEL BATCH WARMUP STEPS PRECISION', got: " + line);
        }
        Precision precision = Precision.valueOf(w[5].toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        double imgPerSecond = worker.measure(w[1], precision, Integer.parseInt(w[2]),
            Integer.parseInt(w[3]), Integer.parseInt(w[4]));
        Report.print(Map.of("img_s", imgPerSecond));
      }
    }
  }

  private double measure(String model, Precision precision, int batch, int warmup, int steps) {
    TrainingGraph graph = graphs.computeIfAbsent(model + " " + precision, key -> open(model, precision));
    for (int i = 0; i < warmup; i++) {
      graph.step(nextBatch(batch));
    }
    long start = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      graph.step(nextBatch(batch));
    }
    return (double) steps * batch / Report.seconds(start);
  }

  private TrainingGraph open(String name, Precision precision) {
    ConfigProto config = precision.apply(ConfigProto.getDefaultInstance());
    if (name.endsWith(".keras") || name.endsWith(".h5")) {
      KerasModel file = KerasModel.load(Path.of(name));
      CompileSettings settings = file.compileSettings();
      TrainingGraph graph = new TrainingGraph(file.create(), split.train(), split.validation(), settings.optimizer(),
          settings.loss(), config);
      graph.start(file.weights(), 2);
      return graph;
    }
    Model model = Architecture.byName(name).create();
    TrainingGraph graph = new TrainingGraph(model, split.train(), split.validation(),
        new RmsProp(RmsProp.NOTEBOOK_LEARNING_RATE), Loss.NOTEBOOK, config);
    graph.start(Weights.initial(model.parameters(), 2), 2);
    return graph;
  }

  /** The next {@code batch} rows of a reshuffled pass over the training set, as Keras's shuffled epochs. */
  private int[] nextBatch(int batch) {
    if (next + batch > order.length) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      next = 0;
    }
    int[] indices = java.util.Arrays.copyOfRange(order, next, next + batch);
    next += batch;
    return indices;
  }

  @Override
  public void close() {
    graphs.values().forEach(TrainingGraph::close);
  }
}
