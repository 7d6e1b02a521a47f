package io.digits.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps TensorFlow's native INFO lines (the oneDNN notice, the CPU feature guard, the SavedModel
 * reader, the MLIR pass) off a command-line user's stderr, with nothing for the user to set.
 *
 * <p>The native library reads {@code TF_CPP_MIN_LOG_LEVEL} from the process environment when it
 * loads, and neither Java nor TF Java's C API can set it (or TF's log level) from inside the JVM.
 * So {@link Main#main} starts the same command once more as a child JVM (same java, JVM options,
 * class path and arguments) with {@code TF_CPP_MIN_LOG_LEVEL=1}; TF's warnings and errors still
 * show. To keep resident memory down, the child also gets {@code MALLOC_ARENA_MAX} (one malloc arena
 * per core), a small first Java heap ({@value #SMALL_FIRST_HEAP}) and, but for {@code serve}, the
 * serial collector, unless the user sets them.
 * One kind of line that variable does not govern is dropped from the child's stderr: the INFO lines
 * that Abseil's logger writes before anything initialises it ({@code I0000 ...
 * mlir_graph_optimization_pass.cc:...] MLIR V1 optimization pass is not enabled}, with its banner
 * "WARNING: All log messages before absl::InitializeLog() ..."); Abseil reads no environment
 * variable for its level. Every other line passes as it is; stdin and stdout are the child's own,
 * so the progress bar and {@code System.console()} behave as in one process.
 *
 * <p>{@code --verbose}, or a {@code TF_CPP_MIN_LOG_LEVEL} the user sets, runs the command in this
 * JVM with every native line. The child's exit code is this process's; a SIGINT or SIGTERM to this
 * process is passed on (SIGTERM) and waited for, so that {@code train} checkpoints as it does in
 * one process; a child whose launcher dies (SIGKILL) shuts down by itself.
 */
final class QuietLaunch {
  /** Set in the child's environment: it runs the command itself (and watches its launcher). */
  static final String CHILD = "DIGITS_QUIET_CHILD";
  static final String TF_LEVEL = "TF_CPP_MIN_LOG_LEVEL";
  static final String MALLOC_ARENAS = "MALLOC_ARENA_MAX";
  static final String SMALL_FIRST_HEAP = "-Xms16m";
  static final String SERIAL_GC = "-XX:+UseSerialGC";

  /** Abseil's INFO line ("I0000 00:00:1795997075.911218   14077 file.cc:401] ...") and its pre-init banner. */
  private static final Pattern ABSL_INFO = Pattern.compile("I\\d{4} \\d\\d:\\d\\d:\\d+\\.\\d+ +\\d+ [^ \\]]+:\\d+\\] .*");
  private static final String ABSL_BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR";

  private QuietLaunch() {}

  /** True when this JVM should hand the command to a quiet child instead of running it. */
  static boolean wanted(String[] args) {
    return System.getenv(CHILD) == null && System.getenv(TF_LEVEL) == null
        && !Arrays.asList(args).contains("--verbose");
  }

  /** In the child: if the launcher dies without passing a signal on (SIGKILL), shut down as on Ctrl-C. */
  static void watchLauncher() {
    if (System.getenv(CHILD) != null) {
      ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> System.exit(130)));
    }
  }

  /**
   * The child's JVM options for {@code command} (the subcommand, e.g. {@code predict}): this JVM's,
   * after a small first heap where they size no heap, and the serial collector where they pick
   * none and the command is not {@code serve}. (The JVM's default first heap is 1/64 of the
   * machine's memory, and G1 fills its young part before collecting: 60-100 MiB of garbage resident
   * beside TF's memory; a small first heap grows as needed. G1's own bookkeeping held another
   * 20-60 MiB of train's and predict's peak, and the serial collector ran them as fast: their heap
   * is small, their data lives in TensorFlow's memory. serve keeps G1: its many request threads
   * make garbage all the time, and under the serial collector batched serving answered 15 % fewer
   * requests by the medians.)
   */
  static List<String> childOptions(List<String> options, String command) {
    List<String> child = new ArrayList<>();
    if (options.stream().noneMatch(o -> o.startsWith("-Xms") || o.startsWith("-Xmx") || o.contains("HeapSize")
        || o.contains("RAMPercentage"))) {
      child.add(SMALL_FIRST_HEAP);
    }
    if (!command.equals("serve") && options.stream().noneMatch(o -> o.matches("-XX:[+-]Use\\w*GC"))) {
      child.add(SERIAL_GC);
    }
    child.addAll(options);
    return child;
  }

  /** Runs {@code args} in a child JVM and returns its exit code. */
  static int relaunch(String[] args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String subcommand = Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
    command.addAll(childOptions(ManagementFactory.getRuntimeMXBean().getInputArguments(), subcommand));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.INHERIT)
        .redirectOutput(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put(CHILD, "1");
    builder.environment().put(TF_LEVEL, "1");
    // glibc gives each thread that mallocs an arena of its own, up to 8 per core, and each keeps what
    // TF's threads freed: one arena per core took 40-60 MiB off predict's peak, at the same speed.
    builder.environment().putIfAbsent(MALLOC_ARENAS,
        Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
    Process child;
    try {
      child = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command.get(0), e);
    }
    Thread pump = new Thread(() -> copyWithoutAbslInfo(child.getErrorStream(), System.err), "stderr");
    pump.start();
    // Ctrl-C reaches the child through the terminal's process group; a kill of this process alone
    // reaches it from here. Either way, wait until the child has cleaned up and said so.
    Thread forward = new Thread(() -> {
      child.toHandle().destroy(); // SIGTERM; Process.destroy() would also close its stderr, losing its last words
      await(child, pump);
    }, "forward-signal");
    Runtime.getRuntime().addShutdownHook(forward);
    int code = await(child, pump);
    try {
      Runtime.getRuntime().removeShutdownHook(forward);
    } catch (IllegalStateException e) {
      // This process is shutting down (a signal): the hook has passed it on and waited for the child.
    }
    return code;
  }

  /** The child's exit code, once its last stderr line is out. */
  private static int await(Process child, Thread pump) {
    try {
      int code = child.waitFor();
      pump.join();
      return code;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /** Copies {@code in} to {@code out} line by line, byte for byte, without Abseil's INFO lines. */
  static void copyWithoutAbslInfo(InputStream in, OutputStream out) {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    // Byte by byte (stderr carries a few lines): with read(byte[]) the child's last line, written as
    // it exited, was lost in one of our runs (cause not pinned down); read() has not lost one since.
    try (in) {
      for (int b; (b = in.read()) >= 0; ) {
        line.write(b);
        if (b == '\n') {
          emit(line, out);
        }
      }
    } catch (IOException e) {
      // The child's stderr is closed: nothing more to copy.
    }
    emit(line, out); // a last line without a newline
  }

  private static void emit(ByteArrayOutputStream line, OutputStream out) {
    if (line.size() == 0) {
      return;
    }
    String text = line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
    try {
      if (!ABSL_INFO.matcher(text).matches() && !text.equals(ABSL_BANNER)) {
        line.writeTo(out);
        out.flush();
      }
    } catch (IOException e) {
      // Nowhere left to write to; drop the line as a closed stderr would.
    }
    line.reset();
  }
}
