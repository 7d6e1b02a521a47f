package io.digits.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.data.Dataset;
import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinyModels;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load on loopback against the batched server (TF Serving's default knobs): clients each sending
 * one-image {@code :predict} requests back to back (what the drawing page sends), for a second and
 * at most {@link #MAX_PER_CLIENT} requests each. Every answer must be a 200 with exactly the bytes
 * that image gets when it is sent alone, and the metrics must count every request. Speed is
 * measured by {@code make bench} (bench/java/io/digits/bench/ServeLoad.java), not here.
 */
class ServeLoadTest {
  private static final int CLIENTS = 16;
  private static final int MAX_PER_CLIENT = 200;
  private static final Duration DURATION = Duration.ofSeconds(1);

  @Test
  void concurrentClientsGetTheAnswersOfLoneRequests(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("bench");
    TinyModels.exportSimple(model.resolve("1"), 1);
    Dataset images = SyntheticDigits.labeled(CLIENTS, 8);
    BatchingOptions batching = new BatchingOptions(BatchingOptions.DEFAULT_MAX_BATCH_SIZE, 0, 2);

    try (ModelVersions versions = ModelVersions.open("bench", model, Duration.ofHours(1), line -> { });
        ModelServer server = ModelServer.start(versions, ServerOptions.loopback(CLIENTS, batching), System.err::println)) {
      List<String> bodies = new ArrayList<>();
      List<String> alone = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.putArray("instances").add(ServeFixture.instance(images, c));
        bodies.add(request.toString());
        ServeFixture.Reply reply = ServeFixture.post(server.url(), "/v1/models/bench:predict", request.toString());
        assertEquals(200, reply.status(), reply.body());
        alone.add(reply.body());
      }

      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      long end = System.nanoTime() + DURATION.toNanos();
      List<Future<Integer>> sent = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        sent.add(pool.submit(() -> client(server.url(), bodies.get(client), alone.get(client), end)));
      }
      int total = CLIENTS; // the lone requests above
      for (Future<Integer> f : sent) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      // The server counts a request after its answer is sent, so the last few may still be counting
      // when the clients are done: read until the count is in, or for 10 s.
      String line = Metrics.REQUEST_COUNT + "{model_name=\"bench\",version=\"1\",status=\"OK\"} " + total + "\n";
      String metrics = ServeFixture.get(server.url(), Metrics.PATH).body();
      for (long until = System.nanoTime() + 10_000_000_000L; !metrics.contains(line) && System.nanoTime() < until; ) {
        Thread.sleep(50);
        metrics = ServeFixture.get(server.url(), Metrics.PATH).body();
      }
      assertTrue(metrics.contains(line), "request_count " + total + " in\n" + metrics);
    }
  }

  /** Requests back to back until {@code end}; each must answer {@code expected}. Returns how many were sent. */
  private static int client(URI base, String body, String expected, long end) throws Exception {
    int n = 0;
    while (System.nanoTime() < end && n < MAX_PER_CLIENT) {
      ServeFixture.Reply reply = ServeFixture.post(base, "/v1/models/bench:predict", body);
      n++;
      assertEquals(200, reply.status(), reply.body());
      assertEquals(expected, reply.body(), "request " + n);
    }
    return n;
  }
}
