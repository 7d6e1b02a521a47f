package io.digits.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.data.Dataset;
import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinyModels;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * {@code serve --batching}: concurrent requests gathered into one session call answer exactly
 * what they answer alone, and a request that fails the call fails alone. The batches are made
 * deterministic by a batch size equal to all the rows sent and a long batch timeout: the batch
 * runs when the last request arrives, and the batch-size metric shows it was one call.
 */
class ServeBatchingTest {
  private static final long WAIT_FOR_ALL = 30_000_000; // 30 s in microseconds: the batch fills long before

  @Test
  void batchedAnswersAreTheBytesOfUnbatchedOnes(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("digits");
    TinyModels.exportSimple(model.resolve("1"), 5);
    Dataset images = SyntheticDigits.labeled(10, 12);
    // Requests of 1, 2, 3 and 4 rows, row format and columnar: 20 rows in all.
    List<String> bodies = new ArrayList<>();
    int first = 0;
    for (int rows = 1; rows <= 4; rows++) {
      for (String key : List.of("instances", "inputs")) {
        ArrayNode instances = Json.MAPPER.createArrayNode();
        for (int i = 0; i < rows; i++) {
          instances.add(ServeFixture.instance(images, (first + i) % images.size()));
        }
        first += rows;
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set(key, instances);
        bodies.add(body.toString());
      }
    }
    int totalRows = 20;

    try (ModelVersions versions = ModelVersions.open("digits", model, Duration.ofHours(1), line -> { })) {
      List<ServeFixture.Reply> alone;
      try (ModelServer unbatched = ModelServer.start(versions, ServerOptions.loopback(2, null), System.err::println)) {
        alone = concurrently(unbatched.url(), "digits", bodies);
      }
      BatchingOptions batching = new BatchingOptions(totalRows, WAIT_FOR_ALL, 1);
      try (ModelServer batched = ModelServer.start(versions, ServerOptions.loopback(bodies.size(), batching),
          System.err::println)) {
        List<ServeFixture.Reply> together = concurrently(batched.url(), "digits", bodies);
        for (int i = 0; i < bodies.size(); i++) {
          assertEquals(200, alone.get(i).status(), alone.get(i).body());
          assertEquals(alone.get(i).body(), together.get(i).body(), "request " + i);
        }
        String metrics = ServeFixture.get(batched.url(), Metrics.PATH).body();
        assertTrue(metrics.contains(Metrics.BATCH_SIZE + "_count{model_name=\"digits\",version=\"1\"} 1\n"), metrics);
        assertTrue(metrics.contains(Metrics.BATCH_SIZE + "_sum{model_name=\"digits\",version=\"1\"} " + totalRows + "\n"),
            metrics);
      }
    }
  }

  @Test
  void aRequestThatFailsTheBatchedCallFailsAlone(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("checked");
    exportCheckNumerics(model.resolve("1"));
    List<String> bodies = List.of("{\"instances\": [[1, 2, 3]]}", "{\"instances\": [[4, 5, 6], [7, 8, 9]]}",
        "{\"instances\": [[1, NaN, 3]]}", "{\"inputs\": [[0.5, 0.25, -1]]}");
    BatchingOptions batching = new BatchingOptions(5, WAIT_FOR_ALL, 1);
    try (ModelVersions versions = ModelVersions.open("checked", model, Duration.ofHours(1), line -> { });
        ModelServer server = ModelServer.start(versions, ServerOptions.loopback(bodies.size(), batching),
            System.err::println)) {
      List<ServeFixture.Reply> replies = concurrently(server.url(), "checked", bodies);
      assertEquals(List.of(200, 200, 400, 200), replies.stream().map(ServeFixture.Reply::status).toList(),
          replies.toString());
      assertEquals("{\"predictions\":[[2.0,4.0,6.0]]}", replies.get(0).body());
      assertEquals("{\"predictions\":[[8.0,10.0,12.0],[14.0,16.0,18.0]]}", replies.get(1).body());
      assertTrue(replies.get(2).json().get("error").asText().contains("NaN"), replies.get(2).body());
      assertEquals("{\"outputs\":[[1.0,0.5,-2.0]]}", replies.get(3).body());
      String metrics = ServeFixture.get(server.url(), Metrics.PATH).body();
      assertTrue(metrics.contains(Metrics.BATCH_SIZE + "_sum{model_name=\"checked\",version=\"1\"} 5\n"), metrics);
    }
  }

