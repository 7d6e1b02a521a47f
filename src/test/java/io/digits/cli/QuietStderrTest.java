package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.testing.CliRunner;
import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinySavedModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/**
 * The command line as a user runs it from a plain shell: {@code Main} in a child JVM whose
 * environment holds only PATH and HOME (no TF_CPP_MIN_LOG_LEVEL), its stderr read line by line.
 */
class QuietStderrTest {
  /** A TensorFlow warning or error line (C++ logger or Abseil's): allowed, as they may differ by CPU. */
  private static final Pattern TF_WARNING = Pattern.compile(
      "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d+: [WEF] .*|[WEF]\\d{4} \\d\\d:\\d\\d:\\d+\\.\\d+ .*");

  @TempDir static Path dir;
  static Path model;
  static Path good;

  record Run(int code, String out, List<String> err) {}

  @BeforeAll
  static void modelAndInput() throws Exception {
    model = dir.resolve("tiny/1");
    TinySavedModels.write(model, "serve", "image", Shape.of(-1, 28, 28, 1));
    good = CliRunner.writeCsv(dir.resolve("good.csv"), new Dataset(SyntheticDigits.labeled(5, 1).pixels(), null));
  }

  private static ProcessBuilder digits(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("HOME", System.getProperty("user.home"));
    builder.environment().putAll(env);
    return builder;
  }

  private static Run run(Map<String, String> env, String... args) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = digits(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "digits " + String.join(" ", args) + " finished");
    return new Run(p.exitValue(), Files.readString(out), Files.readAllLines(err, StandardCharsets.UTF_8));
  }

  private static Run run(String... args) throws Exception {
    return run(Map.of(), args);
  }

  /**
   * The child starts with a small heap unless the user sized one (a -Xms above their -Xmx would not
   * start), and with the serial collector unless the user picked a collector (two would not start)
   * or the command is serve.
   */
  @Test
  void theChildGetsASmallFirstHeapAndTheSerialCollectorUnlessTheUserSetsThem() {
    assertEquals(List.of(QuietLaunch.SMALL_FIRST_HEAP, QuietLaunch.SERIAL_GC, "-Dx=1"),
        QuietLaunch.childOptions(List.of("-Dx=1"), "predict"));
    assertEquals(List.of(QuietLaunch.SMALL_FIRST_HEAP, "-Dx=1"), QuietLaunch.childOptions(List.of("-Dx=1"), "serve"));
    for (String sized : List.of("-Xmx8m", "-Xms1g", "-XX:MaxRAMPercentage=50", "-XX:InitialHeapSize=64m")) {
      assertEquals(List.of(QuietLaunch.SERIAL_GC, sized), QuietLaunch.childOptions(List.of(sized), "train"), sized);
    }
    for (String collector : List.of("-XX:+UseG1GC", "-XX:+UseZGC", "-XX:+UseParallelGC", "-XX:-UseSerialGC")) {
      assertEquals(List.of(QuietLaunch.SMALL_FIRST_HEAP, collector),
          QuietLaunch.childOptions(List.of(collector), "train"), collector);
    }
  }

  @Test
  void malformedInputGivesExactlyOneLine() throws Exception {
    // The bad row comes after the model is loaded and the first rows are read: TensorFlow has spoken by then.
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, Files.readString(good) + "1,2,3\r\n");
    Run r = run("predict", "--model-dir", model.toString(), "--input", bad.toString(), "--output", "sub-bad.csv");
    assertEquals(1, r.code(), String.join("\n", r.err()));
    assertEquals(List.of("digits: " + bad + ":7: expected 784 values (784 pixels, no label), found 3"), r.err());
    assertFalse(Files.exists(dir.resolve("sub-bad.csv")));
  }

  @Test
  void scoringAndInspectingPrintNoTensorFlowInfo() throws Exception {
    Run predict = run("predict", "--model-dir", model.toString(), "--input", good.toString(), "--output", "sub.csv");
    assertEquals(0, predict.code(), String.join("\n", predict.err()));
    assertTrue(predict.out().startsWith("Wrote sub.csv: 5 rows"), predict.out());
    assertOnlyWarnings(predict.err());

    Run inspect = run("inspect", "--model-dir", model.toString());
    assertEquals(0, inspect.code(), String.join("\n", inspect.err()));
    assertTrue(inspect.out().contains("signature_def['serving_default']"), inspect.out());
    assertOnlyWarnings(inspect.err());
  }

  private static void assertOnlyWarnings(List<String> err) {
    assertEquals(List.of(), err.stream().filter(l -> !TF_WARNING.matcher(l).matches()).toList(),
        "stderr holds no TensorFlow INFO line and nothing else but TF warnings");
  }

  @Test
  void verboseOrTheUsersLevelBringsTheInfoLinesBack() throws Exception {
    for (Run r : List.of(
        run("predict", "--verbose", "--model-dir", model.toString(), "--input", good.toString(), "--output", "v.csv"),
        run(Map.of("TF_CPP_MIN_LOG_LEVEL", "0"),
            "predict", "--model-dir", model.toString(), "--input", good.toString(), "--output", "v0.csv"))) {
      assertEquals(0, r.code(), String.join("\n", r.err()));
      assertTrue(r.err().stream().anyMatch(l -> l.contains("Reading SavedModel from")), String.join("\n", r.err()));
    }
  }

  @Test
  void aKillOfTheLauncherReachesTrainingWhichCheckpoints() throws Exception {
    Path data = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(2000, 3));
    Path output = dir.resolve("models");
    Path checkpoint = output.resolve("simple/.checkpoint");
    Path log = dir.resolve("train-log.txt");
    Process launcher = digits(Map.of(), "train", "--model", "simple", "--data", data.toString(), "--epochs", "100000",
        "--stop-at-accuracy", "0", "--output", output.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(checkpoint) && launcher.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    List<ProcessHandle> children = launcher.descendants().toList();
    assertTrue(launcher.isAlive() && !children.isEmpty(), "training runs in a child: " + Files.readString(log));

    launcher.destroy(); // SIGTERM to the launcher alone, as `kill PID` does
    assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher waits for training to stop, then exits");
    for (ProcessHandle child : children) {
      assertFalse(child.isAlive(), "no training left running");
    }
    String text = Files.readString(log);
    assertTrue(text.contains("continue with: digits train --resume"), text);
    try (var entries = Files.list(output.resolve("simple"))) {
      assertEquals(List.of(".checkpoint"), entries.map(e -> e.getFileName().toString()).toList());
    }
  }
}
