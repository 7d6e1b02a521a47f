package io.digits.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

class ArchitectureTest {

  private static long paramCount(Architecture a) {
    try (Graph g = new Graph()) {
      return a.create().build(Ops.create(g)).parameters().count();
    }
  }

  @Test
  void parameterCountsAreTheNotebooks() {
    assertEquals(203_530, paramCount(Architecture.SIMPLE));
    assertEquals(824_970, paramCount(Architecture.DOUBLE_CONV));
  }

  @Test
  void bnCnnHasItsLayersAndParameters() {
    try (Graph g = new Graph()) {
      Sequential m = Architecture.BN_CNN.create().build(Ops.create(g));
      // convs without bias: 288 + 9,216 + 25,600 + 18,432 + 36,864 + 102,400; dense 131,200 + 1,290;
      // 7 normalizations of 4 x (32, 32, 32, 64, 64, 64, 128) values
      assertEquals(326_954, m.parameters().count());
      long trainable = m.parameters().trainable().stream().mapToLong(p -> p.shape().size()).sum();
      assertEquals(326_954 - 2 * 416, trainable, "moving statistics are not trained");
      assertEquals(7, m.layers().stream().filter(l -> l instanceof BatchNormalization).count());
      assertEquals(3, m.layers().stream().filter(l -> l instanceof Dropout).count());
      assertTrue(m.layers().get(0) instanceof RandomAffine, "augmentation first");
      assertEquals(0.4f, Architecture.BN_CNN.defaultDropout());
    }
  }

  @Test
  void variablesComeInKerasOrderWithKerasShapes() {
    try (Graph g = new Graph()) {
      Sequential m = Architecture.DOUBLE_CONV.create().build(Ops.create(g));
      List<Shape> shapes = m.parameters().all().stream().map(Parameters.Parameter::shape).toList();
      assertEquals(List.of(Shape.of(5, 5, 1, 32), Shape.of(32), Shape.of(3, 3, 32, 64), Shape.of(64),
          Shape.of(3136, 256), Shape.of(256), Shape.of(256, 10), Shape.of(10)), shapes);
    }
  }

  @Test
  void glorotUniformStaysWithinKerasLimitAndBiasesAreZero() {
    try (Graph g = new Graph()) {
      Sequential m = Architecture.SIMPLE.create().build(Ops.create(g));
      Weights w = Weights.initial(m.parameters(), 7);
      float limit = (float) Math.sqrt(6.0 / (784 + 256));
      float[] kernel = w.values().get(0).data();
      double max = 0;
      double sum = 0;
      for (float v : kernel) {
        max = Math.max(max, Math.abs(v));
        sum += v;
      }
      assertTrue(max <= limit, "kernel within the glorot limit");
      assertTrue(max > 0.99 * limit, "kernel fills the glorot range");
      assertEquals(0, sum / kernel.length, 0.01 * limit, "uniform around zero");
      for (float v : w.values().get(1).data()) {
        assertEquals(0f, v);
      }
    }
  }

  @Test
  void sameSeedSameStartWeightsOtherSeedOthers() {
    try (Graph g = new Graph()) {
      Parameters p = Architecture.SIMPLE.create().build(Ops.create(g)).parameters();
      float[] a = Weights.initial(p, 3).values().get(0).data();
      float[] b = Weights.initial(p, 3).values().get(0).data();
      float[] c = Weights.initial(p, 4).values().get(0).data();
      assertTrue(java.util.Arrays.equals(a, b));
      assertTrue(!java.util.Arrays.equals(a, c));
    }
  }

  @Test
  void poolingUsesTheAttributeStyleMaxPoolOp() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Sequential m = Architecture.DOUBLE_CONV.create().build(tf);
      m.logits(tf, tf.placeholder(org.tensorflow.types.TFloat32.class), false);
      List<String> types = new java.util.ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(op.type()));
      assertEquals(2, types.stream().filter("MaxPool"::equals).count());
      assertTrue(types.stream().noneMatch("MaxPoolV2"::equals));
    }
  }
}