  @Test
  void aRequestFindingTheBatchQueueFullIs503(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("digits");
    TinyModels.exportSimple(model.resolve("1"), 5);
    Dataset images = SyntheticDigits.labeled(2, 12);
    String oneRow = "{\"instances\": " + ServeFixture.instances(SyntheticDigits.labeled(1, 3)) + "}";
    String twoRows = "{\"instances\": " + ServeFixture.instances(images) + "}";
    // Batches of 2 rows, one batch's worth may wait, and a batch that is not full waits 30 s: once
    // one row waits, two more rows do not fit (while nothing waits, two rows run at once).
    BatchingOptions batching = new BatchingOptions(2, WAIT_FOR_ALL, 1, 1);
    ExecutorService clients = Executors.newSingleThreadExecutor();
    try (ModelVersions versions = ModelVersions.open("digits", model, Duration.ofHours(1), line -> { })) {
      Future<ServeFixture.Reply> waiting;
      try (ModelServer server = ModelServer.start(versions, ServerOptions.loopback(4, batching), System.err::println)) {
        Callable<ServeFixture.Reply> single = () -> ServeFixture.post(server.url(), "/v1/models/digits:predict", oneRow);
        waiting = clients.submit(single);
        ServeFixture.Reply reply = null;
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < end; Thread.sleep(10)) {
          if (waiting.isDone()) {
            // It arrived while two rows were still queued and was turned away itself: send it again.
            waiting = clients.submit(single);
          }
          reply = ServeFixture.post(server.url(), "/v1/models/digits:predict", twoRows);
          if (reply.status() != 200) {
            break;
          }
        }
        assertEquals(503, reply.status(), reply.body());
        assertTrue(reply.json().get("error").asText().contains("The batch scheduling queue to which this task was"
            + " submitted is full (1 rows wait, at most 2)"), reply.body());
        assertTrue(!waiting.isDone(), "the single row waits for its batch to fill");
      }
      // Closing the server ran the waiting batch and answered it.
      assertEquals(200, waiting.get(30, TimeUnit.SECONDS).status());
    } finally {
      clients.shutdownNow();
    }
  }

  /** POSTs every body to :predict at once, one thread each; the replies in the bodies' order. */
  static List<ServeFixture.Reply> concurrently(URI base, String model, List<String> bodies) throws Exception {
    String path = "/v1/models/" + model + ":predict";
    ExecutorService clients = Executors.newFixedThreadPool(bodies.size());
    try {
      List<Future<ServeFixture.Reply>> replies = new ArrayList<>();
      for (String body : bodies) {
        replies.add(clients.submit((Callable<ServeFixture.Reply>) () -> ServeFixture.post(base, path, body)));
      }
      List<ServeFixture.Reply> out = new ArrayList<>();
      for (Future<ServeFixture.Reply> r : replies) {
        out.add(r.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      clients.shutdownNow();
    }
  }

  /** A model whose call fails on a NaN anywhere in its input: x float [-1,3] -> y = CheckNumerics(x) * 2. */
  private static void exportCheckNumerics(Path dir) throws IOException {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      Operand<TFloat32> y = tf.withName("y").math.mul(tf.debugging.checkNumerics(x, "input has NaN or Inf"),
          tf.constant(2f));
      Signature signature = Signature.builder("serving_default").input("x", x).output("y", y)
          .methodName("tensorflow/serving/predict").build();
      try (Session session = new Session(graph)) {
        SavedModelBundle.exporter(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG)
            .withFunction(SessionFunction.create(signature, session)).export();
      }
    }
  }
}
