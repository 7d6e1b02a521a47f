package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.train.Loss.Kind;
import io.digits.train.Loss.Prediction;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The losses against Keras's formulas in double precision. float32 log/exp/softmax are accurate
 * to a few 2^-24 relative of their terms, which are at most ~25 here: 1e-5 absolute covers it.
 */
class LossTest {
  /** Three rows of four classes; the last is confidently wrong, where clipping matters. */
  private static final float[][] SCORES = {{1f, 2f, 0.5f, -1f}, {0.1f, 0.1f, 0.3f, 3f}, {9f, -9f, 0f, 1f}};
  /** Outputs of a layer that is not a softmax (e.g. a ReLU), taken as unnormalized probabilities. */
  private static final float[][] OUTPUTS = {{0.2f, 0.5f, 0.1f, 0.2f}, {0f, 0.3f, 0.3f, 0.6f}, {0.9f, 0f, 0.05f, 0.05f}};
  private static final int[] LABELS = {1, 3, 1};

  private static float[] run(Function<Ops, Operand<TFloat32>> build) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Operand<TFloat32> out = build.apply(Ops.create(g));
      try (Result r = s.runner().fetch(out).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] values = new float[(int) t.size()];
        t.copyTo(DataBuffers.of(values, false, false));
        return values;
      }
    }
  }

  private static float[] perExample(Loss loss, boolean softmaxOutput, float[][] x) {
    return run(tf -> loss.perExample(tf,
        softmaxOutput ? Prediction.logitsOf(tf.constant(x)) : Prediction.of(tf.constant(x)), tf.constant(LABELS)));
  }

  /** -sum(y * log_softmax(z)) with y one-hot smoothed by {@code ls}. */
  private static double softmaxCrossEntropy(float[] z, int label, double ls) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : z) {
      sum += Math.exp(v - max);
    }
    double logSum = max + Math.log(sum);
    double loss = 0;
    for (int k = 0; k < z.length; k++) {
      double y = (k == label ? 1 - ls : 0) + ls / z.length;
      loss -= y * (z[k] - logSum);
    }
    return loss;
  }

  private static double clip(double p) {
    return Math.max(1e-7, Math.min(1 - 1e-7, p));
  }

  @Test
  void aSoftmaxOutputIsComputedFromItsLogitsWhateverFromLogitsSays() {
    for (Loss loss : new Loss[] {Loss.NOTEBOOK, new Loss(Kind.CATEGORICAL, true, 0),
        new Loss(Kind.SPARSE_CATEGORICAL, false, 0), new Loss(Kind.SPARSE_CATEGORICAL, true, 0)}) {
      float[] got = perExample(loss, true, SCORES);
      for (int i = 0; i < LABELS.length; i++) {
        assertEquals(softmaxCrossEntropy(SCORES[i], LABELS[i], 0), got[i], 1e-5, loss + " row " + i);
      }
    }
  }

  @Test
  void labelSmoothingSpreadsLsOverTheClasses() {
    float[] got = perExample(new Loss(Kind.CATEGORICAL, false, 0.1), true, SCORES);
    for (int i = 0; i < LABELS.length; i++) {
      assertEquals(softmaxCrossEntropy(SCORES[i], LABELS[i], 0.1), got[i], 1e-5, "row " + i);
    }
  }

  @Test
  void otherOutputsAreLogitsOnlyWithFromLogits() {
    float[] got = perExample(new Loss(Kind.CATEGORICAL, true, 0), false, SCORES);
    for (int i = 0; i < LABELS.length; i++) {
      assertEquals(softmaxCrossEntropy(SCORES[i], LABELS[i], 0), got[i], 1e-5, "row " + i);
    }
  }

  @Test
  void categoricalFromProbabilitiesRenormalizesAndClips() {
    float[] got = perExample(new Loss(Kind.CATEGORICAL, false, 0), false, OUTPUTS);
    for (int i = 0; i < LABELS.length; i++) {
      double sum = 0;
      for (float p : OUTPUTS[i]) {
        sum += p;
      }
      // Row 2's label has probability 0: clipped to 1e-7, the loss is -log(1e-7) = 16.1.
      assertEquals(-Math.log(clip(OUTPUTS[i][LABELS[i]] / sum)), got[i], 1e-5, "row " + i);
    }
  }

  @Test
  void sparseFromProbabilitiesClipsThenTakesSoftmaxOfTheLogs() {
    float[] got = perExample(new Loss(Kind.SPARSE_CATEGORICAL, false, 0), false, OUTPUTS);
    for (int i = 0; i < LABELS.length; i++) {
      double sum = 0;
      for (float p : OUTPUTS[i]) {
        sum += clip(p);
      }
      assertEquals(-Math.log(clip(OUTPUTS[i][LABELS[i]]) / sum), got[i], 1e-5, "row " + i);
    }
  }

  @Test
  void theNotebookLossIsBitForBitTheSoftmaxCrossEntropyOpItAlwaysWas() {
    float[] before = run(tf -> tf.nn.softmaxCrossEntropyWithLogits(tf.constant(SCORES),
        Loss.oneHot(tf, tf.constant(LABELS), 4)).loss());
    assertArrayEquals(before, perExample(Loss.NOTEBOOK, true, SCORES));
  }

  @Test
  void accuracyCountsArgMaxHits() {
    float[] correct = run(tf -> Loss.correct(tf, Prediction.logitsOf(tf.constant(SCORES)), tf.constant(LABELS)));
    assertEquals(2f, correct[0], "rows 0 and 1 predict their labels 1 and 3; row 2 predicts 0, not 1");
  }

  /** TF's C API lacks some gradients (e.g. of SparseSoftmaxCrossEntropyWithLogits): every path needs one. */
  @Test
  void everyPathCanBeTrained() {
    for (Loss loss : new Loss[] {Loss.NOTEBOOK, new Loss(Kind.CATEGORICAL, true, 0.1),
        new Loss(Kind.SPARSE_CATEGORICAL, false, 0), new Loss(Kind.SPARSE_CATEGORICAL, true, 0)}) {
      for (boolean softmaxOutput : new boolean[] {true, false}) {
        float[] gradient = run(tf -> {
          Operand<TFloat32> x = tf.constant(softmaxOutput ? SCORES : OUTPUTS);
          Prediction p = softmaxOutput ? Prediction.logitsOf(x) : Prediction.of(x);
          return tf.gradients(loss.mean(tf, p, tf.constant(LABELS)), List.of(x)).dy(0);
        });
        for (float g : gradient) {
          assertTrue(Float.isFinite(g), loss + (softmaxOutput ? " on logits" : " on outputs"));
        }
      }
    }
  }

  @Test
  void sparseHasNoLabelSmoothing() {
    assertThrows(IllegalArgumentException.class, () -> new Loss(Kind.SPARSE_CATEGORICAL, false, 0.1));
  }
}
