package io.digits.testing;

import io.digits.cli.Main;
import io.digits.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs the command line in this JVM and captures what it prints; writes CSVs of generated data. */
public final class CliRunner {
  private CliRunner() {}

  /** Output of one run. */
  public record Run(int code, String out, String err) {}

  public static Run digits(String... args) {
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

  public static void writeCsv(Path file, Dataset d) throws IOException {
    StringBuilder b = new StringBuilder(d.labeled() ? "label," : "");
    for (int k = 0; k < 784; k++) {
      b.append(k == 0 ? "" : ",").append("pixel").append(k);
    }
    b.append("\r\n");
    for (int i = 0; i < d.size(); i++) {
      if (d.labeled()) {
        b.append(d.labels()[i]).append(',');
      }
      for (int k = 0; k < 784; k++) {
        b.append(k == 0 ? "" : ",").append(d.pixels()[i * 784 + k] & 0xff);
      }
      b.append("\r\n");
    }
    Files.writeString(file, b);
  }

}
