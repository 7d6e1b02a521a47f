package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.digits.model.Initializer;
import io.digits.model.Parameters;
import io.digits.model.Weights;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The optimizer against the Keras formula, computed by hand in double precision. */
class RmsPropTest {

  @Test
  void threeStepsMatchKerasFormula() {
    float[] w0 = {0.5f, -1.25f, 2f, 0.01f};
    float[] target = {1f, 2f, -3f, 0f};
    float lr = 0.001f;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Parameters params = new Parameters();
      Variable<TFloat32> w = params.add(tf, "w", Shape.of(4), Initializer.ZEROS, true);
      // loss = sum((w - t)^2) / 2  ->  gradient g = w - t
      Operand<TFloat32> diff = tf.math.sub(w, tf.constant(target));
      Operand<TFloat32> loss = tf.math.mul(tf.constant(0.5f), tf.reduceSum(tf.math.square(diff), tf.constant(0)));
      Parameters slots = new Parameters();
      Op step = new RmsProp(lr).minimize(tf, loss, params.trainable(), slots);
      try (Session s = new Session(g)) {
        new Weights(List.of(new Weights.Value("w", Shape.of(4), w0.clone()))).assignTo(s, params);
        Weights.initial(slots, 0).assignTo(s, slots);
        double[] wk = new double[4];
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
          wk[i] = w0[i];
        }
        for (int t = 0; t < 3; t++) {
          s.runner().addTarget(step).run().close();
          for (int i = 0; i < 4; i++) {
            double grad = wk[i] - target[i];
            v[i] = 0.9 * v[i] + 0.1 * grad * grad; // accumulator starts at 0 (Keras), not 1 (TF1)
            wk[i] -= lr * grad / Math.sqrt(v[i] + 1e-8); // epsilon inside the root (Keras 2.x/3)
          }
          float[] got = Weights.read(s, params).values().get(0).data();
          for (int i = 0; i < 4; i++) {
            assertEquals(wk[i], got[i], 1e-6, "step " + (t + 1) + " weight " + i);
          }
        }
        float[] ms = Weights.read(s, slots).values().get(0).data();
        for (int i = 0; i < 4; i++) {
          assertEquals(v[i], ms[i], 1e-6 * Math.max(1, v[i]), "accumulator " + i);
        }
      }
    }
  }
}
