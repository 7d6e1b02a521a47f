package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.model.Architecture;
import io.digits.model.Weights;
import io.digits.testing.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.proto.ConfigProto;

/**
 * Training parity with Keras (issue 4): from Keras's own weights, on the same batches in file order,
 * with dropout rate 0, the Java graph and optimizer do what Keras does.
 *
 * <p>Two kinds of check, because two correct implementations agree step by step only while rounding
 * does not matter. Gradients are discontinuous (ReLU at 0, ties in MaxPool), and RMSprop divides a
 * gradient by its own root mean square, so where a gradient is small a one-ulp difference in a
 * pre-activation moves a weight by a visible part of a whole step. oneDNN picks different kernels
 * per CPU (AVX2, AVX-512, Intel, AMD), so where that happens depends on the machine: measured on an
 * AMD EPYC, Keras's own double-conv run on AVX2 kernels leaves its AVX-512 run at the first update
 * (5 conv weights of a nearly silent channel), and Java's 100-step curve left Keras's after step 53
 * (1.9 % apart at step 100). Hence:
 * <ul>
 *   <li>tight: one step from Keras's state (weights and accumulators) before each of steps 1-20 and
 *       before step 100 gives Keras's loss within a few ulps and lands on Keras's next weights;
 *   <li>loose: the free-running 100-step curve keeps Keras's mean loss over every 20-step window.
 * </ul>
 *
 * <p>Runs under {@code make interop}, which first writes Keras's side with scripts/keras_parity.py
 * and passes {@code -Ddigits.parity.dir}; skipped in the plain unit-test run, which has no Python.
 */
class KerasParityTest {
  private static final int BATCH = 32;
  private static final int STEPS = 100;

  /**
   * From the same weights the loss is one forward pass in float32 (continuous: a flip at a kink
   * moves it by a rounding error only) whose sums run in a different order in each framework's
   * kernels. Each order rounds every operation correctly; the logits differ by rounding errors of
   * their sums, and the loss, a mean over 32 rows of a smooth function of them, by a few ulps of
   * its own: at most 2 measured, on AVX-512, AVX2 and non-oneDNN kernels on both sides. 8 ulps of
   * the float32 loss (4.8e-7 to 9.5e-7 relative) leaves room for other kernels and is far below what
   * a different model gives.
   */
  private static final int LOSS_ULPS = 8;
  /**
   * A weight "lands on Keras's" within this: about 0.1 % of an RMSprop step (lr*g/sqrt(v), near
   * lr = 1e-3; lr*sqrt(10) at most). A learning rate 5 % off leaves 50-75 % of the weights
   * elsewhere after the first step.
   */
  private static final double WEIGHT_TOLERANCE = 1e-6;
  /**
   * All but the weights behind a gradient discontinuity (see above) land on Keras's: a conv
   * channel is 25 to 288 weights, 0.003-0.04 % of double-conv's.
   */
  private static final double WEIGHT_SHARE = 0.999;
  /**
   * Once two runs part, their per-step losses differ by up to 25 % but stay two samples of the same
   * training: 20-step means measured within 1.2 % between Keras on AVX2 kernels and Java on
   * AVX-512 ones, and when every start weight is moved by one ulp. 5 % leaves room for that, while a
   * training that is not Keras's leaves the window (a learning rate twice Keras's: 13-24 %).
   */
  private static final int WINDOW = 20;
  private static final double WINDOW_TOLERANCE = 0.05;
  /** The bfloat16 check's steps and relative loss tolerance (issue 18's). */
  private static final int BF16_STEPS = 20;
  private static final double BF16_TOLERANCE = 1e-2;

