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
      assertEquals(0.1f, Architecture.BN_CNN.defaultDropout());
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

  /**
   * Keras's glorot_uniform is U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), variance l^2/3, and
   * fans from keras/src/initializers/random_initializers.py compute_fans: a Dense kernel [in, out]
   * has fan_in = in, fan_out = out; a Conv2D kernel [kh, kw, in, out] has fan_in = kh*kw*in,
   * fan_out = kh*kw*out. The expected fans are written out here per kernel, not computed.
   */
  @Test
  void glorotUniformUsesKerasFansForConvAndDenseKernelsAndBiasesAreZero() {
    assertGlorot(Architecture.DOUBLE_CONV, new long[][] {
        {5 * 5 * 1, 5 * 5 * 32}, // conv 5x5, 1 -> 32 channels
        {3 * 3 * 32, 3 * 3 * 64}, // conv 3x3, 32 -> 64
        {3136, 256}, // dense
        {256, 10}}); // dense
    assertGlorot(Architecture.SIMPLE, new long[][] {{784, 256}, {256, 10}});
  }

  private static void assertGlorot(Architecture architecture, long[][] fans) {
    try (Graph g = new Graph()) {
      Sequential m = architecture.create().build(Ops.create(g));
      List<Weights.Value> values = Weights.initial(m.parameters(), 7).values();
      assertEquals(2 * fans.length, values.size(), "a kernel and a bias per layer");
      for (int layer = 0; layer < fans.length; layer++) {
        float[] kernel = values.get(2 * layer).data();
        String name = architecture + " kernel " + layer + " " + values.get(2 * layer).shape();
        double limit = Math.sqrt(6.0 / (fans[layer][0] + fans[layer][1]));
        int n = kernel.length;
        double max = 0;
        double sum = 0;
        double squares = 0;
        for (float v : kernel) {
          max = Math.max(max, Math.abs(v));
          sum += v;
          squares += (double) v * v;
        }
        assertTrue(max <= limit, name + ": max |w| " + max + " within the limit " + limit);
        // n uniform draws all stay below (1 - c) * limit with probability (1 - c)^n < exp(-c*n):
        // c = 10/n makes that e^-10, while the wrong fans (Dense's for a conv: fan_in 1, fan_out 32)
        // would give a limit 5 times larger.
        assertTrue(max >= (1 - 10.0 / n) * limit, name + ": max |w| " + max + " fills the range " + limit);
        // The sample mean of w (sd l/sqrt(3n)) and of w^2 (sd sqrt(4/45) l^2/sqrt(n)), 5 sd each.
        assertEquals(0, sum / n, 5 * limit / Math.sqrt(3.0 * n), name + ": mean");
        assertEquals(limit * limit / 3, squares / n, 5 * Math.sqrt(4.0 / 45) * limit * limit / Math.sqrt(n),
            name + ": variance 2/(fan_in+fan_out)");
        for (float v : values.get(2 * layer + 1).data()) {
          assertEquals(0f, v, name + " bias");
        }
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
