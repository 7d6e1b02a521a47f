package io.digits.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinyModels;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load on loopback: a fixed number of clients, each sending one-image {@code :predict} requests
 * back to back for a fixed time (what the drawing page sends). Every answer must be a 200; the
 * figures are printed. Defaults keep the suite short; for BENCHMARKS.md:
 * {@code mvn -q -B test -Dtest=ServeLoadTest -Dserve.bench.seconds=5 -Dserve.bench.model=saved_models/double-conv}
 * (serve.bench.clients: 8 by default; without serve.bench.model a tiny simple model is exported).
 */
class ServeLoadTest {

  @Test
  void concurrentClientsAllGetAnswers(@TempDir Path dir) throws Exception {
    int clients = Integer.getInteger("serve.bench.clients", 8);
    Duration duration = Duration.ofMillis(Math.round(1000 * Double.parseDouble(System.getProperty("serve.bench.seconds", "2"))));
    Path model = benchModel(dir);
    ObjectNode request = Json.MAPPER.createObjectNode();
    request.set("instances", ServeFixture.instances(SyntheticDigits.labeled(1, 8)));
    String body = request.toString();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    try (ModelVersions versions = ModelVersions.open("bench", model, Duration.ofHours(1), line -> { });
        ModelServer server = ModelServer.start(versions, new InetSocketAddress("127.0.0.1", 0), clients, System.err::println)) {
      URI predict = server.url().resolve("/v1/models/bench:predict");
      HttpRequest post = HttpRequest.newBuilder(predict).POST(HttpRequest.BodyPublishers.ofString(body)).build();
      for (int i = 0; i < 20; i++) { // warm-up: first runs of a graph are slower
        assertEquals(200, http.send(post, HttpResponse.BodyHandlers.ofString()).statusCode());
      }
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      List<Future<long[]>> results = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        results.add(pool.submit(() -> client(http, post, end)));
      }
      List<Long> latencies = new ArrayList<>();
      for (Future<long[]> f : results) {
        Arrays.stream(f.get()).forEach(latencies::add);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      pool.shutdown();

      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      assertTrue(sorted.length >= clients, "every client got answers");
      System.out.printf(Locale.ROOT, "serve load: %s, %d clients, %.1f s: %d requests, %.0f requests/s,"
              + " latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          model, clients, seconds, sorted.length, sorted.length / seconds,
          percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }
  }

  /** Requests back to back until {@code end}; the latency of each, all answered 200 (else it throws). */
  private static long[] client(HttpClient http, HttpRequest post, long end) throws Exception {
    List<Long> latencies = new ArrayList<>();
    while (System.nanoTime() < end) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
      latencies.add(System.nanoTime() - t0);
      assertEquals(200, r.statusCode(), r.body());
    }
    return latencies.stream().mapToLong(Long::longValue).toArray();
  }

  /** Nearest-rank percentile of sorted values. */
  private static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static Path benchModel(Path dir) {
    String given = System.getProperty("serve.bench.model");
    if (given != null) {
      return Path.of(given).toAbsolutePath();
    }
    TinyModels.exportSimple(dir.resolve("bench/1"), 1);
    return dir.resolve("bench");
  }
}
