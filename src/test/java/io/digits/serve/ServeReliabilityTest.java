package io.digits.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinyModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over-large bodies, internal errors, a full queue and a non-loopback address (timeouts: ServeCommandTest). */
class ServeReliabilityTest {
  @TempDir static Path dir;
  static ModelVersions versions;

  @BeforeAll
  static void load() {
    TinyModels.exportSimple(dir.resolve("digits/1"), 3);
    versions = ModelVersions.open("digits", dir.resolve("digits"), Duration.ofHours(1), line -> { });
  }

  @AfterAll
  static void unload() {
    versions.close();
  }

  @Test
  void aBodyOverTheLimitIs413BeforeItIsSent() throws Exception {
    try (ModelServer server = ModelServer.start(versions, ServerOptions.loopback(2, null), System.err::println);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(30_000);
      // Headers only: the answer must come from the Content-Length, without waiting for 32 MiB.
      socket.getOutputStream().write(("POST /v1/models/digits:predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + (RestApi.MAX_BODY_BYTES + 1) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String answer = readSome(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
      assertTrue(answer.contains("{\"error\":\"request body over 32 MiB, this server's limit\"}"), answer);
    }
  }

  @Test
  void aChunkedBodyOverTheLimitIs413() throws Exception {
    try (ModelServer server = ModelServer.start(versions, ServerOptions.loopback(2, null), System.err::println);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write("POST /v1/models/digits:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1 << 20];
      Arrays.fill(chunk, (byte) ' ');
      for (int i = 0; i < RestApi.MAX_BODY_BYTES >> 20; i++) {
        writeChunk(out, chunk);
      }
      writeChunk(out, new byte[] {' '}); // one byte over the limit, then the end
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = readSome(socket.getInputStream());
      assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
    }
  }

  @Test
  void an500SaysNothingOfTheExceptionAndLogsIt() throws Exception {
    List<String> log = new CopyOnWriteArrayList<>();
    Predictions failing = (model, signature, inputs, done) -> {
      throw new IllegalStateException("secret detail at /home/someone/model");
    };
    try (ModelServer server = ModelServer.start(versions, ServerOptions.loopback(2, null), failing,
        new Metrics("digits"), log::add)) {
      ServeFixture.Reply r = ServeFixture.post(server.url(), "/v1/models/digits:predict",
          "{\"instances\": [" + ServeFixture.instance(SyntheticDigits.labeled(1, 1), 0) + "]}");
      assertEquals(500, r.status(), r.body());
      assertEquals("{\"error\":\"Internal error; the server's log has the details\"}", r.body());
      assertTrue(log.stream().anyMatch(line -> line.contains("secret detail at /home/someone/model")), log.toString());
    }
  }

  @Test
  void aRequestFindingTheQueueFullIs503() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Predictions blocking = (model, signature, inputs, done) -> {
      entered.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Predictions.UNBATCHED.predict(model, signature, inputs, done);
    };
    ServerOptions oneWorkerOneQueued = new ServerOptions(new InetSocketAddress("127.0.0.1", 0), 1, 1, 30, 30, null);
    String body = "{\"instances\": [" + ServeFixture.instance(SyntheticDigits.labeled(1, 1), 0) + "]}";
    ExecutorService clients = Executors.newFixedThreadPool(3);
    try (ModelServer server = ModelServer.start(versions, oneWorkerOneQueued, blocking, new Metrics("digits"),
        System.err::println)) {
      Future<ServeFixture.Reply> first = clients.submit(() -> ServeFixture.post(server.url(), "/v1/models/digits:predict", body));
      assertTrue(entered.await(30, TimeUnit.SECONDS), "the first request reached the model");
      // The worker is busy: of two more requests, one waits in the queue and the other finds it full.
      Future<ServeFixture.Reply> second = clients.submit(() -> ServeFixture.post(server.url(), "/v1/models/digits:predict", body));
      Future<ServeFixture.Reply> third = clients.submit(() -> ServeFixture.post(server.url(), "/v1/models/digits:predict", body));
      Future<ServeFixture.Reply> turnedAway = null;
      for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); turnedAway == null && System.nanoTime() < end; ) {
        turnedAway = second.isDone() ? second : third.isDone() ? third : null;
        Thread.sleep(10);
      }
      assertTrue(turnedAway != null, "one of the two was answered while the worker was busy");
      assertEquals(503, turnedAway.get().status(), turnedAway.get().body());
      assertTrue(turnedAway.get().body().contains("overloaded"), turnedAway.get().body());
      release.countDown();
      assertEquals(200, first.get(30, TimeUnit.SECONDS).status());
      Future<ServeFixture.Reply> queued = turnedAway == second ? third : second;
      assertEquals(200, queued.get(30, TimeUnit.SECONDS).status());
    } finally {
      release.countDown();
      clients.shutdownNow();
    }
  }

  @Test
  void onlyANonLoopbackAddressIsWarnedAbout() throws Exception {
    assertTrue(ModelServer.exposureWarning(InetAddress.getByName("127.0.0.1")).isEmpty());
    assertTrue(ModelServer.exposureWarning(InetAddress.getByName("::1")).isEmpty());
    String warning = ModelServer.exposureWarning(InetAddress.getByName("0.0.0.0")).orElseThrow();
    assertTrue(warning.startsWith("warning: listening on 0.0.0.0, reachable from other machines;"), warning);
    assertTrue(warning.contains("no authentication"), warning);
    assertFalse(ModelServer.exposureWarning(InetAddress.getByName("192.168.1.10")).isEmpty());
  }

  private static void writeChunk(OutputStream out, byte[] chunk) throws IOException {
    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(chunk);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  /** What the server sends until it has sent a whole small answer (or closes). */
  private static String readSome(InputStream in) throws IOException {
    byte[] buffer = new byte[4096];
    StringBuilder text = new StringBuilder();
    int n;
    while ((n = in.read(buffer)) > 0) {
      text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      if (text.indexOf("\r\n\r\n") >= 0 && text.toString().endsWith("}")) {
        break;
      }
    }
    return text.toString();
  }
}
