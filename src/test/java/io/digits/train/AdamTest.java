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

/** Adam against Keras's formula, computed by hand in double precision. */
class AdamTest {

  @Test
  void threeStepsMatchKerasFormulaAndCountTheSteps() {
    float[] w0 = {0.5f, -1.25f, 2f, 0.01f};
    float[] target = {1f, 2f, -3f, 0f};
    float lr = 0.01f;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Parameters params = new Parameters();
      Variable<TFloat32> w = params.add(tf, "w", Shape.of(4), Initializer.ZEROS, true);
      // loss = sum((w - t)^2) / 2  ->  gradient g = w - t
      Operand<TFloat32> diff = tf.math.sub(w, tf.constant(target));
      Operand<TFloat32> loss = tf.math.mul(tf.constant(0.5f), tf.reduceSum(tf.math.square(diff), tf.constant(0)));
      Parameters slots = new Parameters();
      Op step = new Adam(lr).minimize(tf, loss, params.trainable(), slots);
      try (Session s = new Session(g)) {
        new Weights(List.of(new Weights.Value("w", Shape.of(4), w0.clone()))).assignTo(s, params);
        Weights.initial(slots, 0).assignTo(s, slots);
        double[] wk = new double[4];
        double[] m = new double[4];
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
          wk[i] = w0[i];
        }
        for (int t = 1; t <= 3; t++) {
          s.runner().addTarget(step).run().close();
          double alpha = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
          for (int i = 0; i < 4; i++) {
            double grad = wk[i] - target[i];
            m[i] = 0.9 * m[i] + 0.1 * grad;
            v[i] = 0.999 * v[i] + 0.001 * grad * grad;
            wk[i] -= alpha * m[i] / (Math.sqrt(v[i]) + 1e-7);
          }
          float[] got = Weights.read(s, params).values().get(0).data();
          for (int i = 0; i < 4; i++) {
            assertEquals(wk[i], got[i], 1e-6, "step " + t + " weight " + i);
          }
        }
        Weights state = Weights.read(s, slots);
        assertEquals("adam/iterations", state.values().get(0).name());
        assertEquals(3f, state.values().get(0).data()[0], "Keras's iterations counter");
      }
    }
  }
}
