package io.digits.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gathers concurrent {@code :predict} requests into one session call, as TF Serving's
 * BasicBatchScheduler does: requests queue in arrival order; a batch takes the oldest request and
 * every later one that can share its call ({@link Rows.Key}) while the rows fit in
 * {@code maxBatchSize}; it waits for more only while it is not full and its oldest request is
 * younger than {@code batchTimeoutMicros}; at most {@code numBatchThreads} batches run at once. A
 * request of more rows than that runs alone (TF Serving refuses it).
 *
 * <p>The batches are run by the HTTP threads that wait for them, not by threads of their own: a
 * waiting thread that finds a batch ready and a batch slot free runs it. Under light load a
 * request so runs on its own thread at once, with no hand-over to another thread (a hand-over
 * costs a scheduler wake-up, several milliseconds on a loaded machine); under load the requests
 * that queued while the slots were busy run together.
 *
 * <p>Each request's thread waits on a condition of its own and is woken only when it has something
 * to do: its answer is in, or its request heads the queue (it leads the next batch) and a slot has
 * come free or a request has joined. Waking every waiting thread at each event instead cost a
 * dozen thread switches per request at 32 clients, on two cores as much CPU as the model call.
 */
final class Batcher implements Predictions {
  private final BatchingOptions options;
  private final Metrics metrics;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Task> queue = new ArrayDeque<>();
  private int running; // batches in their session call

  Batcher(BatchingOptions options, Metrics metrics) {
    this.options = options;
    this.metrics = metrics;
  }

  @Override
  public Map<String, HostTensor> predict(ServedModel model, String signature, Map<String, HostTensor> inputs) {
    if (!Rows.batchable(model.signature(signature), inputs)) {
      return UNBATCHED.predict(model, signature, inputs);
    }
    Task task = new Task(Rows.key(model, signature, inputs), inputs, Rows.rows(inputs), System.nanoTime(),
        lock.newCondition());
    boolean interrupted = false;
    lock.lock();
    try {
      queue.addLast(task);
      wakeLeader(); // a batch waiting to fill may be full now
      while (!task.done) {
        Task first = queue.peekFirst();
        long wait = first == null ? Long.MAX_VALUE
            : first.queued + TimeUnit.MICROSECONDS.toNanos(options.batchTimeoutMicros()) - System.nanoTime();
        if (first != null && running < options.numBatchThreads() && (wait <= 0 || rowsLike(first) >= options.maxBatchSize())) {
          List<Task> batch = take(first);
          running++;
          task.busy = true;
          wakeLeader(); // another slot may be free for the next request in line
          lock.unlock();
          try {
            run(batch);
          } finally {
            lock.lock();
            task.busy = false;
            running--;
            batch.forEach(t -> t.wake.signal()); // their answers are in
            wakeLeader(); // and a slot is free
          }
        } else if (leader() == task && running < options.numBatchThreads()) {
          try {
            task.wake.awaitNanos(wait); // the batch it leads is filling
          } catch (InterruptedException e) {
            interrupted = true; // the request is in a batch or will be: wait for its answer all the same
          }
        } else {
          task.wake.awaitUninterruptibly();
        }
      }
    } finally {
      lock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (task.failure != null) {
      throw task.failure;
    }
    return task.answer;
  }

  /** Wakes the thread that leads the next batch (see {@link #leader}). Under the lock. */
  private void wakeLeader() {
    Task leader = leader();
    if (leader != null) {
      leader.wake.signal();
    }
  }

  /**
   * The first queued request whose thread is free to run a batch (not running one for others): it
   * runs the batch of the queue's head when a slot is free, or waits for that batch to fill.
   */
  private Task leader() {
    for (Task t : queue) {
      if (!t.busy) {
        return t;
      }
    }
    return null;
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
    } finally {
      batch.forEach(t -> t.done = true);
    }
  }

  /** A request in the queue; its answer or failure, written by the thread that runs its batch. */
  private static final class Task {
    final Rows.Key key;
    final Map<String, HostTensor> inputs;
    final int rows;
    final long queued;
    final Condition wake; // signalled when its answer is in, or when it heads the queue and may lead a batch
    boolean busy; // its thread is running a batch (of other requests, its own still queued)
    boolean done;
    Map<String, HostTensor> answer;
    RuntimeException failure;

    Task(Rows.Key key, Map<String, HostTensor> inputs, int rows, long queued, Condition wake) {
      this.key = key;
      this.inputs = inputs;
      this.rows = rows;
      this.queued = queued;
      this.wake = wake;
    }
  }
}
