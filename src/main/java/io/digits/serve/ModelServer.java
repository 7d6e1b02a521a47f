package io.digits.serve;

import com.sun.net.httpserver.HttpServer;
import io.digits.DigitsException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The HTTP server: the JDK's own {@code com.sun.net.httpserver} (module jdk.httpserver, part of
 * every JDK since 6, maintained with it; no dependency), with a fixed pool of worker threads.
 * {@code /v1/} is TF Serving's REST API, {@code /} the drawing page.
 */
public final class ModelServer implements AutoCloseable {
  private static final String NODELAY = "sun.net.httpserver.nodelay";

  private final HttpServer server;
  private final ExecutorService workers;

  private ModelServer(HttpServer server, ExecutorService workers) {
    this.server = server;
    this.workers = workers;
  }

  /** Listens on {@code address} (port 0: any free port) and serves {@code versions}. */
  public static ModelServer start(ModelVersions versions, InetSocketAddress address, int threads, Consumer<String> log) {
    // The JDK server writes a response's headers and body in two writes; without TCP_NODELAY the
    // body waits for the client's delayed ACK on keep-alive connections: about 40 ms per request.
    // Read once, when the first server is made, so it is set before; a value given with -D stays.
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true");
    }
    HttpServer server;
    try {
      server = HttpServer.create(address, 0);
    } catch (IOException e) {
      throw new DigitsException("cannot listen on " + address.getHostString() + ":" + address.getPort() + ": "
          + e.getMessage(), e);
    }
    ExecutorService workers = Executors.newFixedThreadPool(threads);
    server.setExecutor(workers);
    server.createContext("/v1/", new RestApi(versions, log));
    server.createContext("/", new DrawingPage(versions.name()));
    server.start();
    return new ModelServer(server, workers);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The page's address, e.g. {@code http://127.0.0.1:8501/}. */
  public URI url() {
    return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + "/");
  }

  /** Stops accepting, lets requests in progress finish (up to a second), stops the workers. */
  @Override
  public void close() {
    server.stop(1);
    workers.shutdown();
    try {
      workers.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
