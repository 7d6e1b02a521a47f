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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;

class SavedModelExporterTest {

  private static Weights someWeights(Architecture a, long seed) {
    try (Graph g = new Graph()) {
      Sequential m = a.create().build(Ops.create(g));
      return Weights.initial(m.parameters(), seed);
    }
  }

  @Test
  void exportHasTheContractSignatureAndLoadsBackWithTheSameWeights(@TempDir Path dir) throws Exception {
    Weights weights = someWeights(Architecture.DOUBLE_CONV, 5);
    Path version = dir.resolve("double-conv/1");
    SavedModelExporter.export(Architecture.DOUBLE_CONV.create(), weights, version,
        Map.of("history.json", "{}".getBytes()), false);

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
      List<String> types = new ArrayList<>();
      b.graph().operations().forEachRemaining(op -> types.add(op.type()));
      assertTrue(types.stream().noneMatch(t -> t.startsWith("Random")), "no dropout in the serving graph");
      assertTrue(types.stream().noneMatch(t -> t.contains("RMSProp")), "no optimizer in the serving graph");
    }
  }

  @Test
  void servingIsDeterministicAndProbabilitiesSumToOne(@TempDir Path dir) {
    Path version = dir.resolve("simple/3");
    SavedModelExporter.export(Architecture.SIMPLE.create(), someWeights(Architecture.SIMPLE, 2), version,
        Map.of(), false);
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
    SavedModelExporter.export(Architecture.SIMPLE.create(), w, version, Map.of(), false);
    DigitsException e = assertThrows(DigitsException.class,
        () -> SavedModelExporter.export(Architecture.SIMPLE.create(), w, version, Map.of(), false));
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    SavedModelExporter.export(Architecture.SIMPLE.create(), w, version, Map.of("x", new byte[] {1}), true);
    assertTrue(Files.isRegularFile(version.resolve("assets.extra/x")));
  }
}
