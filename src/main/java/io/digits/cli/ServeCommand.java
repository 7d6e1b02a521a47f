package io.digits.cli;

import io.digits.DigitsException;
import io.digits.scoring.SessionSettings;
import io.digits.serve.BatchingOptions;
import io.digits.serve.ModelServer;
import io.digits.serve.ModelVersions;
import io.digits.serve.ServerOptions;
import io.digits.train.Precision;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code digits serve}: TF Serving's REST API for the newest version under a base path (reloaded
 * when a newer version appears) and a page to draw digits on, until Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve a model over TF Serving's REST API (status, metadata, :predict) with a page at / to draw a digit on.",
        "Serves the newest integer version folder under --model-base-path and switches to a newer one when it appears."})
final class ServeCommand implements Callable<Integer> {

  @Option(names = "--precision", defaultValue = "float32", converter = TrainCommand.PrecisionConverter.class,
      description = "float32 (default) or mixed-bfloat16 (TF computes the convolutions and matrix products in"
          + " bfloat16 on CPUs that support it; requests and responses stay float32).")
  Precision precision;

  @Option(names = "--model-base-path", required = true,
      description = "TF Serving base folder holding integer version folders, e.g. saved_models/double-conv.")
  Path basePath;

  @Option(names = "--model-name",
      description = "Name in /v1/models/<name> (default: the base folder's name).")
  String modelName;

  @Option(names = "--port", defaultValue = "8501", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
  String host;

  @Option(names = "--threads", defaultValue = "64",
      description = "HTTP worker threads: requests read, parsed and answered at once (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--max-queued-requests", defaultValue = "64",
      description = "Requests that may wait for a worker thread; more are answered 503 (default: ${DEFAULT-VALUE}).")
  int maxQueued;

  @Option(names = "--request-timeout-seconds", defaultValue = "30",
      description = "A request must arrive whole, and its answer be taken, within this; else the connection is"
          + " closed (default: ${DEFAULT-VALUE}, TF Serving's rest_api_timeout_in_ms).")
  int requestTimeout;

  @Option(names = "--idle-timeout-seconds", defaultValue = "30",
      description = "A kept-alive connection idle this long is closed (default: ${DEFAULT-VALUE}).")
  int idleTimeout;

  @Option(names = "--batching", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Gather concurrent :predict requests into one model call, as TF Serving's --enable_batching"
          + " (default: on; --no-batching runs each request alone).")
  boolean batching;

  @Option(names = "--max-batch-size", defaultValue = "" + BatchingOptions.DEFAULT_MAX_BATCH_SIZE,
      description = "Most rows in one batched call (TF Serving's max_batch_size; default: ${DEFAULT-VALUE}).")
  int maxBatchSize;

  @Option(names = "--batch-timeout-micros", defaultValue = "0",
      description = "How long a batch that is not full waits for more requests (TF Serving's batch_timeout_micros;"
          + " default: ${DEFAULT-VALUE}: a batch takes what queued while the previous ones ran).")
  long batchTimeoutMicros;

  @Option(names = "--num-batch-threads",
      description = "Batches run at once (TF Serving's num_batch_threads; default: the number of CPUs).")
  Integer numBatchThreads;

  @Option(names = "--max-enqueued-batches", defaultValue = "" + BatchingOptions.DEFAULT_MAX_ENQUEUED_BATCHES,
      description = "Full batches' worth of rows that may wait for a batch thread; a request beyond is answered 503"
          + " (TF Serving's max_enqueued_batches; default: ${DEFAULT-VALUE}).")
  int maxEnqueuedBatches;

  @Option(names = "--tensorflow-intra-op-parallelism", defaultValue = "" + SessionSettings.DEFAULT_INTRA_OP,
      description = "Threads one TF op may use (TF Serving's --tensorflow_intra_op_parallelism; 0: TF picks;"
          + " default: ${DEFAULT-VALUE}, each call on one core, the batch threads side by side).")
  int intraOp;

  @Option(names = "--tensorflow-inter-op-parallelism", defaultValue = "" + SessionSettings.DEFAULT_INTER_OP,
      description = "Threads running a call's ops (TF Serving's --tensorflow_inter_op_parallelism; 0: TF picks;"
          + " default: ${DEFAULT-VALUE}, the ops on the thread that calls). Few large requests: 0 and 0.")
  int interOp;

  @Option(names = "--poll-seconds", defaultValue = "2",
      description = "How often the base folder is checked for a newer version (default: ${DEFAULT-VALUE}).")
  double pollSeconds;

  @Override
  public Integer call() throws InterruptedException {
    ServerOptions options = options();
    Path base = basePath.toAbsolutePath().normalize();
    String name = modelName != null ? modelName : base.getFileName().toString();
    if (name.isEmpty() || name.contains("/") || name.contains(":")) {
      throw new DigitsException("--model-name '" + name + "': a model name cannot be empty or hold '/' or ':'");
    }
    Duration poll = Duration.ofMillis(Math.round(pollSeconds * 1000));
    CountDownLatch stopped = new CountDownLatch(1);
    ModelVersions versions = ModelVersions.open(name, base, poll, System.out::println, sessionSettings());
    ModelServer server;
    try {
      server = ModelServer.start(versions, options, System.err::println);
    } catch (RuntimeException e) {
      versions.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      versions.close();
      stopped.countDown();
    }, "serve-shutdown"));
    System.out.println("REST API at " + server.url() + "v1/models/" + name + ", drawing page at " + server.url()
        + " (Ctrl-C stops)");
    stopped.await();
    return 0;
  }

  private SessionSettings sessionSettings() {
    try {
      return new SessionSettings(precision, intraOp, interOp);
    } catch (IllegalArgumentException e) {
      throw new DigitsException("serve: " + e.getMessage());
    }
  }

  private ServerOptions options() {
    int batchThreads = numBatchThreads != null ? numBatchThreads : Runtime.getRuntime().availableProcessors();
    if (port < 0 || port > 65535 || !(pollSeconds > 0)) {
      throw new DigitsException("need --port 0-65535 and --poll-seconds > 0");
    }
    try {
      return new ServerOptions(new InetSocketAddress(host, port), threads, maxQueued, requestTimeout, idleTimeout,
          batching ? new BatchingOptions(maxBatchSize, batchTimeoutMicros, batchThreads, maxEnqueuedBatches) : null);
    } catch (IllegalArgumentException e) {
      throw new DigitsException("serve: " + e.getMessage());
    }
  }
}
