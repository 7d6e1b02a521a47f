package io.digits.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinyModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /monitoring/prometheus/metrics}: TF Serving's names, parsed as Prometheus text format 0.0.4. */
class MetricsTest {
  // A sample line: name, optional {labels}, value (the format's grammar, less timestamps, which are not written).
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  @Test
  void requestsAreCountedByVersionAndStatusWithALatencyHistogram(@TempDir Path dir) throws Exception {
    TinyModels.exportSimple(dir.resolve("digits/1"), 2);
    String good = "{\"instances\": [" + ServeFixture.instance(SyntheticDigits.labeled(1, 4), 0) + "]}";
    try (ModelVersions versions = ModelVersions.open("digits", dir.resolve("digits"), Duration.ofHours(1), line -> { });
        ModelServer server = ModelServer.start(versions, ServerOptions.loopback(2, null), System.err::println)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(200, ServeFixture.post(server.url(), "/v1/models/digits:predict", good).status());
      }
      assertEquals(400, ServeFixture.post(server.url(), "/v1/models/digits:predict", "{\"instances\": [1]}").status());
      assertEquals(404, ServeFixture.post(server.url(), "/v1/models/digits/versions/9:predict", good).status());
      assertEquals(404, ServeFixture.post(server.url(), "/v1/models/other:predict", good).status()); // not this model: not counted
      assertEquals(200, ServeFixture.get(server.url(), "/v1/models/digits").status()); // not a :predict: not counted

      ServeFixture.Reply page = ServeFixture.get(server.url(), Metrics.PATH);
      assertEquals(200, page.status());
      assertEquals("text/plain; version=0.0.4; charset=utf-8", page.contentType());
      List<Sample> samples = parse(page.body());

      assertEquals(3, value(samples, ":tensorflow:serving:request_count",
          Map.of("model_name", "digits", "version", "1", "status", "OK")));
      assertEquals(1, value(samples, ":tensorflow:serving:request_count",
          Map.of("model_name", "digits", "version", "1", "status", "INVALID_ARGUMENT")));
      assertEquals(1, value(samples, ":tensorflow:serving:request_count",
          Map.of("model_name", "digits", "version", "", "status", "NOT_FOUND")));
      assertEquals(3, samples.stream().filter(s -> s.name.equals(":tensorflow:serving:request_count")).count());

      Map<String, String> v1 = Map.of("model_name", "digits", "version", "1", "API", "predict", "entrypoint", "REST");
      List<Sample> buckets = samples.stream()
          .filter(s -> s.name.equals(":tensorflow:serving:request_latency_bucket") && s.labelsWithout("le").equals(v1))
          .toList();
      assertEquals(34, buckets.size(), "TF Serving's 33 bounds and +Inf");
      assertEquals("10", buckets.get(0).labels.get("le"));
      assertEquals("18", buckets.get(1).labels.get("le"));
      assertEquals("32.4", buckets.get(2).labels.get("le"));
      assertEquals("+Inf", buckets.get(33).labels.get("le"));
      for (int i = 1; i < buckets.size(); i++) {
        assertTrue(buckets.get(i).value >= buckets.get(i - 1).value, "cumulative buckets");
      }
      assertEquals(4, buckets.get(33).value, "the 200s and the 400 of version 1");
      assertEquals(4, value(samples, ":tensorflow:serving:request_latency_count", v1));
      assertTrue(value(samples, ":tensorflow:serving:request_latency_sum", v1) > 0, "microseconds spent");
      assertTrue(page.body().contains("# TYPE :tensorflow:serving:request_count counter\n"), page.body());
      assertTrue(page.body().contains("# TYPE :tensorflow:serving:request_latency histogram\n"), page.body());
    }
  }

  record Sample(String name, Map<String, String> labels, double value) {
    Map<String, String> labelsWithout(String name) {
      Map<String, String> rest = new HashMap<>(labels);
      rest.remove(name);
      return rest;
    }
  }

  /** Every line is a # comment or a sample; anything else fails the test. */
  static List<Sample> parse(String page) {
    List<Sample> samples = new ArrayList<>();
    for (String line : page.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a sample line: " + line);
      Map<String, String> labels = new HashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        int end = 0;
        while (l.find() && l.start() == end) {
          labels.put(l.group(1), l.group(2));
          end = l.end();
        }
        assertEquals(m.group(2).length(), end, "labels of " + line);
      }
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3).replace("+Inf", "Infinity"))));
    }
    return samples;
  }

  private static double value(List<Sample> samples, String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(labels)).findFirst()
        .orElseThrow(() -> new AssertionError(name + labels + " not in " + samples)).value;
  }
}
