package io.digits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Keras's Dropout: drops a share {@code rate} while training, scales the rest by 1/(1-rate), and is the identity otherwise. */
class DropoutTest {
  private static final int ROWS = 400;
  private static final int COLS = 500;
  private static final int N = ROWS * COLS;

  /** Inputs in [0.5, 1.5): no zeros of their own, and scaling shows in every value. */
  private static final float[] X = input();

  private static float[] input() {
    SplittableRandom random = new SplittableRandom(11);
    float[] x = new float[N];
    for (int i = 0; i < N; i++) {
      x[i] = (float) (0.5 + random.nextDouble());
    }
    return x;
  }

  /** The layer's output on {@link #X} in training mode, for step seed {@code [seed, step]}. */
  private static float[] train(float rate, long salt, long seed, long step) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Parameters params = new Parameters();
      Dropout dropout = new Dropout(rate, salt);
      dropout.build(tf, Shape.of(-1, COLS), params);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class);
      Operand<TFloat32> out = dropout.call(tf, in, true);
      float[] y = new float[N];
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(ROWS, COLS), DataBuffers.of(X, true, false));
          TInt64 stepSeed = TInt64.vectorOf(seed, step);
          Result r = s.runner().feed(in, x).feed(params.stepSeed(tf), stepSeed).fetch(out).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(y, false, false));
      }
      return y;
    }
  }

  @ParameterizedTest
  @ValueSource(floats = {0.25f, 0.5f})
  void dropsTheRateAndScalesWhatItKeeps(float rate) {
    float[] y = train(rate, 1, 42, 7);
    int dropped = 0;
    double sumIn = 0;
    double sumOut = 0;
    double sumSquares = 0;
    for (int i = 0; i < N; i++) {
      if (y[i] == 0f) {
        dropped++;
      } else {
        // Keras: kept values are x / (1 - rate), so the expected output equals the input.
        assertEquals(X[i] / (1.0 - rate), y[i], Math.ulp(y[i]), "kept value " + i);
      }
      sumIn += X[i];
      sumOut += y[i];
      sumSquares += (double) X[i] * X[i];
    }
    // Each value is dropped independently with probability `rate`: the dropped share is binomial,
    // standard deviation sqrt(rate*(1-rate)/N) (0.001 here). 5 of them: a correct mask never fails,
    // while keeping `rate` instead of dropping it (0.75 vs 0.25) or a mask shared by rows would.
    double sd = Math.sqrt(rate * (1 - rate) / N);
    assertEquals(rate, (double) dropped / N, 5 * sd, "share dropped");
    // The sum is kept on average: each output is x/(1-rate) or 0, variance x^2*rate/(1-rate).
    double sumSd = Math.sqrt(sumSquares * rate / (1 - rate));
    assertEquals(sumIn, sumOut, 5 * sumSd, "sum kept by the 1/(1-rate) scaling");
  }

  @Test
  void masksRepeatForTheSameStepAndDifferAcrossStepsSeedsAndLayers() {
    float[] a = train(0.5f, 1, 42, 7);
    assertArrayEquals(a, train(0.5f, 1, 42, 7), "same seed, step and layer: same mask (resume stays exact)");
    assertFalse(Arrays.equals(a, train(0.5f, 1, 42, 8)), "next step, new mask");
    assertFalse(Arrays.equals(a, train(0.5f, 1, 43, 7)), "other seed, other mask");
    assertFalse(Arrays.equals(a, train(0.5f, 2, 42, 7)), "other layer (salt), other mask");
  }

  @Test
  void outsideTrainingOrAtRateZeroItIsTheIdentityAndAddsNoOp() {
    for (boolean training : new boolean[] {false, true}) {
      float rate = training ? 0f : 0.5f;
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        Dropout dropout = new Dropout(rate, 1);
        dropout.build(tf, Shape.of(-1, COLS), new Parameters());
        Placeholder<TFloat32> in = tf.placeholder(TFloat32.class);
        long ops = countOps(g);
        assertSame(in, dropout.call(tf, in, training), "rate " + rate + ", training " + training);
        assertEquals(ops, countOps(g), "no op added");
      }
    }
  }

  @Test
  void rejectsRatesOutsideZeroToOne() {
    for (float rate : new float[] {-0.1f, 1f, Float.NaN}) {
      assertThrows(IllegalArgumentException.class, () -> new Dropout(rate, 0), "rate " + rate);
    }
    assertTrue(new Dropout(0.5f, 0).describe().contains("0.5"));
  }

  private static long countOps(Graph g) {
    long n = 0;
    for (var it = g.operations(); it.hasNext(); it.next()) {
      n++;
    }
    return n;
  }
}
