package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code digits serve} start-up failures: exit 1 and one line naming what is wrong. */
class ServeCommandTest {

  @Test
  void aMissingBasePathIsOneLineAndExit1(@TempDir Path dir) {
    String err = stderrOf(1, "serve", "--model-base-path", dir.resolve("nothing").toString());
    assertEquals("digits: " + dir.resolve("nothing") + ": no such model folder", err.strip());
  }

  @Test
  void aPortInUseIsOneLineAndExit1(@TempDir Path dir) throws Exception {
    TinyModels.exportSimple(dir.resolve("m/1"), 1);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String err = stderrOf(1, "serve", "--model-base-path", dir.resolve("m").toString(),
          "--port", Integer.toString(taken.getLocalPort()));
      assertTrue(err.startsWith("digits: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": "), err);
      assertEquals(1, err.strip().lines().count(), err);
    }
  }

  @Test
  void badOptionValuesAreUsageErrors() {
    assertEquals(2, Main.run("serve", "--model-base-path", "x", "--port", "http"));
    assertEquals(2, Main.run("serve"));
  }

  private static String stderrOf(int exitCode, String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      assertEquals(exitCode, Main.run(args));
    } finally {
      System.setErr(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
