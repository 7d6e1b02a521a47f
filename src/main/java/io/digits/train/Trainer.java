package io.digits.train;

import io.digits.data.Dataset;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import java.util.SplittableRandom;
import org.tensorflow.proto.ConfigProto;

/**
 * Keras's {@code model.fit} for one model: per epoch a seeded shuffle of the training rows, steps of
 * {@code batchSize} (the last one partial, as Keras does), the running loss and accuracy of the epoch,
 * then validation; stops early after an epoch whose training accuracy exceeds
 * {@code stopAtAccuracy} (the notebook's callback).
 */
public final class Trainer {
  private final TrainConfig config;
  private final ProgressBar progress;

  public Trainer(TrainConfig config, ProgressBar progress) {
    this.config = config;
    this.progress = progress;
  }

  /** What training produced: the final weights and the per-epoch history. */
  public record Outcome(Weights weights, History history) {}

  public Outcome fit(Sequential model, Dataset train, Dataset validation, ConfigProto session) {
    return fit(model, train, validation, session, null);
  }

  /** {@code startWeights}: weights to fine-tune from (e.g. a Keras file's), or null for Keras's initializers. */
  public Outcome fit(Sequential model, Dataset train, Dataset validation, ConfigProto session, Weights startWeights) {
    try (TrainingGraph graph = new TrainingGraph(model, train, validation,
        new RmsProp(config.learningRate()), session)) {
      graph.start(startWeights != null ? startWeights : Weights.initial(model.parameters(), config.seed()));
      History history = new History();
      SplittableRandom shuffler = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
      int[] order = identity(train.size());
      int steps = (train.size() + config.batchSize() - 1) / config.batchSize();
      for (int epoch = 1; epoch <= config.epochs(); epoch++) {
        long start = System.nanoTime();
        if (config.shuffle()) {
          shuffle(order, shuffler);
        }
        progress.startEpoch(epoch, config.epochs(), steps);
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        for (int step = 0; step < steps; step++) {
          int from = step * config.batchSize();
          int to = Math.min(train.size(), from + config.batchSize());
          int[] batch = java.util.Arrays.copyOfRange(order, from, to);
          TrainingGraph.Metrics m = graph.step(batch);
          lossSum += m.loss() * m.count();
          correct += m.correct();
          seen += m.count();
          progress.update(step + 1, lossSum / seen, (double) correct / seen);
        }
        TrainingGraph.Metrics val = graph.evaluate(validation.size(), 1000);
        double loss = lossSum / seen;
        double accuracy = (double) correct / seen;
        progress.endEpoch(loss, accuracy, val.loss(), val.accuracy());
        history.add(new History.Epoch(epoch, loss, accuracy, val.loss(), val.accuracy(),
            (System.nanoTime() - start) / 1e9));
        if (config.stopAtAccuracy() > 0 && accuracy > config.stopAtAccuracy()) {
          break;
        }
      }
      return new Outcome(graph.weights(), history);
    }
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
