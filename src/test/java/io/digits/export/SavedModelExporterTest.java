package io.digits.export;

import io.digits.train.Precision;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

class SavedModelExporterTest {

  /** Glorot kernels and, unlike a fresh start, non-zero biases, so that an export shows both. */
  private static Weights someWeights(Architecture a, long seed) {
    try (Graph g = new Graph()) {
      Sequential m = a.create().build(Ops.create(g));
      List<Weights.Value> values = new ArrayList<>();
      for (Weights.Value v : Weights.initial(m.parameters(), seed).values()) {
        float[] data = v.data().clone();
        if (v.shape().numDimensions() == 1) {
          for (int i = 0; i < data.length; i++) {
            data[i] = ((i + seed) % 7 - 3) * 0.01f;
          }
        }
        values.add(new Weights.Value(v.name(), v.shape(), data));
      }
      return new Weights(values);
    }
  }

  @Test
  void exportHasTheContractSignatureNoRandomOpAndTheGivenWeights(@TempDir Path dir) throws Exception {
    Weights weights = someWeights(Architecture.DOUBLE_CONV, 5);
    Path version = dir.resolve("double-conv/1");
    SavedModelExporter.export(Architecture.DOUBLE_CONV.create(), weights, version,
        Map.of("history.json", "{}".getBytes()), Precision.FLOAT32, false);

    assertTrue(Files.isRegularFile(version.resolve("saved_model.pb")));
    assertTrue(Files.isRegularFile(version.resolve("variables/variables.index")));
    assertTrue(Files.isRegularFile(version.resolve("assets.extra/history.json")));
    try (var leftovers = Files.list(dir.resolve("double-conv"))) {
      assertEquals(List.of(version), leftovers.toList(), "no temporary folder left behind");
    }
    try (SavedModelBundle b = SavedModelBundle.load(version.toString(), "serve")) {
      Signature s = b.function("serving_default").signature();
      assertEquals("tensorflow/serving/predict", s.methodName());
      assertArrayEquals(new long[] {-1, 28, 28, 1}, s.getInputs().get("image").shape.asArray());
      assertEquals(DataType.DT_FLOAT, s.getInputs().get("image").dataType);
      assertArrayEquals(new long[] {-1, 10}, s.getOutputs().get("probabilities").shape.asArray());
      assertEquals(DataType.DT_INT64, s.getOutputs().get("class").dataType);
      assertArrayEquals(new long[] {-1}, s.getOutputs().get("class").shape.asArray());
      assertEquals(List.of(), ServingGraphs.randomOpTypes(b.graph()), "no dropout in the serving graph");
      List<String> types = new ArrayList<>();
      b.graph().operations().forEachRemaining(op -> types.add(op.type()));
      assertTrue(types.stream().noneMatch(t -> t.contains("RMSProp")), "no optimizer in the serving graph");
      // Every variable holds the value given to the exporter, bit for bit.
      for (Weights.Value w : weights.values()) {
        try (Result r = b.session().runner().fetch(w.name() + "/var").run()) {
          float[] saved = new float[w.data().length];
          ((TFloat32) r.get(0)).copyTo(DataBuffers.of(saved, false, false));
          assertArrayEquals(w.data(), saved, w.name());
        }
      }
    }
  }

