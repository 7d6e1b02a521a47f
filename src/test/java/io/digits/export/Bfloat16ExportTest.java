package io.digits.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.model.Weights;
import io.digits.scoring.Predictor;
import io.digits.testing.SyntheticDigits;
import io.digits.train.Precision;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * {@code --export-precision mixed-bfloat16} against the float32 export of the same weights, both run by
 * TF Java's runtime as TF Serving would run them (no session rewrite).
 *
 * <p>Tolerance: bfloat16 keeps 8 significant bits, so each rounding moves a value by at most 2^-9
 * (0.2 %) of itself; each layer rounds its input and its weights once and sums in float32, so over these
 * models' 2-7 layers the logits move by about 1 % of their size. The start weights give logits of
 * about 1 and probabilities of about 0.1, so a probability moves by about 0.001: 0.01 bounds it with room.
 * A difference of 0 would mean the graph still computed in float32.
 */
class Bfloat16ExportTest {
  private static final Dataset IMAGES = SyntheticDigits.labeled(40, 7);

  private static Weights weights(Architecture a, long seed) {
    try (Graph g = new Graph()) {
      return Weights.initial(a.create().build(Ops.create(g)).parameters(), seed);
    }
  }

  private static float[][] scores(Path dir) {
    try (Predictor p = Predictor.open(dir, 255f)) {
      return p.predict(IMAGES);
    }
  }

  private static List<NodeDef> nodes(Path dir) throws IOException {
    try (InputStream in = Files.newInputStream(dir.resolve("saved_model.pb"))) {
      return SavedModel.parseFrom(in).getMetaGraphs(0).getGraphDef().getNodeList();
    }
  }

  private static DataType type(NodeDef n) {
    return n.getAttrMap().get("T").getType();
  }

  private static void assertCloseButNotEqual(float[][] f32, float[][] bf16) {
    double largest = 0;
    for (int i = 0; i < f32.length; i++) {
      for (int k = 0; k < 10; k++) {
        assertEquals(f32[i][k], bf16[i][k], 0.01, "image " + i + " class " + k);
        largest = Math.max(largest, Math.abs(f32[i][k] - bf16[i][k]));
      }
    }
    assertTrue(largest > 0, "the bfloat16 export computed exactly what float32 did");
  }

  @ParameterizedTest
  @EnumSource(Architecture.class)
  void layersComputeInBfloat16AndScoresStayCloseToFloat32(Architecture a, @TempDir Path dir) throws IOException {
    Weights w = weights(a, 3);
    Path f32 = dir.resolve("f32/1");
    Path bf16 = dir.resolve("bf16/1");
    SavedModelExporter.export(a.create(), w, f32, Map.of(), Precision.FLOAT32, false);
    SavedModelExporter.export(a.create(), w, bf16, Map.of(), Precision.MIXED_BFLOAT16, false);

    List<NodeDef> nodes = nodes(bf16);
    Map<String, List<DataType>> byOp = nodes.stream().filter(n -> n.getAttrMap().containsKey("T"))
        .collect(Collectors.groupingBy(NodeDef::getOp, Collectors.mapping(Bfloat16ExportTest::type, Collectors.toList())));
    assertTrue(byOp.get("MatMul").stream().allMatch(t -> t == DataType.DT_BFLOAT16), "matrix products: " + byOp);
    if (a != Architecture.SIMPLE) {
      assertTrue(byOp.get("Conv2D").stream().allMatch(t -> t == DataType.DT_BFLOAT16), "convolutions: " + byOp);
    }
    assertTrue(byOp.get("Softmax").stream().allMatch(t -> t == DataType.DT_FLOAT), "softmax stays float32: " + byOp);
    assertTrue(nodes.stream().filter(n -> n.getOp().equals("VarHandleOp"))
        .allMatch(n -> n.getAttrMap().get("dtype").getType() == DataType.DT_FLOAT), "variables stay float32");
    assertTrue(nodes(f32).stream().noneMatch(n -> n.getOp().equals("Cast")
        && n.getAttrMap().get("DstT").getType() == DataType.DT_BFLOAT16), "the float32 export has no bfloat16");

    assertCloseButNotEqual(scores(f32), scores(bf16));
  }

  @Test
  void anEnsembleWithTestTimeAugmentationComputesInBfloat16Too(@TempDir Path dir) {
    List<Weights> members = List.of(weights(Architecture.BN_CNN, 1), weights(Architecture.BN_CNN, 2));
    Path f32 = dir.resolve("f32/1");
    Path bf16 = dir.resolve("bf16/1");
    EnsembleExporter.export(Architecture.BN_CNN, members, true, f32, Map.of(), Precision.FLOAT32, false);
    EnsembleExporter.export(Architecture.BN_CNN, members, true, bf16, Map.of(), Precision.MIXED_BFLOAT16, false);
    assertCloseButNotEqual(scores(f32), scores(bf16));
  }
}
