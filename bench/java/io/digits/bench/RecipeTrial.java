package io.digits.bench;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.data.Split;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.train.Adam;
import io.digits.train.LearningRateSchedule;
import io.digits.train.Precision;
import io.digits.train.TrainingGraph;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.tensorflow.proto.ConfigProto;

/**
 * Issue 19's time-to-accuracy trials: bn-cnn trained with Adam on a warm-up + cosine schedule (linear from 0 to PEAK over WARMUP_EPOCHS, then cosine
 * to 0 at the last step: a one-cycle), on the notebook's split, shuffled as Trainer shuffles. Prints
 * one line per epoch with the validation accuracy and the seconds since the JVM started.
 *
 * <p>Usage: RecipeTrial TRAIN_CSV BATCH PEAK EPOCHS WARMUP_EPOCHS PRECISION (FLOAT32 or MIXED_BFLOAT16),
 * e.g. {@code RecipeTrial data/train.csv 128 0.003 10 1 MIXED_BFLOAT16}.
 */
public final class RecipeTrial {
  private static final long SEED = 2;

  private RecipeTrial() {}

  /** Linear warm-up to {@code peak}, then half a cosine down to 0 at step {@code total}. */
  static LearningRateSchedule warmupCosine(float peak, long warmupSteps, long total) {
    return step -> step < warmupSteps ? peak * (step + 1) / warmupSteps
        : (float) (peak * 0.5 * (1 + Math.cos(Math.PI * (step - warmupSteps) / (double) (total - warmupSteps))));
  }

  public static void main(String[] a) {
    long launch = ManagementFactory.getRuntimeMXBean().getStartTime();
    int batch = Integer.parseInt(a[1]);
    float peak = Float.parseFloat(a[2]);
    int epochs = Integer.parseInt(a[3]);
    double warmupEpochs = Double.parseDouble(a[4]);
    Precision precision = Precision.valueOf(a[5]);
    Sequential model = Architecture.BN_CNN.create();
    Split split = Split.of(DigitCsv.readLabeled(Path.of(a[0])), 0.1, SEED);
    Dataset train = split.train();
    int steps = (train.size() + batch - 1) / batch;
    LearningRateSchedule schedule = warmupCosine(peak, (long) (warmupEpochs * steps), (long) steps * epochs);
    try (TrainingGraph graph = new TrainingGraph(model, train, split.validation(), new Adam(peak),
        precision.apply(ConfigProto.getDefaultInstance()))) {
      graph.start(Weights.initial(model.parameters(), SEED), SEED);
      for (int epoch = 1; epoch <= epochs; epoch++) {
        int[] order = shuffled(train.size(), epoch);
        double loss = 0;
        for (int step = 0; step < steps; step++) {
          int[] rows = Arrays.copyOfRange(order, step * batch, Math.min(train.size(), (step + 1) * batch));
          loss += graph.step(rows, schedule.rate(graph.stepsTaken())).loss();
        }
        TrainingGraph.Metrics v = graph.evaluate(split.validation().size(), 1000);
        System.out.printf(Locale.ROOT, "Epoch %d - loss: %.4f - val_accuracy: %.4f - val_loss: %.4f - %.1f s from launch%n",
            epoch, loss / steps, v.accuracy(), v.loss(), (System.currentTimeMillis() - launch) / 1000.0);
      }
    }
  }

  /** Trainer's shuffle: a pure function of (seed, epoch). */
  private static int[] shuffled(int n, int epoch) {
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    SplittableRandom random = new SplittableRandom(SEED * 0x9E3779B97F4A7C15L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }
}