  @Test
  void theRandomOpCheckFindsDropoutInATrainingGraph() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Sequential model = Architecture.DOUBLE_CONV.create(0.5f).build(tf);
      model.logits(tf, tf.placeholder(TFloat32.class, Placeholder.shape(Sequential.INPUT_SHAPE)), true);
      // Dropout's op is StatelessRandomUniform: a check for types starting with "Random" missed it.
      assertTrue(ServingGraphs.randomOpTypes(g).stream().anyMatch(t -> t.startsWith("StatelessRandom")),
          "dropout while training: " + ServingGraphs.randomOpTypes(g));
    }
  }

  /**
   * The export of {@code simple} scores images as its weights say, computed here in double precision:
   * softmax(relu(x W1 + b1) W2 + b2) with x = pixels / 255. float32 sums of 784 terms keep about 6
   * digits, so probabilities agree within 1e-5.
   */
  @Test
  void exportScoresWithTheWeightsItWasGiven(@TempDir Path dir) {
    Weights weights = someWeights(Architecture.SIMPLE, 11);
    Path version = dir.resolve("simple/1");
    SavedModelExporter.export(Architecture.SIMPLE.create(), weights, version, Map.of(), Precision.FLOAT32, false);
    Dataset images = SyntheticDigits.labeled(8, 4);
    float[] pixels = new float[images.size() * Dataset.PIXELS];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (images.pixels()[i] & 0xff) / 255f;
    }
    float[] served = new float[images.size() * 10];
    try (SavedModelBundle b = SavedModelBundle.load(version.toString(), "serve");
        TFloat32 in = TFloat32.tensorOf(Shape.of(images.size(), 28, 28, 1), DataBuffers.of(pixels, true, false));
        Result r = b.function(SavedModelExporter.SIGNATURE_KEY).call(Map.of(SavedModelExporter.INPUT, in))) {
      ((TFloat32) r.get(SavedModelExporter.PROBABILITIES).orElseThrow()).copyTo(DataBuffers.of(served, false, false));
    }
    List<Weights.Value> w = weights.values();
    for (int row = 0; row < images.size(); row++) {
      double[] hidden = dense(pixels, row * Dataset.PIXELS, w.get(0).data(), w.get(1).data(), true);
      float[] h = new float[hidden.length];
      for (int i = 0; i < h.length; i++) {
        h[i] = (float) hidden[i];
      }
      double[] logits = dense(h, 0, w.get(2).data(), w.get(3).data(), false);
      double max = java.util.Arrays.stream(logits).max().orElseThrow();
      double sum = java.util.Arrays.stream(logits).map(l -> Math.exp(l - max)).sum();
      for (int c = 0; c < 10; c++) {
        assertEquals(Math.exp(logits[c] - max) / sum, served[row * 10 + c], 1e-5, "row " + row + " class " + c);
      }
    }
  }

  /** {@code x[from..from+in) . kernel[in, out] + bias}, optionally through relu. */
  private static double[] dense(float[] x, int from, float[] kernel, float[] bias, boolean relu) {
    int out = bias.length;
    int in = kernel.length / out;
    double[] y = new double[out];
    for (int j = 0; j < out; j++) {
      double s = bias[j];
      for (int i = 0; i < in; i++) {
        s += (double) x[from + i] * kernel[i * out + j];
      }
      y[j] = relu ? Math.max(0, s) : s;
    }
    return y;
  }

  @Test
  void servingIsDeterministicAndProbabilitiesSumToOne(@TempDir Path dir) {
    Path version = dir.resolve("simple/3");
    SavedModelExporter.export(Architecture.SIMPLE.create(), someWeights(Architecture.SIMPLE, 2), version,
        Map.of(), Precision.FLOAT32, false);
    Dataset images = SyntheticDigits.labeled(50, 9);
    try (Predictor p = Predictor.open(dir.resolve("simple"), 255f)) { // base folder: newest version
      float[][] a = p.predict(images);
      float[][] b = p.predict(images);
      for (int i = 0; i < a.length; i++) {
        assertArrayEquals(a[i], b[i], "same input twice, same output (no dropout at inference)");
        double sum = 0;
        for (float v : a[i]) {
          sum += v;
        }
        assertEquals(1.0, sum, 1e-5);
      }
    }
  }

  @Test
  void anExistingVersionIsNotOverwrittenUnlessAsked(@TempDir Path dir) throws Exception {
    Path version = dir.resolve("simple/1");
    Weights w = someWeights(Architecture.SIMPLE, 2);
    SavedModelExporter.export(Architecture.SIMPLE.create(), w, version, Map.of(), Precision.FLOAT32, false);
    DigitsException e = assertThrows(DigitsException.class,
        () -> SavedModelExporter.export(Architecture.SIMPLE.create(), w, version, Map.of(), Precision.FLOAT32, false));
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    SavedModelExporter.export(Architecture.SIMPLE.create(), w, version, Map.of("x", new byte[] {1}), Precision.FLOAT32, true);
    assertTrue(Files.isRegularFile(version.resolve("assets.extra/x")));
  }
}
