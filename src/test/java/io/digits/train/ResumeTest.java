package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.testing.SyntheticDigits;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ConfigProto;

/** A run stopped after any epoch and resumed from its checkpoint ends where the whole run ends. */
class ResumeTest {
  private static final Dataset TRAIN = SyntheticDigits.labeled(320, 5);
  private static final Dataset VALIDATION = SyntheticDigits.labeled(64, 6);
  private static final TrainConfig CONFIG = TrainConfig.notebook().withEpochs(3).withStopAtAccuracy(0).withSeed(4);
  private static final TrainingRun RUN =
      new TrainingRun("double-conv", "data/train.csv", 0.1, Precision.MIXED_BFLOAT16, 7, null, CONFIG);

  private static Trainer trainer(TrainConfig config) {
    return new Trainer(config, new ProgressBar(new PrintStream(OutputStream.nullOutputStream()), false));
  }

  @Test
  void resumedRunEqualsUninterruptedRun(@TempDir Path dir) {
    List<TrainingState> saved = new ArrayList<>();
    Trainer.Outcome whole = trainer(CONFIG).fit(Architecture.DOUBLE_CONV.create(), TRAIN, VALIDATION,
        ConfigProto.getDefaultInstance(), Trainer.Start.fresh(), saved::add);
    assertEquals(3, saved.size(), "one checkpoint per epoch");

    // "interrupt" after epoch 1: a checkpoint file is all that survives
    Path file = dir.resolve(".checkpoint");
    new Checkpoint(RUN, saved.get(0)).save(file);
    Checkpoint loaded = Checkpoint.load(file);
    assertEquals(1, loaded.state().epochsDone());
    assertEquals(RUN, loaded.run(), "the run's record comes back whole");

    Trainer.Outcome resumed = trainer(CONFIG).fit(Architecture.DOUBLE_CONV.create(), TRAIN, VALIDATION,
        ConfigProto.getDefaultInstance(), Trainer.Start.resume(loaded.state()), state -> {});
    assertEquals(whole.history().epochs().size(), resumed.history().epochs().size());
    for (int e = 0; e < 3; e++) {
      assertEquals(whole.history().epochs().get(e).loss(), resumed.history().epochs().get(e).loss(), 1e-6);
    }
    for (int i = 0; i < whole.weights().values().size(); i++) {
      float[] a = whole.weights().values().get(i).data();
      float[] b = resumed.weights().values().get(i).data();
      for (int k = 0; k < a.length; k++) {
        assertEquals(a[k], b[k], 1e-5f * Math.max(1f, Math.abs(a[k])), "weight " + i + "[" + k + "]");
      }
    }
  }

  @Test
  void checkpointRoundTripsExactly(@TempDir Path dir) {
    List<TrainingState> saved = new ArrayList<>();
    trainer(CONFIG.withEpochs(1)).fit(Architecture.SIMPLE.create(), TRAIN, VALIDATION,
        ConfigProto.getDefaultInstance(), Trainer.Start.fresh(), saved::add);
    TrainingState c = saved.get(0);
    new Checkpoint(RUN, c).save(dir.resolve("c"));
    TrainingState back = Checkpoint.load(dir.resolve("c")).state();
    assertEquals(c.stepsTaken(), back.stepsTaken());
    assertEquals(c.history().epochs(), back.history().epochs());
    for (int i = 0; i < c.weights().values().size(); i++) {
      assertArrayEquals(c.weights().values().get(i).data(), back.weights().values().get(i).data());
      assertEquals(c.weights().values().get(i).shape(), back.weights().values().get(i).shape());
    }
    for (int i = 0; i < c.optimizerState().values().size(); i++) {
      assertArrayEquals(c.optimizerState().values().get(i).data(), back.optimizerState().values().get(i).data());
    }
  }
}