  @ParameterizedTest
  @ValueSource(strings = {"simple", "double-conv"})
  void oneStepFromKerasStateGivesKerasLossAndWeights(String modelName) throws IOException {
    Parity p = Parity.load(modelName);
    List<Integer> checked = new ArrayList<>();
    double worstUlps = 0;
    double lowestShare = 1;
    try (TrainingGraph graph = p.graph()) {
      graph.start(p.weights("w"), 0);
      for (int step = 0; step < STEPS; step++) {
        if (!p.hasState(step) || !p.hasState(step + 1)) {
          continue;
        }
        graph.restore(p.weights(stateFile(step, "w")), optimizerState(graph, p, step), 0, step);
        double loss = graph.step(batch(step)).loss();
        double keras = p.losses[step];
        double ulps = Math.abs(loss - keras) / Math.ulp((float) keras);
        assertTrue(ulps <= LOSS_ULPS, String.format("%s step %d from Keras's state: java %s keras %s (%.0f ulps)",
            modelName, step + 1, loss, keras, ulps));
        double share = shareClose(graph.weights(), p.weights(stateFile(step + 1, "w")));
        assertTrue(share > WEIGHT_SHARE, String.format("%s step %d: %.5f of the weights land on Keras's",
            modelName, step + 1, share));
        checked.add(step + 1);
        worstUlps = Math.max(worstUlps, ulps);
        lowestShare = Math.min(lowestShare, share);
      }
    }
    System.out.printf("%s: one step from Keras's state at steps %s: loss within %.0f ulps, %.5f of the weights"
        + " within %.0e%n", modelName, checked, worstUlps, lowestShare, WEIGHT_TOLERANCE);
    assertTrue(checked.containsAll(List.of(1, 20, STEPS)), "Keras wrote the states around steps 1-20 and 100: "
        + checked);
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple", "double-conv"})
  void freeRunningLossCurveKeepsKerasWindowMeans(String modelName) throws IOException {
    Parity p = Parity.load(modelName);
    double[] java = new double[STEPS];
    try (TrainingGraph graph = p.graph()) {
      graph.start(p.weights("w"), 0);
      for (int step = 0; step < STEPS; step++) {
        java[step] = graph.step(batch(step)).loss();
      }
    }
    double[] keras = p.losses;
    double worstEarly = 0;
    for (int step = 0; step < WINDOW; step++) {
      worstEarly = Math.max(worstEarly, Math.abs(java[step] - keras[step]) / keras[step]);
    }
    // Printed, not asserted (see the class comment): the figure the README quotes for this machine.
    System.out.printf("%s: free-running, worst relative loss difference over steps 1-%d %.2e, at step %d %.2e%n",
        modelName, WINDOW, worstEarly, STEPS, Math.abs(java[STEPS - 1] - keras[STEPS - 1]) / keras[STEPS - 1]);
    for (int from = 0; from < STEPS; from += WINDOW) {
      double j = mean(java, from, from + WINDOW);
      double k = mean(keras, from, from + WINDOW);
      System.out.printf("%s: mean loss over steps %d-%d: java %.6f keras %.6f (%.2e)%n",
          modelName, from + 1, from + WINDOW, j, k, Math.abs(j - k) / k);
      assertEquals(k, j, WINDOW_TOLERANCE * k, modelName + ": mean loss over steps " + (from + 1) + "-" + (from + WINDOW));
    }
  }

  /**
   * {@code --precision mixed-bfloat16} against Keras's {@code mixed_bfloat16} policy (issue 18): at
   * each of the first 20 steps, from Keras's own state before it (weights and accumulators, which
   * the policy keeps in float32), Java's loss within 1e-2 relative of Keras's. bfloat16 keeps 8
   * significant bits (2^-8 = 0.4 % a rounding), and the two round in different places (TF's oneDNN
   * rewrite picks the ops; Keras casts per layer), so the losses of one forward pass differ by a few
   * such roundings (measured: at most 0.04 %). Not along a free-running curve: from step 3 on,
   * bfloat16's larger roundings make two correct runs part as float32 runs part after step 50 (see
   * the class comment; measured 2.7 % apart by step 19), so that curve is printed, not asserted.
   * Needs a CPU with bfloat16 instructions (elsewhere TF leaves the graph float32).
   */
  @ParameterizedTest
  @ValueSource(strings = {"double-conv"})
  void mixedBfloat16StepsFromKerasStateGiveKerasMixedBfloat16Losses(String modelName) throws IOException {
    assumeTrue(bfloat16Cpu(), "the CPU has no bfloat16 instructions (avx512_bf16, amx_bf16)");
    Parity p = Parity.load("digits.parity.bf16.dir", modelName, BF16_STEPS);
    double worst = 0;
    double freeRunning = 0;
    try (TrainingGraph graph = p.graph(Precision.MIXED_BFLOAT16.apply(ConfigProto.getDefaultInstance()))) {
      graph.start(p.weights("w"), 0);
      for (int step = 0; step < BF16_STEPS; step++) {
        double keras = p.losses[step];
        freeRunning = Math.max(freeRunning, Math.abs(graph.step(batch(step)).loss() - keras) / keras);
      }
      for (int step = 0; step < BF16_STEPS; step++) {
        graph.restore(p.weights(stateFile(step, "w")), optimizerState(graph, p, step), 0, step);
        double keras = p.losses[step];
        double java = graph.step(batch(step)).loss();
        assertEquals(keras, java, BF16_TOLERANCE * keras, modelName + " step " + (step + 1) + " from Keras's state");
        worst = Math.max(worst, Math.abs(java - keras) / keras);
      }
    }
    System.out.printf("%s: mixed-bfloat16 vs Keras mixed_bfloat16, steps 1-%d from Keras's state: worst relative loss"
        + " difference %.2e (free-running: %.2e)%n", modelName, BF16_STEPS, worst, freeRunning);
  }

  private static boolean bfloat16Cpu() throws IOException {
    Path cpuinfo = Path.of("/proc/cpuinfo");
    return Files.isReadable(cpuinfo) && java.util.regex.Pattern.compile("\\b(avx512_bf16|amx_bf16)\\b")
        .matcher(Files.readString(cpuinfo)).find();
  }

  /** Keras's side of the check for one model, as scripts/keras_parity.py wrote it. */
  private record Parity(Path dir, double[] losses, Dataset rows) {
    static Parity load(String modelName) throws IOException {
      return load("digits.parity.dir", modelName, STEPS);
    }

    /** Keras's side written under the folder system property {@code property} names, {@code steps} steps. */
    static Parity load(String property, String modelName, int steps) throws IOException {
      String dirProperty = System.getProperty(property);
      assumeTrue(dirProperty != null, "needs Keras's side: set -D" + property + " (make interop does)");
      Path dir = Path.of(dirProperty).resolve(modelName);
      assertTrue(Files.isRegularFile(dir.resolve("losses.csv")), "missing Keras output in " + dir);
      double[] losses = Files.readAllLines(dir.resolve("losses.csv")).stream().skip(1)
          .mapToDouble(l -> Double.parseDouble(l.split(",")[1])).toArray();
      assertEquals(steps, losses.length, "Keras wrote " + steps + " steps");
      Dataset rows = DigitCsv.readLabeled(Path.of(System.getProperty("digits.data", "data/train.csv")))
          .head(steps * BATCH);
      return new Parity(dir, losses, rows);
    }

    TrainingGraph graph() {
      return graph(ConfigProto.getDefaultInstance());
    }

    TrainingGraph graph(ConfigProto config) {
      return new TrainingGraph(Architecture.byName(dir.getFileName().toString()).create(0f), rows,
          rows.head(BATCH), new RmsProp(RmsProp.NOTEBOOK_LEARNING_RATE), config);
    }

    boolean hasState(int step) {
      return Files.exists(dir.resolve(stateFile(step, "w") + "00.npy"));
    }

    /** The arrays {@code <prefix>00.npy, <prefix>01.npy, ...}. */
    Weights weights(String prefix) throws IOException {
      List<Weights.Value> values = new ArrayList<>();
      for (int i = 0; Files.exists(dir.resolve(String.format("%s%02d.npy", prefix, i))); i++) {
        Npy.Array a = Npy.read(dir.resolve(String.format("%s%02d.npy", prefix, i)));
        values.add(new Weights.Value(prefix + i, a.shape(), a.data()));
      }
      return new Weights(values);
    }
  }

  private static String stateFile(int step, String kind) {
    return String.format("state/step%03d_%s", step, kind);
  }

  /**
   * Java's RMSprop slots holding Keras's state before {@code step}: its accumulators ("velocity"),
   * momentum 0, and the {@code step - 1} iterations taken.
   */
  private static Weights optimizerState(TrainingGraph graph, Parity p, int step) throws IOException {
    List<Weights.Value> velocities = p.weights(stateFile(step, "v")).values();
    List<Weights.Value> slots = new ArrayList<>();
    int next = 0;
    for (Weights.Value slot : graph.optimizerState().values()) {
      if (slot.name().endsWith("_velocity")) {
        Weights.Value v = velocities.get(next++);
        assertEquals(slot.shape(), v.shape(), slot.name());
        slots.add(new Weights.Value(slot.name(), slot.shape(), v.data()));
      } else if (slot.name().endsWith("iterations")) {
        slots.add(new Weights.Value(slot.name(), slot.shape(), new float[] {step - 1}));
      } else {
        assertTrue(slot.name().endsWith("_momentum"), "an RMSprop slot: " + slot.name());
        slots.add(new Weights.Value(slot.name(), slot.shape(), new float[(int) slot.shape().size()]));
      }
    }
    assertEquals(velocities.size(), next, "one accumulator per weight");
    return new Weights(slots);
  }

  /** The share of weights within {@link #WEIGHT_TOLERANCE} of Keras's. */
  private static double shareClose(Weights java, Weights keras) {
    long total = 0;
    long close = 0;
    for (int i = 0; i < java.values().size(); i++) {
      float[] a = java.values().get(i).data();
      float[] b = keras.values().get(i).data();
      for (int k = 0; k < a.length; k++) {
        total++;
        close += Math.abs(a[k] - b[k]) <= WEIGHT_TOLERANCE ? 1 : 0;
      }
    }
    return (double) close / total;
  }

  /** Rows {@code step*32 .. step*32+31}: the batches in file order, as Keras's side took them. */
  private static int[] batch(int step) {
    int[] batch = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      batch[i] = step * BATCH + i;
    }
    return batch;
  }

  private static double mean(double[] values, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += values[i];
    }
    return sum / (to - from);
  }
}
