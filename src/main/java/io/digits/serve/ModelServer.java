package io.digits.serve;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.digits.DigitsException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The HTTP server: the JDK's own {@code com.sun.net.httpserver} (module jdk.httpserver, part of
 * every JDK since 6, maintained with it; no dependency). {@code /v1/} is TF Serving's REST API,
 * {@link Metrics#PATH} its Prometheus metrics, {@code /} the drawing page.
 *
 * <p>Slow or stalled clients: the JDK reads a request on the worker thread that answers it, so
 * the workers are a fixed pool with a bounded queue; a request that finds the queue full is
 * answered 503 by one overflow thread (and if that one's queue is full too, the JDK closes the
 * connection). The JDK's own timers close a connection whose request has not arrived whole within
 * the request timeout, whose answer is not taken within it, or that idles past the idle timeout.
 */
public final class ModelServer implements AutoCloseable {
  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final ThreadPoolExecutor overflow;
  private final Predictions predictions;

  private ModelServer(HttpServer server, ThreadPoolExecutor workers, ThreadPoolExecutor overflow, Predictions predictions) {
    this.server = server;
    this.workers = workers;
    this.overflow = overflow;
    this.predictions = predictions;
  }

  /** Listens as {@code options} say (port 0: any free port) and serves {@code versions}; warnings and errors go to {@code log}. */
  public static ModelServer start(ModelVersions versions, ServerOptions options, Consumer<String> log) {
    Metrics metrics = new Metrics(versions.name());
    Predictions predictions = options.batching() == null ? Predictions.UNBATCHED : new Batcher(options.batching(), metrics);
    try {
      return start(versions, options, predictions, metrics, log);
    } catch (RuntimeException e) {
      predictions.close();
      throw e;
    }
  }

  /** With the predictions given: tests use it to make a request fail inside. */
  static ModelServer start(ModelVersions versions, ServerOptions options, Predictions predictions, Metrics metrics,
      Consumer<String> log) {
    jdkSettings(options);
    HttpServer server;
    try {
      server = HttpServer.create(options.address(), 0);
    } catch (IOException e) {
      throw new DigitsException("cannot listen on " + options.address().getHostString() + ":"
          + options.address().getPort() + ": " + e.getMessage(), e);
    }
    exposureWarning(options.address().getAddress()).ifPresent(log);
    ThreadPoolExecutor overflow = pool(1, options.maxQueuedRequests(), OverflowThread::new,
        new ThreadPoolExecutor.AbortPolicy());
    ThreadPoolExecutor workers = pool(options.threads(), options.maxQueuedRequests(),
        r -> daemon(new Thread(r, "serve-worker")), (r, pool) -> overflow.execute(r));
    server.setExecutor(workers);
    context(server, "/v1/", new RestApi(versions, predictions, metrics, log));
    context(server, Metrics.PATH, metrics);
    context(server, "/", new DrawingPage(versions.name()));
    server.start();
    return new ModelServer(server, workers, overflow, predictions);
  }

  /** The warning for listening on an address other machines can reach (none for loopback). */
  static Optional<String> exposureWarning(InetAddress address) {
    if (address == null || address.isLoopbackAddress()) {
      return Optional.empty();
    }
    return Optional.of("warning: listening on " + address.getHostAddress() + ", reachable from other machines;"
        + " this server has no authentication and no TLS: anyone who can reach the port can use the model");
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The page's address, e.g. {@code http://127.0.0.1:8501/}. */
  public URI url() {
    return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + "/");
  }

  /**
   * Answers the requests waiting for a batch (their batches run at once, whatever their timeout;
   * requests arriving meanwhile are answered 503), then stops accepting, lets requests in progress
   * finish (up to a second) and stops the workers.
   */
  @Override
  public void close() {
    predictions.close();
    server.stop(1);
    for (ThreadPoolExecutor pool : new ThreadPoolExecutor[] {workers, overflow}) {
      pool.shutdown();
      try {
        pool.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The JDK server's settings are system properties, read once, when the first server of the JVM
   * is made (sun.net.httpserver.ServerConfig, JDK 17): set them before, unless given with -D.
   * maxReqTime and maxRspTime are in seconds, idleInterval too, clockTick (how often idle
   * connections are looked for; 10 s by default) in milliseconds. TCP_NODELAY because the JDK writes
   * a response's headers and body in two writes: without it the body waits for the client's
   * delayed ACK on keep-alive connections, about 40 ms per request.
   */
  private static void jdkSettings(ServerOptions options) {
    setIfAbsent("sun.net.httpserver.nodelay", "true");
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(options.requestTimeoutSeconds()));
    setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(options.requestTimeoutSeconds()));
    setIfAbsent("sun.net.httpserver.idleInterval", Integer.toString(options.idleTimeoutSeconds()));
    setIfAbsent("sun.net.httpserver.clockTick", "1000");
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  private static ThreadPoolExecutor pool(int threads, int queued, ThreadFactory factory, RejectedExecutionHandler rejected) {
    BlockingQueue<Runnable> queue = queued == 0 ? new SynchronousQueue<>() : new ArrayBlockingQueue<>(queued);
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, queue, factory, rejected);
  }

  private static Thread daemon(Thread t) {
    t.setDaemon(true);
    return t;
  }

  private static void context(HttpServer server, String path, HttpHandler handler) {
    HttpContext context = server.createContext(path, handler);
    context.getFilters().add(new Overloaded());
  }

  /** The thread that answers the requests the full queue turned away. */
  private static final class OverflowThread extends Thread {
    OverflowThread(Runnable r) {
      super(r, "serve-overflow");
      setDaemon(true);
    }
  }

  /** On the overflow thread, a 503 instead of the handler. */
  private static final class Overloaded extends Filter {
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      if (!(Thread.currentThread() instanceof OverflowThread)) {
        chain.doFilter(exchange);
        return;
      }
      byte[] error = RestApi.error("the server is overloaded: every worker is busy and the queue is full; retry later");
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.getResponseHeaders().set("Retry-After", "1");
      exchange.sendResponseHeaders(503, error.length);
      exchange.getResponseBody().write(error);
      exchange.close();
    }

    @Override
    public String description() {
      return "answers 503 to the requests the full queue turned away";
    }
  }
}
