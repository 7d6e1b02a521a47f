package io.digits.testing;

import io.digits.cli.Main;
import io.digits.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in this JVM and captures what it prints; writes CSVs of generated data. */
public final class CliRunner {
  private CliRunner() {}

  /** Output of one run. */
  public record Run(int code, String out, String err) {}

  /** Runs one command line in this JVM (one at a time: stdout and stderr are process-wide). */
  public static synchronized Run digits(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** {@code rows} as a Kaggle CSV (CRLF, as Kaggle's): train.csv's layout if labeled, test.csv's otherwise. */
  public static Path writeCsv(Path file, Dataset rows) {
    StringBuilder s = new StringBuilder(rows.labeled() ? "label" : "");
    for (int i = 0; i < Dataset.PIXELS; i++) {
      s.append(i == 0 && !rows.labeled() ? "" : ",").append("pixel").append(i);
    }
    s.append("\r\n");
    for (int r = 0; r < rows.size(); r++) {
      if (rows.labeled()) {
        s.append(rows.labels()[r]).append(',');
      }
      for (int i = 0; i < Dataset.PIXELS; i++) {
        s.append(i == 0 ? "" : ",").append(rows.pixels()[r * Dataset.PIXELS + i] & 0xff);
      }
      s.append("\r\n");
    }
    try {
      return Files.writeString(file, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
