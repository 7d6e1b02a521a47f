package io.digits.bench.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.data.Split;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The JVM peer for `make bench`: the same models, rows and protocol as io.digits.bench.TrainWorker,
 * on DJL's PyTorch engine. Lines on stdin: {@code train MODEL BATCH WARMUP STEPS} (img/s of training
 * steps on shuffled batches of the notebook's training rows, loss and accuracy read back each step)
 * and {@code infer MODEL BATCH} (img/s scoring test.csv after one warm-up batch); each is answered
 * by one JSON line.
 *
 * <p>Usage: DjlWorker TRAIN_CSV TEST_CSV (run with -Dai.djl.offline=true: libtorch comes from the
 * pytorch-native-cpu jar).
 */
public final class DjlWorker implements AutoCloseable {
  private final NDManager manager = NDManager.newBaseManager();
  private final NDArray trainImages;
  private final NDArray trainLabels;
  private final NDArray testImages;
  private final Map<String, Trainer> trainers = new HashMap<>();
  private final SplittableRandom random = new SplittableRandom(2);
  private final long[] order;
  private int next;

  private DjlWorker(Dataset train, Dataset test) {
    trainImages = images(train);
    trainLabels = manager.create(toFloats(train.labels()));
    testImages = images(test);
    order = java.util.stream.LongStream.range(0, train.size()).toArray();
    next = order.length;
  }

  public static void main(String[] args) throws Exception {
    Split split = Split.of(DigitCsv.readLabeled(Path.of(args[0])), 0.1, 2);
    try (DjlWorker worker = new DjlWorker(split.train(), DigitCsv.read(Path.of(args[1])));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
      System.out.println("{\"ready\": true}");
      for (String line; (line = in.readLine()) != null; ) {
        String[] w = line.trim().split("\\s+");
        double imgPerSecond = switch (w[0]) {
          case "train" -> worker.train(w[1], Integer.parseInt(w[2]), Integer.parseInt(w[3]), Integer.parseInt(w[4]));
          case "infer" -> worker.infer(w[1], Integer.parseInt(w[2]));
          default -> throw new IllegalArgumentException("expected 'train MODEL BATCH WARMUP STEPS' or 'infer MODEL BATCH', got: " + line);
        };
        System.out.println("{\"img_s\": " + imgPerSecond + "}");
      }
    }
  }

  private double train(String model, int batch, int warmup, int steps) {
    Trainer trainer = trainers.computeIfAbsent(model, this::newTrainer);
    for (int i = 0; i < warmup; i++) {
      step(trainer, batch);
    }
    long start = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      step(trainer, batch);
    }
    return (double) steps * batch / ((System.nanoTime() - start) / 1e9);
  }

  private void step(Trainer trainer, int batch) {
    try (NDManager scope = manager.newSubManager()) {
      NDIndex rows = new NDIndex("{}", scope.create(nextBatch(batch)));
      NDArray x = trainImages.get(rows);
      NDArray y = trainLabels.get(rows);
      x.attach(scope);
      y.attach(scope);
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDList scores = trainer.forward(new NDList(x));
        NDArray loss = trainer.getLoss().evaluate(new NDList(y), scores);
        collector.backward(loss);
        float lossValue = loss.getFloat();
        long correct = scores.singletonOrThrow().argMax(1).toType(y.getDataType(), false).eq(y).sum().getLong();
        if (Float.isNaN(lossValue) || correct < 0) {
          throw new IllegalStateException("training diverged");
        }
      }
      trainer.step();
    }
  }

  /** The next {@code batch} rows of a reshuffled pass over the training set, as TrainWorker does. */
  private long[] nextBatch(int batch) {
    if (next + batch > order.length) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        long t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      next = 0;
    }
    next += batch;
    return java.util.Arrays.copyOfRange(order, next - batch, next);
  }

  private double infer(String model, int batch) {
    Trainer trainer = trainers.computeIfAbsent(model, this::newTrainer);
    ParameterStore parameters = new ParameterStore(manager, false);
    long n = testImages.getShape().get(0);
    score(trainer, parameters, 0, batch);
    long start = System.nanoTime();
    for (long from = batch; from < n; from += batch) {
      score(trainer, parameters, from, Math.min(n, from + batch));
    }
    return (n - batch) / ((System.nanoTime() - start) / 1e9);
  }

  private void score(Trainer trainer, ParameterStore parameters, long from, long to) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = testImages.get(from + ":" + to);
      x.attach(scope);
      NDArray scores = trainer.getModel().getBlock().forward(parameters, new NDList(x), false).singletonOrThrow();
      scores.softmax(1).argMax(1).toLongArray();
    }
  }

  private Trainer newTrainer(String name) {
    Model model = Model.newInstance(name);
    model.setBlock(NotebookBlocks.byName(name));
    // Keras's glorot_uniform: limit sqrt(6 / (fan_in + fan_out)) = sqrt(3 / average fan)
    DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optOptimizer(new KerasRmsProp(0.001f, 0.9f, 1e-8f))
        .optInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
            XavierInitializer.FactorType.AVG, 3), Parameter.Type.WEIGHT);
    Trainer trainer = model.newTrainer(config);
    trainer.initialize(new Shape(1, 1, 28, 28));
    return trainer;
  }

  private NDArray images(Dataset data) {
    byte[] pixels = data.pixels();
    float[] values = new float[pixels.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = (pixels[i] & 0xff) / 255f;
    }
    return manager.create(values, new Shape(data.size(), 1, 28, 28));
  }

  private static float[] toFloats(int[] labels) {
    float[] values = new float[labels.length];
    for (int i = 0; i < labels.length; i++) {
      values[i] = labels[i];
    }
    return values;
  }

  @Override
  public void close() {
    trainers.values().forEach(t -> {
      Model model = t.getModel();
      t.close();
      model.close();
    });
    manager.close();
  }
}
