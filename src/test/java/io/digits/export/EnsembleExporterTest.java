package io.digits.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.DigitsException;
import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.scoring.Predictor;
import io.digits.testing.SyntheticDigits;
import io.digits.train.Precision;
import io.digits.train.TrainConfig;
import io.digits.train.TrainingRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The ensemble export against single exports of the same weights. Tolerance 1e-6: the same
 * float32 ops run on batches of other sizes (5n rows with test-time augmentation), where oneDNN may
 * sum a dot product in another order; that moves a probability by a few float32 ulps, far below 1e-6.
 */
class EnsembleExporterTest {
  private static final Dataset IMAGES = SyntheticDigits.labeled(40, 4);

  private static Weights weights(Architecture a, long seed) {
    try (Graph g = new Graph()) {
      return Weights.initial(a.create().build(Ops.create(g)).parameters(), seed);
    }
  }

  private static float[][] single(Path dir, Architecture a, Weights w, Dataset images) {
    SavedModelExporter.export(a.create(), w, dir, Map.of(), Precision.FLOAT32, true);
    try (Predictor p = Predictor.open(dir, 255f)) {
      return p.predict(images);
    }
  }

  private static float[][] signature(Path dir, String key, Dataset images) {
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve");
        TFloat32 in = images.images(0, images.size());
        Result r = b.function(key).call(Map.of("image", in))) {
      float[][] p = io.digits.scoring.Scores.rows((TFloat32) r.get("probabilities").orElseThrow());
      TInt64 classes = (TInt64) r.get("class").orElseThrow();
      for (int i = 0; i < p.length; i++) {
        assertEquals(io.digits.scoring.Scores.argMax(p[i]), classes.getLong(i), "class is the arg-max");
      }
      return p;
    }
  }

  private static void assertClose(float[][] expected, float[][] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      for (int k = 0; k < 10; k++) {
        assertEquals(expected[i][k], actual[i][k], 1e-6, what + ": image " + i + " class " + k);
      }
    }
  }

  @Test
  void servingDefaultAveragesTheMembersAndEachMemberHasItsSignature(@TempDir Path dir) {
    List<Weights> members = List.of(weights(Architecture.BN_CNN, 1), weights(Architecture.BN_CNN, 2),
        weights(Architecture.BN_CNN, 3));
    Path ensemble = dir.resolve("bn-cnn-ensemble/1");
    EnsembleExporter.export(Architecture.BN_CNN, members, false, ensemble, Map.of("training.json", "{}".getBytes()),
        Precision.FLOAT32, false);

    float[][] mean = new float[IMAGES.size()][10];
    for (int m = 0; m < members.size(); m++) {
      float[][] alone = single(dir.resolve("single/1"), Architecture.BN_CNN, members.get(m), IMAGES);
      assertClose(alone, signature(ensemble, EnsembleExporter.memberKey(m + 1), IMAGES), "member " + (m + 1));
      for (int i = 0; i < alone.length; i++) {
        for (int k = 0; k < 10; k++) {
          mean[i][k] += alone[i][k] / members.size();
        }
      }
    }
    assertClose(mean, signature(ensemble, "serving_default", IMAGES), "ensemble");
    try (SavedModelBundle b = SavedModelBundle.load(ensemble.toString(), "serve")) {
      Signature s = b.function("serving_default").signature();
      assertEquals("tensorflow/serving/predict", s.methodName());
      assertEquals(List.of("image"), List.copyOf(s.getInputs().keySet()));
      assertEquals(java.util.Set.of("probabilities", "class"), s.getOutputs().keySet());
      assertArrayEquals(new long[] {-1, 10}, s.getOutputs().get("probabilities").shape.asArray());
    }
  }

  /** Image i moved down by dy and right by dx rows/columns; what moves out is lost, what comes in is 0. */
  private static Dataset shifted(Dataset images, int dy, int dx) {
    byte[] out = new byte[images.pixels().length];
    for (int i = 0; i < images.size(); i++) {
      for (int r = 0; r < 28; r++) {
        for (int c = 0; c < 28; c++) {
          int sr = r - dy;
          int sc = c - dx;
          if (sr >= 0 && sr < 28 && sc >= 0 && sc < 28) {
            out[i * 784 + r * 28 + c] = images.pixels()[i * 784 + sr * 28 + sc];
          }
        }
      }
    }
    return new Dataset(out, images.labels());
  }

  @Test
  void testTimeAugmentationAveragesTheFiveShiftedViews(@TempDir Path dir) {
    Weights w = weights(Architecture.SIMPLE, 7);
    Path ensemble = dir.resolve("tta/1");
    EnsembleExporter.export(Architecture.SIMPLE, List.of(w), true, ensemble, Map.of(), Precision.FLOAT32, false);
    float[][] expected = new float[IMAGES.size()][10];
    for (int[] s : new int[][] {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}}) {
      float[][] view = single(dir.resolve("single/1"), Architecture.SIMPLE, w, shifted(IMAGES, s[0], s[1]));
      for (int i = 0; i < view.length; i++) {
        for (int k = 0; k < 10; k++) {
          expected[i][k] += view[i][k] / 5;
        }
      }
    }
    assertClose(expected, signature(ensemble, "serving_default", IMAGES), "tta");
    assertClose(expected, signature(ensemble, "member_1", IMAGES), "the member signature has the views too");
    float[][] plain = single(dir.resolve("single/1"), Architecture.SIMPLE, w, IMAGES);
    assertTrue(Math.abs(plain[0][0] - expected[0][0]) > 1e-4, "the views change the output");
  }

  private static byte[] run(Architecture a) {
    return new TrainingRun(a.cliName(), "train.csv", 0.1, Precision.FLOAT32, 1, null, TrainConfig.defaults(a)).toJson();
  }

  @Test
  void aMemberExportReadsBackAsItsWeights(@TempDir Path dir) throws Exception {
    Weights w = weights(Architecture.BN_CNN, 3);
    SavedModelExporter.export(Architecture.BN_CNN.create(), w, dir.resolve("bn-cnn/1"),
        Map.of("training.json", run(Architecture.BN_CNN)), Precision.FLOAT32, false);
    MemberExport read = MemberExport.read(dir.resolve("bn-cnn"));
    assertEquals(Architecture.BN_CNN, read.architecture());
    assertEquals(w.values().size(), read.weights().values().size());
    for (int i = 0; i < w.values().size(); i++) {
      assertEquals(w.values().get(i).name(), read.weights().values().get(i).name());
      assertArrayEquals(w.values().get(i).data(), read.weights().values().get(i).data(), w.values().get(i).name());
    }

    Path other = dir.resolve("simple/1");
    SavedModelExporter.export(Architecture.SIMPLE.create(), weights(Architecture.SIMPLE, 1), other,
        Map.of("training.json", run(Architecture.BN_CNN)), Precision.FLOAT32, false);
    DigitsException e = assertThrows(DigitsException.class, () -> MemberExport.read(other));
    assertTrue(e.getMessage().contains("not a bn-cnn export of digits train: no variable bn-cnn/"), e.getMessage());
  }
}
