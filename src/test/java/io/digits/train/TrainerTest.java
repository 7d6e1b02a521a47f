package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.testing.SyntheticDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

class TrainerTest {
  private static final Dataset TRAIN = SyntheticDigits.labeled(640, 1);
  private static final Dataset VALIDATION = SyntheticDigits.labeled(200, 2);

  private static Trainer.Outcome fit(Architecture a, TrainConfig config, ByteArrayOutputStream log) {
    ProgressBar bar = new ProgressBar(new PrintStream(log), false);
    return new Trainer(config, bar).fit(a.create(config.dropout()), TRAIN, VALIDATION,
        ConfigProto.getDefaultInstance());
  }

  @Test
  void learnsAndLogsInKerasLineFormat() {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainConfig config = TrainConfig.notebook().withEpochs(3).withStopAtAccuracy(0);
    History h = fit(Architecture.SIMPLE, config, log).history();
    assertEquals(3, h.epochs().size());
    assertTrue(h.last().loss() < h.epochs().get(0).loss(), "loss falls");
    assertTrue(h.last().valAccuracy() > 0.9, "learns the synthetic classes: " + h.last());
    String text = log.toString();
    assertTrue(text.contains("Epoch 1/3"), text);
    // 640 rows in batches of 32 = 20 steps; Keras's line format
    assertTrue(text.matches("(?s).*20/20 ━+ \\d+m?s \\d+[mu]?s/step - accuracy: 0\\.\\d{4} - loss: \\d\\.\\d{4}"
        + " - val_accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4}.*"), text);
  }

  @Test
  void stopsAfterTheEpochWhoseTrainingAccuracyExceedsTheThreshold() {
    TrainConfig config = TrainConfig.notebook().withEpochs(10).withStopAtAccuracy(0.5);
    History h = fit(Architecture.SIMPLE, config, new ByteArrayOutputStream()).history();
    int firstAbove = 0;
    while (h.epochs().get(firstAbove).accuracy() <= 0.5) {
      firstAbove++;
    }
    assertEquals(firstAbove + 1, h.epochs().size(), "stops right after the first epoch above 0.5");
    assertTrue(h.epochs().size() < 10);
  }

  @Test
  void sameSeedGivesTheSameRunOnCpu() {
    TrainConfig config = TrainConfig.notebook().withEpochs(2).withStopAtAccuracy(0).withSeed(11);
    Trainer.Outcome a = fit(Architecture.DOUBLE_CONV, config, new ByteArrayOutputStream());
    Trainer.Outcome b = fit(Architecture.DOUBLE_CONV, config, new ByteArrayOutputStream());
    assertEquals(a.history().epochs().stream().map(History.Epoch::loss).toList(),
        b.history().epochs().stream().map(History.Epoch::loss).toList());
    assertTrue(Arrays.equals(a.weights().values().get(0).data(), b.weights().values().get(0).data()));
    Trainer.Outcome c = fit(Architecture.DOUBLE_CONV, config.withSeed(12), new ByteArrayOutputStream());
    assertTrue(!Arrays.equals(a.weights().values().get(0).data(), c.weights().values().get(0).data()));
  }

  @Test
  void aPartialLastBatchIsTrainedOn() {
    // 640 rows, batch 300: steps of 300, 300, 40, as Keras does
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    fit(Architecture.SIMPLE, TrainConfig.notebook().withEpochs(1).withBatchSize(300), log);
    assertTrue(log.toString().contains("3/3 "), log.toString());
  }
}
