package io.digits.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;

/**
 * The server's counters in Prometheus text format at {@link #PATH}, as TF Serving exports them
 * (util/prometheus_exporter.cc: its metric paths with "/" written ":", histograms as
 * {@code _bucket}/{@code _sum}/{@code _count}). {@code :tensorflow:serving:request_count} and
 * {@code :tensorflow:serving:request_latency} (microseconds, TF Serving's buckets: 10 x 1.8^i, 33 of
 * them) are TF Serving's metrics for {@code :predict} with a {@code version} label added;
 * {@code :tensorflow:serving:batching_session:input_batch_size} counts the rows of each batched call.
 */
final class Metrics implements HttpHandler {
  static final String PATH = "/monitoring/prometheus/metrics";
  static final String REQUEST_COUNT = ":tensorflow:serving:request_count";
  static final String REQUEST_LATENCY = ":tensorflow:serving:request_latency";
  static final String BATCH_SIZE = ":tensorflow:serving:batching_session:input_batch_size";

  private static final double[] LATENCY_BOUNDS = exponential(10, 1.8, 33);
  private static final double[] BATCH_BOUNDS = exponential(1, 2, 11);

  private final String model;
  // Keyed by the rendered label set: sorted output, and one entry per label combination.
  private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>();
  private final Map<String, Histogram> latencies = new ConcurrentSkipListMap<>();
  private final Map<String, Histogram> batches = new ConcurrentSkipListMap<>();

  Metrics(String model) {
    this.model = model;
  }

  /** One {@code :predict} answered with {@code httpStatus} by {@code version} (empty: none). */
  void request(String version, int httpStatus, long micros) {
    String labels = label("model_name", model) + "," + label("version", version);
    requests.computeIfAbsent(labels + "," + label("status", statusCode(httpStatus)), k -> new LongAdder()).increment();
    latencies.computeIfAbsent(labels + "," + label("API", "predict") + "," + label("entrypoint", "REST"),
        k -> new Histogram(LATENCY_BOUNDS)).add(micros);
  }

  /** One batched session call of {@code rows} rows. */
  void batch(long version, int rows) {
    batches.computeIfAbsent(label("model_name", model) + "," + label("version", Long.toString(version)),
        k -> new Histogram(BATCH_BOUNDS)).add(rows);
  }

  /** The page, in Prometheus text exposition format 0.0.4. */
  String page() {
    StringBuilder out = new StringBuilder();
    section(out, REQUEST_COUNT, "counter", requests, (labels, count) -> REQUEST_COUNT + "{" + labels + "} " + count.sum() + "\n");
    section(out, REQUEST_LATENCY, "histogram", latencies, (labels, h) -> h.render(REQUEST_LATENCY, labels));
    section(out, BATCH_SIZE, "histogram", batches, (labels, h) -> h.render(BATCH_SIZE, labels));
    return out.toString();
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().close();
    boolean get = exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().equals(PATH);
    byte[] body = get ? page().getBytes(StandardCharsets.UTF_8)
        : RestApi.error("Not found: " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
    exchange.getResponseHeaders().set("Content-Type", get ? "text/plain; version=0.0.4; charset=utf-8" : "application/json");
    exchange.sendResponseHeaders(get ? 200 : 404, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private static <T> void section(StringBuilder out, String name, String type, Map<String, T> series,
      BiFunction<String, T, String> line) {
    if (series.isEmpty()) {
      return;
    }
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    series.forEach((labels, value) -> out.append(line.apply(labels, value)));
  }

  /** TF Serving's status code names for the HTTP statuses this server answers (http_server.cc maps them the other way). */
  static String statusCode(int httpStatus) {
    return switch (httpStatus) {
      case 200 -> "OK";
      case 400 -> "INVALID_ARGUMENT";
      case 404 -> "NOT_FOUND";
      case 413 -> "RESOURCE_EXHAUSTED";
      case 503 -> "UNAVAILABLE";
      default -> "INTERNAL";
    };
  }

  private static String label(String name, String value) {
    return name + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }

  /** TF's Buckets::Exponential: {@code count} upper bounds scale x growth^i, then +Inf. */
  private static double[] exponential(double scale, double growth, int count) {
    double[] bounds = new double[count];
    for (int i = 0; i < count; i++) {
      bounds[i] = scale * Math.pow(growth, i);
    }
    return bounds;
  }

  /** Six significant digits, no exponent: the bounds as TF Serving prints them (e.g. "32.4"). */
  private static String number(double v) {
    return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
  }

  private static final class Histogram {
    private final double[] bounds;
    private final AtomicLongArray counts; // per bucket, the last one +Inf
    private final LongAdder sum = new LongAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.counts = new AtomicLongArray(bounds.length + 1);
    }

    void add(long value) {
      int i = 0;
      while (i < bounds.length && value > bounds[i]) {
        i++;
      }
      counts.incrementAndGet(i);
      sum.add(value);
    }

    String render(String name, String labels) {
      StringBuilder out = new StringBuilder();
      long cumulative = 0;
      for (int i = 0; i <= bounds.length; i++) {
        cumulative += counts.get(i);
        String le = i < bounds.length ? number(bounds[i]) : "+Inf";
        out.append(name).append("_bucket{").append(labels).append(",le=\"").append(le).append("\"} ")
            .append(cumulative).append('\n');
      }
      out.append(name).append("_sum{").append(labels).append("} ").append(sum.sum()).append('\n');
      out.append(name).append("_count{").append(labels).append("} ").append(cumulative).append('\n');
      return out.toString();
    }
  }
}
