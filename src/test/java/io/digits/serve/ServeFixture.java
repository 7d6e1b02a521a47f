package io.digits.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.digits.data.Dataset;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Requests and an HTTP client for the serving tests. */
final class ServeFixture {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  private ServeFixture() {}

  /** Image {@code i} of {@code images} as one row-format instance, [28][28][1] values pixel/255. */
  static ArrayNode instance(Dataset images, int i) {
    ArrayNode rows = Json.MAPPER.createArrayNode();
    for (int r = 0; r < Dataset.HEIGHT; r++) {
      ArrayNode row = rows.addArray();
      for (int c = 0; c < Dataset.WIDTH; c++) {
        row.addArray().add((images.pixels()[i * Dataset.PIXELS + r * Dataset.WIDTH + c] & 0xff) / 255f);
      }
    }
    return rows;
  }

  /** All images as a list of instances. */
  static ArrayNode instances(Dataset images) {
    ArrayNode all = Json.MAPPER.createArrayNode();
    for (int i = 0; i < images.size(); i++) {
      all.add(instance(images, i));
    }
    return all;
  }

  static Reply get(URI base, String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
  }

  static Reply post(URI base, String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(base.resolve(path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static Reply send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
  }

  /** A response: status, content type and body. */
  record Reply(int status, String contentType, String body) {
    JsonNode json() throws IOException {
      return Json.MAPPER.readTree(body);
    }
  }
}
