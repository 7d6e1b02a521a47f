package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.testing.TinyModels;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code digits serve}: start-up failures (exit 1 and one line naming what is wrong), and the
 * timeouts, which the JDK server reads once per JVM: that test runs the command in a child JVM.
 */
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
  void aNegativeIntraOpParallelismIsOneLineAndExit1(@TempDir Path dir) {
    String err = stderrOf(1, "serve", "--model-base-path", dir.toString(), "--tensorflow-intra-op-parallelism", "-2");
    assertEquals("digits: serve: intra-op parallelism must be 0 (TF picks) or more, not -2", err.strip());
  }

  @Test
  void badOptionValuesAreUsageErrors() {
    assertEquals(2, Main.run("serve", "--model-base-path", "x", "--port", "http"));
    assertEquals(2, Main.run("serve"));
  }

  /**
   * A client that sends half a request holds one worker thread: the others still answer, and the
   * stalled connection is closed after --request-timeout-seconds; a kept-alive connection left idle
   * is closed after --idle-timeout-seconds. (What the JDK 17 server does with its
   * sun.net.httpserver.maxReqTime and idleInterval properties, which the options set.)
   */
  @Test
  void stalledAndIdleConnectionsAreClosedAfterTheirTimeouts(@TempDir Path dir) throws Exception {
    TinyModels.exportSimple(dir.resolve("m/1"), 1);
    Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
        "--model-base-path", dir.resolve("m").toString(), "--port", "0", "--threads", "2",
        "--request-timeout-seconds", "2", "--idle-timeout-seconds", "1")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      int port = portOf(serve);
      try (Socket stalled = new Socket(InetAddress.getLoopbackAddress(), port);
          Socket idle = new Socket(InetAddress.getLoopbackAddress(), port)) {
        stalled.setSoTimeout(30_000);
        idle.setSoTimeout(30_000);
        long start = System.nanoTime();
        stalled.getOutputStream().write(("POST /v1/models/m:predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Length: 1000\r\n\r\n{\"instan").getBytes(StandardCharsets.US_ASCII));

        idle.getOutputStream().write("GET /v1/models/m HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        String answer = new String(idle.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
        long answered = System.nanoTime();
        assertEquals("HTTP/1.1 200", answer, "answered while the other connection stalls");

        assertEquals(-1, drain(stalled.getInputStream()), "the stalled connection is closed, unanswered");
        long stalledClosed = System.nanoTime();
        assertTrue(answered < stalledClosed, "the other request did not wait for the stalled one");
        double stalledSeconds = (stalledClosed - start) / 1e9;
        assertTrue(stalledSeconds >= 1.9 && stalledSeconds < 15, "closed after " + stalledSeconds + " s");

        assertEquals(-1, drain(idle.getInputStream()), "the idle connection is closed");
        double idleSeconds = (System.nanoTime() - answered) / 1e9;
        assertTrue(idleSeconds >= 0.9 && idleSeconds < 15, "idle connection closed after " + idleSeconds + " s");
      }
    } finally {
      serve.destroy();
      serve.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The port from the command's "REST API at http://127.0.0.1:PORT/..." line. */
  private static int portOf(Process serve) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    Pattern url = Pattern.compile("REST API at http://127\\.0\\.0\\.1:(\\d+)/");
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      Matcher m = url.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("digits serve ended before listening (exit " + serve.waitFor() + ")");
  }

  /**
   * Reads until the server closes the connection (-1; a reset counts as closed), skipping what it
   * still sends; the socket's read timeout fails the test.
   */
  private static int drain(InputStream in) {
    try {
      int b;
      while ((b = in.read()) >= 0) {
        // the rest of an answer
      }
      return b;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server did not close the connection", e);
    } catch (IOException reset) {
      return -1;
    }
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
