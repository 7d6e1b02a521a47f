package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/** ReluGrad rewired to the Relu's output: the same gradients to the bit, and the biased output left with one reader. */
class ReluGradientsTest {
  // x @ w + b with these values has pre-activations below and above 0.
  private static final float[] X = {1f, -2f, 0.5f, 0f, 3f, -1f};
  private static final float[] W = {0.5f, -1f, 2f, 1f, -0.25f, 0f};

  @Test
  void theGradientsAreTheSameAndTheReluReadsItsInputAlone() {
    List<float[]> plain = gradients(false);
    List<float[]> rewired = gradients(true);
    for (int i = 0; i < plain.size(); i++) {
      assertArrayEquals(plain.get(i), rewired.get(i), "gradient " + i);
    }
  }

  /** dLoss/dw and dLoss/db of loss = sum(relu(x @ w + b) * c), with or without the rewiring. */
  private static List<float[]> gradients(boolean rewire) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(Shape.of(3, 2), DataBuffers.of(X));
      Operand<TFloat32> w = tf.constant(Shape.of(2, 3), DataBuffers.of(W));
      Operand<TFloat32> b = tf.constant(new float[] {0f, -0.5f, 0.25f});
      Operand<TFloat32> pre = tf.nn.biasAdd(tf.linalg.matMul(x, w), b);
      Operand<TFloat32> y = tf.nn.relu(pre);
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(y, tf.constant(new float[] {1f, -3f, 2f})), tf.constant(new int[] {0, 1}));
      Gradients grads = tf.gradients(loss, List.of(w, b));
      if (rewire) {
        assertEquals(1, ReluGradients.readOutputs(g), "one ReluGrad rewired");
        GraphOperation reluGrad = find(g, "ReluGrad");
        assertEquals("Relu", reluGrad.input(1).op().type(), "ReluGrad reads the Relu's output");
        assertEquals(1, ((GraphOperation) pre.op()).numConsumers(0), "the biased output has the Relu alone");
        assertEquals(0, ReluGradients.readOutputs(g), "nothing left to rewire");
      } else {
        assertEquals("BiasAdd", find(g, "ReluGrad").input(1).op().type(), "TF's C++ gradient reads the input");
      }
      try (Session s = new Session(g); Result r = s.runner().fetch(grads.dy(0)).fetch(grads.dy(1)).run()) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          Tensor t = r.get(i);
          float[] values = new float[Math.toIntExact(t.shape().size())];
          ((TFloat32) t).copyTo(DataBuffers.of(values, false, false));
          out.add(values);
        }
        return out;
      }
    }
  }

  private static GraphOperation find(Graph g, String type) {
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals(type)) {
        return op;
      }
    }
    throw new AssertionError("no " + type);
  }
}
