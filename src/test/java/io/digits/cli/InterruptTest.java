package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.scoring.Predictor;
import io.digits.testing.CliRunner;
import io.digits.testing.SyntheticDigits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (or a kill) in the middle of a real training process: no half-written model version, and
 * {@code --resume} ends with the same model as a run that was never interrupted.
 */
class InterruptTest {

  private static Process startTraining(Path data, Path output, Path log) throws Exception {
    return start(log, "train", "--model", "double-conv", "--data", data.toString(), "--epochs", "6",
        "--stop-at-accuracy", "0", "--output", output.toString());
  }

  private static Process start(Path log, String... args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", classpath, Main.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb.start();
  }

  @Test
  void sigintLeavesNoVersionAndResumeFinishesTheSameModel(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("train.csv");
    // Enough rows that an epoch lasts about a second: the interruption must land between epochs 1 and 6.
    CliRunner.writeCsv(data, SyntheticDigits.labeled(4000, 8));
    Path interrupted = dir.resolve("interrupted");
    Path checkpoint = interrupted.resolve("double-conv/.checkpoint");

    interruptOnceExists(startTraining(data, interrupted, dir.resolve("log.txt")), checkpoint, dir.resolve("log.txt"));
    String log = Files.readString(dir.resolve("log.txt"));
    assertTrue(log.contains("continue with: digits train --resume"), log);
    try (var entries = Files.list(interrupted.resolve("double-conv"))) {
      assertEquals(List.of(".checkpoint"), entries.map(e -> e.getFileName().toString()).toList(),
          "only the checkpoint: no version folder, no temporary files");
    }

    CliRunner.Run resumed = CliRunner.digits("train", "--resume", "--model", "double-conv", "--epochs", "6",
        "--stop-at-accuracy", "0", "--output", interrupted.toString());
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("resuming after epoch"), resumed.out());
    assertFalse(Files.exists(checkpoint), "the checkpoint is removed once the model is exported");

    Path whole = dir.resolve("whole");
    assertEquals(0, CliRunner.digits("train", "--model", "double-conv", "--data", data.toString(), "--epochs", "6",
        "--stop-at-accuracy", "0", "--output", whole.toString()).code());

    assertSameModel(whole.resolve("double-conv/1"), interrupted.resolve("double-conv/1"));
  }

  /** Waits for {@code file} to appear while {@code p} runs, then interrupts {@code p} as Ctrl-C would. */
  private static void interruptOnceExists(Process p, Path file, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(file) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(p.isAlive(), "training still running when " + file + " appeared: " + Files.readString(log));
    new ProcessBuilder("kill", interruptSignal(p.pid()), Long.toString(p.pid())).start().waitFor();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the signal stops training");
  }

  @Test
  void anInterruptedEnsembleResumesFromItsLastMemberAndEpoch(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("train.csv");
    CliRunner.writeCsv(data, SyntheticDigits.labeled(3000, 8));
    Path interrupted = dir.resolve("interrupted");
    String[] args = {"train", "--model", "double-conv", "--ensemble", "2", "--data", data.toString(), "--epochs", "4",
        "--stop-at-accuracy", "0", "--output", interrupted.toString()};
    Path state = interrupted.resolve("double-conv-ensemble/.ensemble");
    Path log = dir.resolve("log.txt");
    // member 1 finished and member 2 one epoch in: the interruption lands inside member 2
    interruptOnceExists(start(log, args), state.resolve("member-2.checkpoint"), log);
    assertTrue(Files.readString(log).contains("continue with the same command and --resume"), Files.readString(log));
    assertTrue(Files.exists(state.resolve("member-1.done")));
    try (var entries = Files.list(interrupted.resolve("double-conv-ensemble"))) {
      assertEquals(List.of(".ensemble"), entries.map(e -> e.getFileName().toString()).toList(), "no version folder");
    }

    List<String> again = new ArrayList<>(List.of(args));
    again.add("--resume");
    CliRunner.Run resumed = CliRunner.digits(again.toArray(String[]::new));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("Member 1/2 (seed 2): training on 2,700 rows, validating on 300: finished before"
        + " the interruption"), resumed.out());
    assertTrue(resumed.out().matches("(?s).*Member 2/2 .*, resuming after epoch [123]\\R.*"), resumed.out());
    assertFalse(Files.exists(state), "the state is removed once the ensemble is exported");

    Path whole = dir.resolve("whole");
    args[args.length - 1] = whole.toString();
    assertEquals(0, CliRunner.digits(args).code());
    assertSameModel(whole.resolve("double-conv-ensemble/1"), interrupted.resolve("double-conv-ensemble/1"));
  }

  /** The resumed model scores as the uninterrupted one, within 1e-5 (oneDNN's run-to-run reduction order). */
  private static void assertSameModel(Path whole, Path resumed) {
    Dataset images = SyntheticDigits.labeled(64, 10);
    try (Predictor a = Predictor.open(resumed, 255f);
        Predictor b = Predictor.open(whole, 255f)) {
      float[][] pa = a.predict(images);
      float[][] pb = b.predict(images);
      for (int i = 0; i < pa.length; i++) {
        for (int k = 0; k < 10; k++) {
          assertEquals(pb[i][k], pa[i][k], 1e-5, "image " + i + " class " + k);
        }
      }
    }
  }

  /**
   * Ctrl-C's SIGINT, unless the training process ignores it: a shell without job control (a CI
   * runner, a nohup'ed make) starts background commands with SIGINT ignored, and the JVM keeps it
   * so. Then a plain kill's SIGTERM, which reaches the same shutdown path.
   */
  private static String interruptSignal(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("SigIgn:")) {
        long ignored = Long.parseLong(line.substring("SigIgn:".length()).strip(), 16);
        return (ignored & (1L << (2 - 1))) != 0 ? "-TERM" : "-INT";
      }
    }
    return "-INT";
  }

  @Test
  void resumeWithoutCheckpointIsAClearError(@TempDir Path dir) throws Exception {
    CliRunner.Run none = CliRunner.digits("train", "--resume", "--output", dir.toString());
    assertEquals(1, none.code());
    assertTrue(none.err().contains("no checkpoint to resume from"), none.err());
  }
}
