package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.testing.CliRunner;
import io.digits.testing.SyntheticDigits;
import io.digits.train.Checkpoint;
import io.digits.train.Precision;
import io.digits.train.ProgressBar;
import io.digits.train.TrainConfig;
import io.digits.train.Trainer;
import io.digits.train.TrainingRun;
import io.digits.train.TrainingState;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ConfigProto;

/** {@code train --resume} goes on with the interrupted run's record: what it fixed cannot change. */
class ResumeOptionsTest {

  /** A checkpoint after epoch 1 of a 2-epoch simple run on {@code data}, as an interrupted train leaves. */
  private static TrainingRun interruptedRun(Path data, Path models) {
    TrainConfig config = TrainConfig.notebook().withEpochs(2).withStopAtAccuracy(0).withSeed(5);
    TrainingRun run = new TrainingRun("simple", data.toString(), 0.25, Precision.FLOAT32, 3, null, config);
    Dataset rows = SyntheticDigits.labeled(40, 1);
    List<TrainingState> epochs = new ArrayList<>();
    new Trainer(config.withEpochs(1), new ProgressBar(new PrintStream(OutputStream.nullOutputStream()), false))
        .fit(Architecture.SIMPLE.create(), rows, rows, ConfigProto.getDefaultInstance(), Trainer.Start.fresh(),
            epochs::add);
    new Checkpoint(run, epochs.get(0)).save(models.resolve("simple/.checkpoint"));
    return run;
  }

  @Test
  void anOptionTheRunFixedMustNotChange(@TempDir Path dir) throws Exception {
    Path data = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(40, 1));
    Path models = Files.createDirectories(dir.resolve("models/simple")).getParent();
    interruptedRun(data, models);
    CliRunner.Run r = CliRunner.digits("train", "--resume", "--model", "simple", "--output", models.toString(),
        "--seed", "6");
    assertEquals(1, r.code(), r.out());
    assertEquals("digits: --resume: --seed was 5 in the interrupted run; leave it out or train anew without --resume",
        r.err().strip());
    assertTrue(Files.exists(models.resolve("simple/.checkpoint")), "the checkpoint stays for a correct --resume");
  }

  @Test
  void resumeTakesTheRunsSplitSeedAndVersion(@TempDir Path dir) throws Exception {
    Path data = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(40, 1));
    Path models = Files.createDirectories(dir.resolve("models/simple")).getParent();
    TrainingRun run = interruptedRun(data, models);
    // the same seed given again is no change; the run's version (3) and split (0.25) are kept
    CliRunner.Run r = CliRunner.digits("train", "--resume", "--model", "simple", "--output", models.toString(),
        "--seed", "5");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("validating on 10 ("), "a quarter of 40 rows held out: " + r.out());
    TrainingRun written = TrainingRun.read(models.resolve("simple/3/assets.extra/training.json"));
    assertEquals(run, written, "the export records the run it continued");
  }
}
