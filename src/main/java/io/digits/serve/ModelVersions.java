package io.digits.serve;

import io.digits.DigitsException;
import io.digits.scoring.ModelLoader;
import io.digits.scoring.SessionSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Serves the newest version folder of a TF Serving base path, as TF Serving's default "latest"
 * version policy does: a poller looks for a different newest integer folder, loads it, swaps it in
 * atomically and retires the old version, which closes once its in-flight requests are done.
 */
public final class ModelVersions implements AutoCloseable {
  private final String name;
  private final Path basePath;
  private final Consumer<String> log;
  private final AtomicReference<ServedModel> current;
  private final ScheduledExecutorService poller;
  private long failedVersion = -1;

  private final SessionSettings settings;

  private ModelVersions(String name, Path basePath, ServedModel first, Duration pollInterval, Consumer<String> log,
      SessionSettings settings) {
    this.settings = settings;
    this.name = name;
    this.basePath = basePath;
    this.log = log;
    this.current = new AtomicReference<>(first);
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "model-version-poller");
      t.setDaemon(true);
      return t;
    });
    long ms = pollInterval.toMillis();
    poller.scheduleWithFixedDelay(this::pollQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Loads the newest version under {@code basePath} and starts polling for newer ones.
   * {@code log} receives one line per version loaded or failing to load.
   */
  public static ModelVersions open(String name, Path basePath, Duration pollInterval, Consumer<String> log) {
    return open(name, basePath, pollInterval, log, SessionSettings.DEFAULT);
  }

  /** As {@link #open(String, Path, Duration, Consumer)}, every version's session made as {@code settings} say. */
  public static ModelVersions open(String name, Path basePath, Duration pollInterval, Consumer<String> log,
      SessionSettings settings) {
    Path newest = ModelLoader.resolve(basePath);
    if (newest.equals(basePath)) {
      throw new DigitsException(basePath + ": is a version folder; --model-base-path takes the folder above it,"
          + " as TF Serving's --model_base_path does");
    }
    ServedModel first = ServedModel.load(newest, settings);
    log.accept("Serving model '" + name + "' version " + first.version() + " from " + newest);
    return new ModelVersions(name, basePath, first, pollInterval, log, settings);
  }

  public String name() {
    return name;
  }

  /** A reference to the version being served, for one request; close it when the request is done. */
  Lease lease() {
    while (true) {
      ServedModel m = current.get();
      if (m == null) {
        throw ServingException.unavailable("model '" + name + "' is shutting down");
      }
      if (m.retain()) {
        return new Lease(m);
      }
      // Lost a race with a swap: the retired version just closed; the new one is in place.
    }
  }

  /** Loads the newest version folder if it is not the one being served. Package-private for tests. */
  synchronized void reloadIfChanged() {
    Optional<Path> newest = ModelLoader.newestVersion(basePath);
    ServedModel served = current.get();
    if (newest.isEmpty() || served == null) {
      return;
    }
    long version = Long.parseLong(newest.get().getFileName().toString());
    if (version == served.version()) {
      return;
    }
    ServedModel loaded;
    try {
      loaded = ServedModel.load(newest.get(), settings);
    } catch (DigitsException e) {
      if (version != failedVersion) { // a folder still being copied fails until complete: say it once
        log.accept("Cannot load version " + version + " (still serving " + served.version() + "): " + e.getMessage());
        failedVersion = version;
      }
      return;
    }
    if (current.compareAndSet(served, loaded)) {
      log.accept("Serving model '" + name + "' version " + version + " from " + newest.get()
          + " (version " + served.version() + " unloads when its requests finish)");
      served.release();
    } else {
      loaded.release(); // closed meanwhile
    }
  }

  private void pollQuietly() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) { // a poll must never kill the poller; the next one retries
      log.accept("Polling " + basePath + " failed: " + e.getMessage());
    }
  }

  /** Stops polling and retires the served version (closed once its last request finishes). */
  @Override
  public void close() {
    poller.shutdownNow();
    try {
      poller.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ServedModel last = current.getAndSet(null);
    if (last != null) {
      last.release();
    }
  }

  /** One request's hold on a version. */
  record Lease(ServedModel model) implements AutoCloseable {
    @Override
    public void close() {
      model.release();
    }
  }
}
