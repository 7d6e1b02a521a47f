package io.digits.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.testing.CliRunner;
import io.digits.testing.CpuFeatures;
import io.digits.testing.SyntheticDigits;
import io.digits.train.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Predictor's float32 scores are bit for bit what the serving signature's own call gives (the
 * way it scored before it fetched only the probabilities), and {@code MIXED_BFLOAT16} scores the
 * same classes on a small trained double-conv, ours and Keras's models alike.
 */
class PredictorPrecisionTest {
  private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
  @TempDir
  static Path dir;
  private static Path doubleConv;
  private static Dataset images;

  /** A double-conv trained for two epochs on synthetic digits: confident, so classes are stable. */
  @BeforeAll
  static void train() {
    Path csv = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(640, 3));
    CliRunner.Run r = CliRunner.digits("train", "--model", "double-conv", "--epochs", "2", "--data", csv.toString(),
        "--output", dir.toString());
    assertEquals(0, r.code(), r.err());
    doubleConv = dir.resolve("double-conv/1");
    images = SyntheticDigits.labeled(1000, 11);
  }

  @Test
  void float32IsTheSignatureCallBitForBit() {
    for (Path model : new Path[] {doubleConv, FIXTURES.resolve("keras3-export-simple"), FIXTURES.resolve("module-784")}) {
      float[][] expected = signatureCall(model, images);
      try (Predictor p = Predictor.open(model, Predictor.DEFAULT_INPUT_SCALE)) {
        float[][] got = p.predict(images);
        for (int i = 0; i < expected.length; i++) {
          assertArrayEquals(expected[i], got[i], model + " row " + i);
        }
        float[][] scaled = p.predictScaled(images.scaled(Predictor.DEFAULT_INPUT_SCALE));
        assertTrue(Arrays.deepEquals(got, scaled), model + ": predictScaled differs from predict");
      }
    }
  }

  @Test
  void bfloat16AgreesWithFloat32OnOurExport() {
    assertAgrees(doubleConv);
  }

  @Test
  void bfloat16AgreesWithFloat32OnAKerasSavedModel() {
    assertAgrees(FIXTURES.resolve("keras3-export-simple"));
  }

  @Test
  void bfloat16ReachesTheGraphBuiltFromAKerasFile() {
    // An untrained fixture (near-tied classes), so only that the rewrite reached SequentialScorer's session.
    Path keras = Path.of("src/test/resources/keras-files/keras3_tiny_conv.keras");
    try (Predictor f = Predictor.open(keras, Predictor.DEFAULT_INPUT_SCALE);
        Predictor b = Predictor.open(keras, Predictor.DEFAULT_INPUT_SCALE, Precision.MIXED_BFLOAT16)) {
      float[][] exact = f.predict(images);
      float[][] mixed = b.predict(images);
      assertEquals(exact.length, mixed.length);
      assertBfloat16Ran(exact, mixed);
    }
  }

  @Test
  void predictAndEvaluateTakeThePrecision() throws IOException {
    Path test = CliRunner.writeCsv(dir.resolve("test.csv"), new Dataset(images.pixels(), null));
    Path labeled = CliRunner.writeCsv(dir.resolve("labeled.csv"), images);
    for (String precision : new String[] {"float32", "mixed-bfloat16"}) {
      Path out = dir.resolve(precision + ".csv");
      CliRunner.Run run = CliRunner.digits("predict", "--model-dir", doubleConv.toString(), "--input", test.toString(),
          "--output", out.toString(), "--precision", precision);
      assertEquals(0, run.code(), run.err());
      assertEquals(1001, Files.readAllLines(out).size());
      CliRunner.Run evaluate = CliRunner.digits("evaluate", "--model-dir", doubleConv.toString(), "--data",
          labeled.toString(), "--precision", precision);
      assertEquals(0, evaluate.code(), evaluate.err());
    }
    long same = 0;
    var a = Files.readAllLines(dir.resolve("float32.csv"));
    var b = Files.readAllLines(dir.resolve("mixed-bfloat16.csv"));
    for (int i = 0; i < a.size(); i++) {
      same += a.get(i).equals(b.get(i)) ? 1 : 0;
    }
    assertTrue(same >= 1000, "submissions agree on only " + (same - 1) + " of 1000 rows");
    assertEquals(2, CliRunner.digits("predict", "--model-dir", doubleConv.toString(), "--precision", "float8").code());
  }

  private static void assertAgrees(Path model) {
    float[][] exact;
    float[][] mixed;
    try (Predictor f = Predictor.open(model, Predictor.DEFAULT_INPUT_SCALE);
        Predictor b = Predictor.open(model, Predictor.DEFAULT_INPUT_SCALE, Precision.MIXED_BFLOAT16)) {
      exact = f.predict(images);
      mixed = b.predict(images);
    }
    int same = 0;
    for (int i = 0; i < exact.length; i++) {
      same += Scores.argMax(exact[i]) == Scores.argMax(mixed[i]) ? 1 : 0;
    }
    // The goal is >= 99.9 %: of these 1,000 images at most one may differ.
    assertTrue(same >= 999, model + ": bfloat16 classes agree with float32 on only " + same + " of 1000");
    assertBfloat16Ran(exact, mixed);
  }

  /**
   * Where the CPU computes in bfloat16 (AVX512_BF16 or AMX) TF rewrites the graph, so scores must
   * differ somewhere; elsewhere TF leaves the float32 graph, and scores stay identical.
   */
  private static void assertBfloat16Ran(float[][] exact, float[][] mixed) {
    if (CpuFeatures.hasBfloat16()) {
      assertFalse(Arrays.deepEquals(exact, mixed), "mixed-bfloat16 gave float32's scores exactly: no rewrite ran");
    }
  }


  /** What Predictor did before: the serving signature's function, every output fetched. */
  private static float[][] signatureCall(Path model, Dataset rows) {
    try (SavedModelBundle bundle = SavedModelBundle.load(ModelLoader.resolve(model).toString(), "serve")) {
      Signature signature = bundle.function(Signature.DEFAULT_KEY).signature();
      var input = signature.getInputs().entrySet().iterator().next();
      long[] dims = input.getValue().shape.asArray();
      dims[0] = rows.size();
      String output = signature.getOutputs().containsKey("probabilities") ? "probabilities"
          : signature.getOutputs().keySet().iterator().next();
      try (TFloat32 x = TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(rows.scaled(255f), true, false));
          Result result = bundle.function(Signature.DEFAULT_KEY).call(Map.of(input.getKey(), x))) {
        return Scores.rows((TFloat32) result.get(output).orElseThrow());
      }
    }
  }
}
