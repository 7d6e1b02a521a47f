package io.digits.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.testing.SyntheticDigits;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class ModelTest {

  /** Runs {@code model} (fresh weights from seed 1) on {@code rows} synthetic images; returns its output and weights. */
  private static float[][] run(Model model, int rows, Weights[] weightsOut) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      model.build(tf);
      Weights w = Weights.initial(model.parameters(), 1);
      w.assignTo(s, model.parameters());
      weightsOut[0] = w;
      float[] pixels = SyntheticDigits.formula(rows).scaled(255f);
      var out = model.output(tf, tf.constant(Shape.of(rows, 28, 28, 1), DataBuffers.of(pixels)), false);
      try (Result r = s.runner().fetch(out).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[][] rowsOut = new float[rows][(int) t.shape().size(1)];
        for (int i = 0; i < rows; i++) {
          for (int k = 0; k < rowsOut[i].length; k++) {
            rowsOut[i][k] = t.getFloat(i, k);
          }
        }
        return rowsOut;
      }
    }
  }

  @Test
  void aLayerAppliedTwiceSharesItsVariables() {
    // softmax(d(x) + d(x)) with one Dense d: its 784x3 kernel and bias exist once.
    Model.Builder b = Model.builder("shared");
    Model.Tensor flat = b.apply(new Flatten(), b.input());
    Dense d = new Dense(3, Activation.LINEAR);
    Model.Tensor sum = b.apply(new Merging(Merging.Op.ADD), b.apply(d, flat), b.apply(d, flat));
    Model model = b.output(b.apply(new ActivationLayer(Activation.SOFTMAX), sum));
    Weights[] w = new Weights[1];
    float[][] out = run(model, 4, w);
    assertEquals(2, model.parameters().all().size());
    assertEquals(784 * 3 + 3, model.parameters().count());
    assertEquals(4, model.layers().size(), "Flatten, Dense, Add, Activation");
    assertTrue(model.classifier());
    float[] kernel = w[0].values().get(0).data();
    float[] pixels = SyntheticDigits.formula(4).scaled(255f);
    for (int i = 0; i < 4; i++) {
      double[] z = new double[3];
      for (int k = 0; k < 3; k++) {
        for (int p = 0; p < 784; p++) {
          z[k] += 2.0 * pixels[i * 784 + p] * kernel[p * 3 + k];
        }
      }
      double max = Math.max(z[0], Math.max(z[1], z[2]));
      double total = 0;
      for (double v : z) {
        total += Math.exp(v - max);
      }
      for (int k = 0; k < 3; k++) {
        assertEquals(Math.exp(z[k] - max) / total, out[i][k], 1e-5, "row " + i + " class " + k);
      }
    }
  }

  @Test
  void aNestedModelIsALayerAndItsVariablesAreTheOuterModels() {
    Sequential inner = new Sequential("inner", Shape.of(-1, 14, 14, 2), List.of(
        new Conv2D(2, 3, Padding.SAME, Activation.RELU), new BatchNormalization()));
    Model.Builder b = Model.builder("outer");
    Model.Tensor x = b.apply(new Conv2D(2, 3, 2, Padding.SAME, Activation.RELU, true), b.input());
    Model.Tensor y = b.apply(new Merging(Merging.Op.ADD), x, b.apply(inner, x)); // a residual block
    y = b.apply(new GlobalPooling2D(false, false), y);
    Model model = b.output(b.apply(new Dense(10, Activation.SOFTMAX), y));
    float[][] out = run(model, 3, new Weights[1]);
    // outer conv 2 + inner conv 2 + BN 4 + dense 2
    assertEquals(10, model.parameters().all().size());
    assertEquals(2, inner.parameters(0).size(), "inner conv: kernel, bias");
    assertEquals(4, inner.parameters(1).size(), "inner BatchNormalization");
    List<String> names = model.parameters().all().stream().map(Parameters.Parameter::name).toList();
    assertTrue(names.contains(inner.parameters(1).get(0).name()), "the nested model's variables are the outer's: " + names);
    for (float[] row : out) {
      double sum = 0;
      for (float v : row) {
        sum += v;
      }
      assertEquals(1, sum, 1e-5);
    }
    assertTrue(model.summary().stream().anyMatch(l -> l.contains("Sequential('inner', 2 layers)")), model.summary().toString());
  }

  @Test
  void applicationsThatDoNotLeadToTheOutputAreDropped() {
    Model.Builder b = Model.builder("pruned");
    Model.Tensor flat = b.apply(new Flatten(), b.input());
    b.apply(new Dense(5, Activation.RELU), flat); // a dead end
    Model model = b.output(b.apply(new Dense(10, Activation.SOFTMAX), flat));
    run(model, 1, new Weights[1]);
    assertEquals(2, model.layers().size());
    assertEquals(784 * 10 + 10, model.parameters().count());
  }

  @Test
  void aSharedLayerOnAnotherShapeIsRefusedWithItsPosition() {
    Model.Builder b = Model.builder("bad");
    Conv2D conv = new Conv2D(4, 3, Padding.SAME, Activation.RELU);
    Model.Tensor once = b.apply(conv, b.input());
    Model.Tensor twice = b.apply(conv, once); // 4 channels where it was built on 1
    Model model = b.output(b.apply(new Flatten(), twice));
    try (Graph g = new Graph()) {
      Model.LayerShapeException e = assertThrows(Model.LayerShapeException.class, () -> model.build(Ops.create(g)));
      assertEquals(0, e.index());
      assertTrue(e.reason().contains("shared layer is applied to [[-1, 28, 28, 4]] after [[-1, 28, 28, 1]]"),
          e.getMessage());
    }
  }

  @Test
  void tensorsOfAnotherModelAreRefused() {
    Model.Builder a = Model.builder("a");
    Model.Builder b = Model.builder("b");
    assertThrows(IllegalArgumentException.class, () -> b.apply(new Flatten(), a.input()));
    assertFalse(new Sequential("s", List.of(new Flatten(), new Dense(3, Activation.RELU))).classifier());
  }
}
