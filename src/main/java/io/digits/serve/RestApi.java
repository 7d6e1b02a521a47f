package io.digits.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TF Serving's REST API under {@code /v1/}, for what a predict model uses: model status, model
 * metadata and {@code :predict}. Paths, HTTP methods and error statuses follow TF Serving's
 * model_servers/http_rest_api_handler.cc (the two path patterns below are its regular expressions,
 * less the version labels this server does not have); every error is the body
 * {@code {"error": "<message>"}}.
 */
final class RestApi implements HttpHandler {
  static final int MAX_BODY_BYTES = 32 << 20;

  private static final Pattern PREDICTION =
      Pattern.compile("(?i)/v1/models/([^/:]+)(?:/versions/(\\d+))?:(classify|regress|predict)");
  private static final Pattern STATUS =
      Pattern.compile("(?i)/v1/models(?:/([^/:]+))?(?:/versions/(\\d+))?(/metadata)?");

  private final ModelVersions versions;
  private final Predictions predictions;
  private final Metrics metrics;
  private final Consumer<String> log;

  RestApi(ModelVersions versions, Predictions predictions, Metrics metrics, Consumer<String> log) {
    this.versions = versions;
    this.predictions = predictions;
    this.metrics = metrics;
    this.log = log;
  }

  @Override
  public void handle(HttpExchange exchange) {
    long start = System.nanoTime();
    Call call = new Call();
    try {
      answer(call, exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange,
          (answer, failure) -> finish(exchange, call, start, answer, failure));
    } catch (RuntimeException e) {
      finish(exchange, call, start, null, e);
    }
  }

  /**
   * Sends the answer, or the error a failure makes (a ServingException's status and message; any
   * other failure a 500 that tells the client nothing of it, logged for the operator). Never throws.
   */
  private void finish(HttpExchange exchange, Call call, long start, byte[] answer, RuntimeException failure) {
    int status = 200;
    if (failure instanceof ServingException e) {
      status = e.httpStatus();
      answer = error(e.getMessage());
    } else if (failure != null) {
      log.accept("Internal error on " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + ": " + failure);
      status = 500;
      answer = error("Internal error; the server's log has the details");
    }
    try {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      if (status == 413) {
        exchange.getResponseHeaders().set("Connection", "close"); // the rest of the body is not read
      }
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      // Sent before close(), which drains what is left of an unread body (up to 64 KiB, as long as
      // the request timeout allows) before it finishes the answer.
      exchange.getResponseBody().flush();
    } catch (IOException e) {
      // The client has gone: nobody to answer.
    } catch (RuntimeException e) {
      // Never thrown on: this may run on a batch thread, which goes on to the next request's answer.
      log.accept("Cannot answer " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + ": " + e);
    } finally {
      exchange.close();
    }
    if (call.predict) {
      metrics.request(call.version, status, (System.nanoTime() - start) / 1000);
    }
  }

  /** What the metrics need to know of a request: a :predict of this server's model, answered by which version. */
  private static final class Call {
    boolean predict;
    String version = "";
  }

  /** Answers through {@code done}, exactly once, now or later on another thread; or throws without calling it. */
  private void answer(Call call, String method, String path, HttpExchange exchange,
      BiConsumer<byte[], RuntimeException> done) {
    Matcher m;
    if (method.equals("POST") && (m = PREDICTION.matcher(path)).matches()) {
      if (!m.group(3).equalsIgnoreCase("predict")) {
        throw ServingException.badRequest(m.group(3) + " needs a tensorflow/serving/" + m.group(3).toLowerCase()
            + " signature; this server answers :predict");
      }
      call.predict = m.group(1).equals(versions.name());
      byte[] body = body(exchange);
      ModelVersions.Lease lease = lease(m.group(1), m.group(2));
      PredictRequest request;
      try {
        call.version = Long.toString(lease.model().version());
        request = PredictRequest.parse(body, lease.model());
      } catch (RuntimeException e) {
        lease.close();
        throw e;
      }
      predict(lease, request, done);
      return;
    }
    if (method.equals("GET") && (m = STATUS.matcher(path)).matches()) {
      if (m.group(1) == null) {
        throw ServingException.badRequest("Missing model name in request.");
      }
      byte[] answer;
      try (ModelVersions.Lease lease = lease(m.group(1), m.group(2))) {
        answer = bytes(m.group(3) == null
            ? ModelJson.status(lease.model())
            : ModelJson.metadata(versions.name(), lease.model()));
      }
      done.accept(answer, null);
      return;
    }
    throw ServingException.badRequest("Malformed request: " + method + " " + path);
  }

  /** Runs the request; the version stays leased until its answer is written. */
  private void predict(ModelVersions.Lease lease, PredictRequest request, BiConsumer<byte[], RuntimeException> done) {
    try {
      predictions.predict(lease.model(), request.signatureName(), request.inputs(), (outputs, failure) -> {
        byte[] answer = null;
        try {
          if (failure == null) {
            answer = PredictResponse.write(request.format(), outputs);
          }
        } catch (RuntimeException e) {
          failure = e;
        } finally {
          lease.close();
        }
        done.accept(answer, failure);
      });
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /** The served version, if it is the one asked for; TF Serving's NOT_FOUND wording otherwise. */
  private ModelVersions.Lease lease(String name, String version) {
    OptionalLong wanted = version == null ? OptionalLong.empty() : parseVersion(version);
    String request = wanted.isPresent() ? "Specific(" + name + ", " + wanted.getAsLong() + ")" : "Latest(" + name + ")";
    if (!name.equals(versions.name())) {
      throw ServingException.notFound("Servable not found for request: " + request);
    }
    ModelVersions.Lease lease = versions.lease();
    if (wanted.isPresent() && wanted.getAsLong() != lease.model().version()) {
      lease.close();
      throw ServingException.notFound("Servable not found for request: " + request);
    }
    return lease;
  }

  private static OptionalLong parseVersion(String digits) {
    try {
      return OptionalLong.of(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      throw ServingException.badRequest("Failed to convert version: " + digits + " to numeric.");
    }
  }

  /**
   * The request body, or a 413 when it is over {@link #MAX_BODY_BYTES}: said before reading when
   * the Content-Length tells, else once that many bytes have come (chunked bodies).
   */
  private static byte[] body(HttpExchange exchange) {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null && length.length() > 0 && length.chars().allMatch(Character::isDigit)
        && (length.length() > 12 || Long.parseLong(length) > MAX_BODY_BYTES)) {
      throw tooLarge();
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        throw tooLarge();
      }
      return body;
    } catch (IOException e) {
      throw ServingException.badRequest("cannot read the request body: " + e.getMessage());
    }
  }

  private static ServingException tooLarge() {
    return ServingException.tooLarge("request body over " + (MAX_BODY_BYTES >> 20) + " MiB, this server's limit");
  }

  static byte[] error(String message) {
    return bytes(Json.MAPPER.createObjectNode().put("error", message));
  }

  private static byte[] bytes(Object body) {
    try {
      return Json.MAPPER.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
