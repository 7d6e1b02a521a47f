package io.digits.cli;

import io.digits.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@link Main#run} with stdout and stderr captured, and writes data sets as CSV files for it. */
final class Cli {
  /** Exit code and what the command printed. */
  record Outcome(int exit, String out, String err) {}

  private Cli() {}

  static synchronized Outcome run(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  /** {@code rows} as a Kaggle CSV: train.csv's layout if labeled, test.csv's otherwise. */
  static Path writeCsv(Path file, Dataset rows) {
    StringBuilder s = new StringBuilder(rows.labeled() ? "label" : "");
    for (int i = 0; i < Dataset.PIXELS; i++) {
      s.append(i == 0 && !rows.labeled() ? "" : ",").append("pixel").append(i);
    }
    s.append('\n');
    for (int r = 0; r < rows.size(); r++) {
      if (rows.labeled()) {
        s.append(rows.labels()[r]).append(',');
      }
      for (int i = 0; i < Dataset.PIXELS; i++) {
        s.append(i == 0 ? "" : ",").append(rows.pixels()[r * Dataset.PIXELS + i] & 0xff);
      }
      s.append('\n');
    }
    try {
      return Files.writeString(file, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
