package io.digits.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.DigitsException;
import io.digits.data.Dataset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;

/**
 * Predictor's calls into the model run {@link Predictor#CALLS_IN_FLIGHT} at a time: rows come back
 * in input order, a failing call's exception reaches the caller as thrown, and close waits for
 * calls still running before it closes the model.
 */
class PredictorCallsTest {

  /** Scores each image with its first pixel, so every output row names the row it came from. */
  private static class EchoModel implements ScoringModel {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostRunning = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public float[][] predict(FloatDataBuffer images, long n) {
      mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        pause();
        float[][] rows = new float[(int) n][];
        for (int i = 0; i < n; i++) {
          rows[i] = new float[] {images.getFloat((long) i * Dataset.PIXELS)};
        }
        return rows;
      } finally {
        running.decrementAndGet();
      }
    }

    void pause() {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public String description() {
      return "echo";
    }

    @Override
    public void close() {
      assertEquals(0, running.get(), "the model was closed while a call was still running");
      closed.set(true);
    }
  }

  private static float[] numberedImages(int n) {
    float[] pixels = new float[n * Dataset.PIXELS];
    for (int i = 0; i < n; i++) {
      pixels[i * Dataset.PIXELS] = i;
    }
    return pixels;
  }

  @Test
  void rowsComeBackInOrderFromConcurrentCalls() {
    EchoModel model = new EchoModel();
    int n = 10 * Predictor.CHUNK + 7;
    try (Predictor p = new Predictor(model, 1f)) {
      float[][] rows = p.predictScaled(numberedImages(n));
      assertEquals(n, rows.length);
      for (int i = 0; i < n; i++) {
        assertEquals(i, rows[i][0], "row " + i);
      }
    }
    assertEquals(Predictor.CALLS_IN_FLIGHT, model.mostRunning.get(), "calls in flight at once");
    assertTrue(model.closed.get());
  }

  @Test
  void aFailedCallIsRethrownAsItWasAndCloseWaitsForTheOthers() {
    DigitsException failure = new DigitsException("output 'x' is not a float32 [batch, classes] tensor");
    CountDownLatch failed = new CountDownLatch(1);
    EchoModel model = new EchoModel() {
      @Override
      public float[][] predict(FloatDataBuffer images, long n) {
        if (images.getFloat(0) == 0) {
          failed.countDown();
          throw failure;
        }
        return super.predict(images, n);
      }

      @Override
      void pause() {
        try {
          // the other call is still running when the first one's failure reaches the caller
          failed.await(1, TimeUnit.SECONDS);
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    Predictor p = new Predictor(model, 1f);
    DigitsException thrown = assertThrows(DigitsException.class, () -> p.predictScaled(numberedImages(4 * Predictor.CHUNK)));
    assertSame(failure, thrown);
    p.close();
    assertTrue(model.closed.get());
  }
}
