package io.digits.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gathers concurrent {@code :predict} requests into one session call, as TF Serving's
 * BasicBatchScheduler does: requests queue in arrival order; a batch thread takes the oldest
 * request and every later one that can share its call ({@link Rows.Key}) while the rows fit in
 * {@code maxBatchSize}; it waits for more only while the batch is not full and its oldest request
 * is younger than {@code batchTimeoutMicros}. A request of more rows than that runs alone (TF
 * Serving refuses it). The HTTP thread that asked waits for its rows.
 */
final class Batcher implements Predictions, AutoCloseable {
  private final BatchingOptions options;
  private final Metrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Task> queue = new ArrayDeque<>();
  private final List<Thread> threads = new ArrayList<>();
  private boolean closed;

  Batcher(BatchingOptions options, Metrics metrics) {
    this.options = options;
    this.metrics = metrics;
    for (int i = 0; i < options.numBatchThreads(); i++) {
      Thread t = new Thread(this::work, "batch-thread-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  @Override
  public Map<String, HostTensor> predict(ServedModel model, String signature, Map<String, HostTensor> inputs) {
    if (!Rows.batchable(model.signature(signature), inputs)) {
      return UNBATCHED.predict(model, signature, inputs);
    }
    Task task = new Task(Rows.key(model, signature, inputs), inputs, Rows.rows(inputs), System.nanoTime());
    lock.lock();
    try {
      if (closed) {
        throw ServingException.unavailable("the server is shutting down");
      }
      queue.addLast(task);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      return task.answer.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private void work() {
    List<Task> batch;
    while ((batch = next()) != null) {
      run(batch);
    }
  }

  /** The next batch, or null once closed with nothing queued. */
  private List<Task> next() {
    lock.lock();
    try {
      while (true) {
        Task first = queue.peekFirst();
        if (first == null) {
          if (closed) {
            return null;
          }
          changed.awaitUninterruptibly();
          continue;
        }
        long wait = first.queued + TimeUnit.MICROSECONDS.toNanos(options.batchTimeoutMicros()) - System.nanoTime();
        if (wait > 0 && !closed && rowsLike(first) < options.maxBatchSize()) {
          try {
            changed.awaitNanos(wait);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only close() ends these threads; it empties the queue first
          }
          continue;
        }
        return take(first);
      }
    } finally {
      lock.unlock();
    }
  }

  private int rowsLike(Task first) {
    return queue.stream().filter(t -> t.key.equals(first.key)).mapToInt(t -> t.rows).sum();
  }

  /** Removes {@code first} and the later requests of its key that fit; a request that does not fit closes the batch. */
  private List<Task> take(Task first) {
    List<Task> batch = new ArrayList<>();
    int rows = 0;
    for (Iterator<Task> it = queue.iterator(); it.hasNext(); ) {
      Task t = it.next();
      if (!t.key.equals(first.key)) {
        continue;
      }
      if (!batch.isEmpty() && rows + t.rows > options.maxBatchSize()) {
        break;
      }
      batch.add(t);
      rows += t.rows;
      it.remove();
    }
    return batch;
  }

  private void run(List<Task> batch) {
    Rows.Key key = batch.get(0).key;
    metrics.batch(key.model().version(), batch.stream().mapToInt(t -> t.rows).sum());
    try {
      List<Map<String, HostTensor>> answers = Rows.run(key.model(), key.signature(), batch.stream().map(t -> t.inputs).toList());
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).answer.complete(answers.get(i));
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).answer.completeExceptionally(e);
        return;
      }
      // One request's values can fail the whole call (a NaN meeting CheckNumerics, an index out
      // of range): each request runs again alone, so that only the bad one fails.
      for (Task t : batch) {
        try {
          t.answer.complete(Rows.run(key.model(), key.signature(), List.of(t.inputs)).get(0));
        } catch (RuntimeException alone) {
          t.answer.completeExceptionally(alone);
        }
      }
    }
  }

  /** Runs what is queued, then stops the batch threads. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private record Task(Rows.Key key, Map<String, HostTensor> inputs, int rows, long queued,
      CompletableFuture<Map<String, HostTensor>> answer) {
    Task(Rows.Key key, Map<String, HostTensor> inputs, int rows, long queued) {
      this(key, inputs, rows, queued, new CompletableFuture<>());
    }
  }
}
