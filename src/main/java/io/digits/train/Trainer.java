package io.digits.train;

import io.digits.data.Dataset;
import io.digits.model.Model;
import io.digits.model.Weights;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.tensorflow.proto.ConfigProto;

/**
 * Keras's {@code model.fit} for one model: per epoch a seeded shuffle of the training rows, steps of
 * {@code batchSize} (the last one partial, as Keras does) at the scheduled learning rate of each step
 * (Keras's {@code LearningRateSchedule}), the running loss and accuracy of the epoch, then
 * validation; stops early after an epoch whose training accuracy exceeds {@code stopAtAccuracy}
 * (the notebook's callback).
 */
public final class Trainer {
  private final TrainConfig config;
  private final ProgressBar progress;

  /**
   * What Keras's {@code compile} sets: the optimizer, the learning rate of each step and the loss.
   * A Keras file brings its own; the built-in models take theirs from the {@link TrainConfig}.
   */
  public record Compiled(Optimizer optimizer, LearningRateSchedule schedule, Loss loss) {
    /** A built-in model's: {@code config}'s optimizer, schedule (epochs of {@code trainRows} rows) and loss. */
    public static Compiled of(TrainConfig config, int trainRows) {
      return new Compiled(config.optimizer().create(config.learningRate()),
          config.schedule(config.stepsPerEpoch(trainRows)), config.loss());
    }
  }

  private final Compiled compiled;

  /** A built-in model's run: optimizer, schedule and loss from {@code config}. */
  public Trainer(TrainConfig config, ProgressBar progress) {
    this(config, null, progress);
  }

  /** {@code compiled}: the optimizer, schedule and loss to use, or null for {@code config}'s. */
  public Trainer(TrainConfig config, Compiled compiled, ProgressBar progress) {
    this.config = config;
    this.compiled = compiled;
    this.progress = progress;
  }

  /**
   * What training produced: the final weights, the per-epoch history, and the optimizer's state
   * (its slots, and the steps taken) for writing a model that training can continue from.
   */
  public record Outcome(Weights weights, History history, Weights optimizerState, long stepsTaken) {}

  /** Called after every whole epoch with the state to save (a checkpoint). */
  public interface EpochListener {
    void epochDone(TrainingState state);
  }

  /**
   * Where a run starts: fresh from {@code weights} (null: Keras's initializers drawn from the seed,
   * else e.g. a Keras file's weights to fine-tune), or from the {@code state} of an interrupted run.
   */
  public record Start(Weights weights, TrainingState state) {
    public static Start fresh() {
      return new Start(null, null);
    }

    public static Start from(Weights weights) {
      return new Start(weights, null);
    }

    public static Start resume(TrainingState state) {
      return new Start(null, state);
    }
  }

  /** Trains from {@code start}, calling {@code listener} after each epoch with the state reached. */
  public Outcome fit(Model model, Dataset train, Dataset validation, ConfigProto session, Start start,
      EpochListener listener) {
    Compiled settings = compiled != null ? compiled : Compiled.of(config, train.size());
    try (TrainingGraph graph = new TrainingGraph(model, train, validation, settings.optimizer(), settings.loss(),
        session)) {
      History history = new History();
      int firstEpoch = 1;
      TrainingState resume = start.state();
      if (resume == null) {
        graph.start(start.weights() != null ? start.weights() : Weights.initial(model.parameters(), config.seed()),
            config.seed());
      } else {
        graph.restore(resume.weights(), resume.optimizerState(), config.seed(), resume.stepsTaken());
        resume.history().epochs().forEach(history::add);
        firstEpoch = resume.epochsDone() + 1;
      }
      int steps = config.stepsPerEpoch(train.size());
      LearningRateSchedule schedule = settings.schedule();
      for (int epoch = firstEpoch; epoch <= config.epochs() && !stopped(history); epoch++) {
        long started = System.nanoTime();
        int[] order = order(train.size(), epoch);
        progress.startEpoch(epoch, config.epochs(), steps);
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        for (int step = 0; step < steps; step++) {
          int from = step * config.batchSize();
          int[] batch = Arrays.copyOfRange(order, from, Math.min(train.size(), from + config.batchSize()));
          TrainingGraph.Metrics m = graph.step(batch, schedule.rate(graph.stepsTaken()));
          lossSum += m.loss() * m.count();
          correct += m.correct();
          seen += m.count();
          progress.update(step + 1, lossSum / seen, (double) correct / seen);
        }
        // With no validation rows (--validation-split 0) the val_ figures are NaN, as absent.
        TrainingGraph.Metrics val = validation.size() > 0 ? graph.evaluate(validation.size(), 100) : null;
        double valLoss = val == null ? Double.NaN : val.loss();
        double valAccuracy = val == null ? Double.NaN : val.accuracy();
        double loss = lossSum / seen;
        double accuracy = (double) correct / seen;
        progress.endEpoch(loss, accuracy, valLoss, valAccuracy);
        history.add(new History.Epoch(epoch, loss, accuracy, valLoss, valAccuracy, (System.nanoTime() - started) / 1e9));
        listener.epochDone(new TrainingState(epoch, graph.stepsTaken(), history.copy(), graph.weights(),
            graph.optimizerState()));
      }
      return new Outcome(graph.weights(), history, graph.optimizerState(), graph.stepsTaken());
    }
  }

  /** Trains from fresh weights without checkpoints. */
  public Outcome fit(Model model, Dataset train, Dataset validation, ConfigProto session) {
    return fit(model, train, validation, session, Start.fresh(), state -> {});
  }

  /** The notebook's callback: stop after the epoch whose training accuracy exceeds the threshold. */
  private boolean stopped(History history) {
    return config.stopAtAccuracy() > 0 && !history.epochs().isEmpty()
        && history.last().accuracy() > config.stopAtAccuracy();
  }

  /**
   * The row order of one epoch: a shuffle drawn from (seed, epoch) alone, so that a resumed run
   * sees the same batches as an uninterrupted one (Keras reshuffles every epoch too).
   */
  private int[] order(int size, int epoch) {
    int[] a = identity(size);
    shuffle(a, new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L + epoch));
    return a;
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
