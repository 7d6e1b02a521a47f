package io.digits.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The page at {@code /} where a person draws a digit (resource {@code index.html}). The served
 * model's name is written into the page, so its script knows which {@code /v1/models/<name>} to ask.
 */
final class DrawingPage implements HttpHandler {
  private static final String PLACEHOLDER = "\"__MODEL_NAME__\"";

  private final byte[] page;

  DrawingPage(String modelName) {
    try (InputStream in = DrawingPage.class.getResourceAsStream("index.html")) {
      String html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      // A JSON string is a JavaScript string literal; "<" escaped so that no name can close the script.
      String literal = Json.MAPPER.writeValueAsString(modelName).replace("<", "\\u003c");
      this.page = html.replace(PLACEHOLDER, literal).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the page resource", e);
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    exchange.getRequestBody().close();
    if (!exchange.getRequestMethod().equals("GET") || !(path.equals("/") || path.equals("/index.html"))) {
      byte[] error = RestApi.error("Not found: " + exchange.getRequestMethod() + " " + path);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(404, error.length);
      exchange.getResponseBody().write(error);
    } else {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(200, page.length);
      exchange.getResponseBody().write(page);
    }
    exchange.close();
  }
}
