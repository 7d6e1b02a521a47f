package io.digits.bench;

import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Row 6, the ceiling: an n x n float32 matmul in a TF Java session, the best of {@code runs} after
 * one warm-up. The operands are fed, not constants, so that grappler cannot fold the product away.
 *
 * <p>Usage: MatmulPeak N RUNS
 */
public final class MatmulPeak {
  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    int runs = Integer.parseInt(args[1]);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> a = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> b = tf.placeholder(TFloat32.class);
      var product = tf.linalg.matMul(a, b);
      try (Session session = new Session(graph);
          TFloat32 x = random(n, 1);
          TFloat32 y = random(n, 2)) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i <= runs; i++) {
          long start = System.nanoTime();
          session.runner().feed(a, x).feed(b, y).fetch(product).run().close();
          if (i > 0) {
            best = Math.min(best, Report.seconds(start));
          }
        }
        Report.print(Map.of("n", n, "best_s", best, "gflop_s", 2.0 * n * n * n / best / 1e9,
            "tf_version", TensorFlow.version()));
      }
    }
  }

  private static TFloat32 random(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[n * n];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble(-1, 1);
    }
    return TFloat32.tensorOf(Shape.of(n, n), DataBuffers.of(values, true, false));
  }
}
