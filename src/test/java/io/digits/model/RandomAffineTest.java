package io.digits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
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

/** The in-graph augmentation on a known image: warped while training, untouched otherwise. */
class RandomAffineTest {
  private static final int N = 4;

  /** N copies of a bar 4 wide and 14 high in the middle of a 28x28 image, value 1. */
  private static float[] bars() {
    float[] pixels = new float[N * 784];
    for (int i = 0; i < N; i++) {
      for (int r = 7; r < 21; r++) {
        for (int c = 12; c < 16; c++) {
          pixels[i * 784 + r * 28 + c] = 1f;
        }
      }
    }
    return pixels;
  }

  /** The layer applied to {@link #bars()} with step seed {@code [seed, step]}. */
  private static float[] augment(boolean training, long seed, long step, List<String> opTypes) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Parameters params = new Parameters();
      RandomAffine layer = new RandomAffine(10f, 0.1f, 0.1f, 0);
      assertEquals(Sequential.INPUT_SHAPE, layer.build(tf, Sequential.INPUT_SHAPE, params));
      Placeholder<TFloat32> images = tf.placeholder(TFloat32.class, Placeholder.shape(Sequential.INPUT_SHAPE));
      Operand<TFloat32> out = tf.identity(layer.call(tf, images, training));
      g.operations().forEachRemaining(op -> opTypes.add(op.type()));
      try (Session s = new Session(g);
          TFloat32 in = TFloat32.tensorOf(Shape.of(N, 28, 28, 1), DataBuffers.of(bars(), true, false));
          TInt64 stepSeed = TInt64.vectorOf(seed, step)) {
        Session.Runner runner = s.runner().feed(images, in);
        if (params.stepSeedOrNull() != null) {
          runner.feed(params.stepSeedOrNull(), stepSeed);
        }
        try (Result r = runner.fetch(out).run()) {
          TFloat32 t = (TFloat32) r.get(0);
          assertEquals(Shape.of(N, 28, 28, 1), t.shape());
          float[] values = new float[N * 784];
          t.copyTo(DataBuffers.of(values, false, false));
          return values;
        }
      }
    }
  }

  private static float[] image(float[] batch, int i) {
    return Arrays.copyOfRange(batch, i * 784, (i + 1) * 784);
  }

  private static double sum(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }

  @Test
  void trainingWarpsEachImageItsOwnWayAndKeepsItsInk() {
    List<String> ops = new ArrayList<>();
    float[] out = augment(true, 5, 0, ops);
    assertTrue(ops.contains("ImageProjectiveTransformV3"), ops.toString());
    float[] original = image(bars(), 0);
    for (int i = 0; i < N; i++) {
      float[] warped = image(out, i);
      double maxDiff = 0;
      for (int p = 0; p < 784; p++) {
        maxDiff = Math.max(maxDiff, Math.abs(warped[p] - original[p]));
        assertTrue(warped[p] >= -1e-6 && warped[p] <= 1 + 1e-6, "bilinear stays within the pixel range");
      }
      assertTrue(maxDiff > 0.2, "image " + i + " is warped, max change " + maxDiff);
      // zoom +-10 % scales the area by at most 1.1^2; rotation and shift keep the bar inside
      double ratio = sum(warped) / sum(original);
      assertTrue(ratio > 0.8 && ratio < 1.25, "image " + i + " keeps its ink: " + ratio);
    }
    for (int i = 1; i < N; i++) {
      assertFalse(Arrays.equals(image(out, 0), image(out, i)), "image " + i + " has a warp of its own");
    }
  }

  @Test
  void theWarpIsAFunctionOfTheStepSeed() {
    List<String> ignored = new ArrayList<>();
    float[] a = augment(true, 5, 3, ignored);
    assertArrayEquals(a, augment(true, 5, 3, ignored), "same seed and step, same warp");
    assertFalse(Arrays.equals(a, augment(true, 5, 4, ignored)), "the next step warps anew");
    assertFalse(Arrays.equals(a, augment(true, 6, 3, ignored)), "another seed warps otherwise");
  }

  @Test
  void inferenceAddsNoOpAndPassesImagesThrough() {
    List<String> ops = new ArrayList<>();
    float[] out = augment(false, 5, 0, ops);
    assertArrayEquals(bars(), out);
    assertFalse(ops.contains("ImageProjectiveTransformV3"), ops.toString());
    assertFalse(ops.stream().anyMatch(t -> t.startsWith("StatelessRandom")), ops.toString());
  }
}
