package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.model.Weights;
import io.digits.testing.SyntheticDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/** bn-cnn trained for a few steps on generated data, through Trainer as {@code train} runs it. */
class BnCnnTrainingTest {
  private static final Dataset TRAIN = SyntheticDigits.labeled(256, 1);
  private static final Dataset VALIDATION = SyntheticDigits.labeled(64, 2);

  /** Trains with {@code config} and returns the checkpoint written after each epoch. */
  private static List<TrainingState> fit(TrainConfig config) {
    List<TrainingState> epochs = new ArrayList<>();
    new Trainer(config, new ProgressBar(new PrintStream(new ByteArrayOutputStream()), false))
        .fit(Architecture.BN_CNN.create(config.dropout()), TRAIN, VALIDATION, ConfigProto.getDefaultInstance(),
            Trainer.Start.fresh(), epochs::add);
    return epochs;
  }

  private static float[] value(Weights w, String nameEnd) {
    return w.values().stream().filter(v -> v.name().endsWith(nameEnd)).findFirst().orElseThrow().data();
  }

  @Test
  void defaultsAreIssue19sRecipe() {
    TrainConfig c = TrainConfig.defaults(Architecture.BN_CNN);
    assertEquals(Optimizer.Kind.ADAM, c.optimizer());
    assertEquals(0, c.stopAtAccuracy());
    assertEquals(6, c.epochs());
    assertEquals(64, c.batchSize());
    assertEquals(0.1f, c.dropout());
    assertEquals(0, c.labelSmoothing());
    int steps = 591; // 37,800 rows of 64
    // Keras: CosineDecay(0.0, decay_steps=round(4.5 * 591), alpha=0.05, warmup_target=0.002, warmup_steps=round(0.5 * 591))
    assertEquals(new LearningRateSchedule.CosineDecay(0, 2660, 0.05, 0.002f, 296), c.schedule(steps));
    LearningRateSchedule s = c.schedule(steps);
    assertEquals(0, s.rate(0));
    assertEquals(0.002 * 148 / 296, s.rate(148), 1e-9, "half way up the warm-up");
    assertEquals(0.002, s.rate(296), 1e-9, "the peak, half an epoch in");
    assertEquals(0.002 * (0.95 * 0.5 * (1 + Math.cos(Math.PI * (3 * steps - 296) / 2660.0)) + 0.05),
        s.rate(3 * steps), 1e-9, "first step of epoch 4");
    assertEquals(0.0001, s.rate(5 * steps + 1), 1e-9, "the floor from epoch 6 on");
    assertEquals(0.0001, s.rate(6 * steps - 1), 1e-9);
    assertEquals(TrainConfig.notebook(), TrainConfig.defaults(Architecture.DOUBLE_CONV), "the notebook's stay");
  }

  @Test
  void aFewStepsLowerTheLossAndMoveTheBatchStatistics() {
    List<TrainingState> epochs = fit(TrainConfig.defaults(Architecture.BN_CNN).withEpochs(3).withBatchSize(32));
    History h = epochs.get(2).history();
    assertTrue(h.last().loss() < 0.7 * h.epochs().get(0).loss(), "loss falls: " + h.epochs());
    Weights w = epochs.get(2).weights();
    float[] movingMean = value(w, "02_batchnormalization/moving_mean");
    float[] movingVariance = value(w, "02_batchnormalization/moving_variance");
    assertTrue(movingMean[0] != 0f && movingVariance[0] != 1f, "training updates the moving statistics");
    assertEquals(24f, value(epochs.get(2).optimizerState(), "adam/iterations")[0], "3 epochs of 8 steps");
  }

  @Test
  void theScheduledRateIsWhatTheStepsUse() {
    // decay 0: epoch 2 runs at learning rate 0, so no trainable weight moves, yet batch statistics do
    TrainConfig frozenAfterOne = new TrainConfig(2, 64, 0.001f, 0, 2, 0.4f, Optimizer.Kind.ADAM, 0, TrainConfig.Schedule.EXPONENTIAL, 0, 0, 0, 0);
    List<TrainingState> epochs = fit(frozenAfterOne);
    Weights first = epochs.get(0).weights();
    Weights second = epochs.get(1).weights();
    assertArrayEquals(value(first, "01_conv2d/kernel"), value(second, "01_conv2d/kernel"));
    assertArrayEquals(value(first, "26_dense/kernel"), value(second, "26_dense/kernel"));
    assertFalse(java.util.Arrays.equals(value(first, "moving_mean"), value(second, "moving_mean")));
  }
}
