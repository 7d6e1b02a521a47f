package io.digits.bench;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The serve load row: CLIENTS keep-alive connections to a running {@code digits serve}, each
 * sending one-image {@code :predict} requests back to back (what the drawing page sends; image i
 * of the CSV for client i), WARMUP seconds untimed, then SECONDS timed. Requests/s and the
 * latency percentiles of the timed window; any answer other than 200 fails the run.
 *
 * <p>The client is a plain socket writing one prepared request and reading the answer by its
 * Content-Length: on two shared cores, a full HTTP client's own CPU time per request would be
 * counted against the server it measures.
 *
 * <p>Usage: ServeLoad PORT MODEL_NAME CSV CLIENTS WARMUP_SECONDS SECONDS
 */
public final class ServeLoad {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String model = args[1];
    Dataset images = DigitCsv.read(Path.of(args[2]));
    int clients = Integer.parseInt(args[3]);
    long warmupEnd = System.nanoTime() + (long) (Double.parseDouble(args[4]) * 1e9);
    long end = warmupEnd + (long) (Double.parseDouble(args[5]) * 1e9);

    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<long[]>> runs = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      byte[] request = request(model, images, c % images.size());
      runs.add(pool.submit(() -> client(port, request, warmupEnd, end)));
    }
    List<Long> latencies = new ArrayList<>();
    for (Future<long[]> f : runs) {
      Arrays.stream(f.get()).forEach(latencies::add);
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - warmupEnd) / 1e9;
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("clients", clients);
    result.put("requests", sorted.length);
    result.put("seconds", seconds);
    result.put("requests_s", sorted.length / seconds);
    result.put("p50_ms", percentile(sorted, 50) / 1e6);
    result.put("p99_ms", percentile(sorted, 99) / 1e6);
    Report.print(result);
  }

  /** Latencies of the requests that started after {@code warmupEnd}. */
  private static long[] client(int port, byte[] request, long warmupEnd, long end) throws IOException {
    List<Long> timed = new ArrayList<>();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      long t0;
      while ((t0 = System.nanoTime()) < end) {
        out.write(request);
        out.flush();
        readAnswer(in);
        if (t0 >= warmupEnd) {
          timed.add(System.nanoTime() - t0);
        }
      }
    }
    return timed.stream().mapToLong(Long::longValue).toArray();
  }

  /** Reads one HTTP/1.1 answer; fails unless it is a 200 with a Content-Length. */
  private static void readAnswer(InputStream in) throws IOException {
    String status = line(in);
    int length = -1;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(header.substring(15).strip());
      }
    }
    byte[] body = in.readNBytes(Math.max(length, 0));
    if (!status.startsWith("HTTP/1.1 200") || length < 0) {
      throw new IOException("answer '" + status + "': " + new String(body, StandardCharsets.UTF_8));
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed by the server");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** The POST of image {@code i} as a row-format instance [28][28][1] of pixel/255. */
  private static byte[] request(String model, Dataset images, int i) {
    StringBuilder json = new StringBuilder("{\"instances\": [[");
    for (int r = 0; r < Dataset.HEIGHT; r++) {
      json.append(r == 0 ? "[" : ",[");
      for (int c = 0; c < Dataset.WIDTH; c++) {
        json.append(c == 0 ? "[" : ",[").append((images.pixels()[i * Dataset.PIXELS + r * Dataset.WIDTH + c] & 0xff) / 255f)
            .append(']');
      }
      json.append(']');
    }
    json.append("]]}");
    byte[] body = json.toString().getBytes(StandardCharsets.UTF_8);
    String head = "POST /v1/models/" + model + ":predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n";
    byte[] request = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + body.length);
    System.arraycopy(body, 0, request, head.length(), body.length);
    return request;
  }

  private static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }
}
