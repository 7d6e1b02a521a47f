package io.digits.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * {@code --export-precision mixed-bfloat16}: rewrites a written float32 SavedModel so that its layers
 * compute in bfloat16, as Keras's {@code mixed_bfloat16} policy computes them. TF Serving runs the graph
 * as written (it does not switch on the oneDNN bfloat16 rewrite that {@code predict --precision} asks its
 * session for), so the casts have to be in the file.
 *
 * <p>What changes is the graph alone: the variables stay float32 (each call casts what it reads, as
 * Keras's autocast variables do), the signature's input and outputs stay float32, and softmax, arg-max,
 * the ensemble's mean and everything else outside {@link #HEAVY} and {@link #FOLLOWERS} run in float32.
 * The convolutions and matrix products run in bfloat16; an element-wise or shaping op runs in
 * bfloat16 only when an input already does (so a Rescaling before the first convolution stays float32,
 * the bias, activation, pooling and batch normalization after it follow it into bfloat16).
 */
public final class Bfloat16Export {
  /** Ops that always run in bfloat16: their inputs in {@code T} are cast to it. */
  private static final Set<String> HEAVY = Set.of("Conv2D", "DepthwiseConv2dNative", "MatMul");

  /**
   * Ops that run in bfloat16 where one of their {@code T} inputs comes from a bfloat16 op: for each,
   * which inputs have type {@code T} (-1: all of them). Their outputs 0 are {@code T}.
   */
  private static final Map<String, int[]> FOLLOWERS = Map.ofEntries(
      Map.entry("BiasAdd", new int[] {0, 1}),
      Map.entry("Relu", new int[] {0}),
      Map.entry("Relu6", new int[] {0}),
      Map.entry("Elu", new int[] {0}),
      Map.entry("LeakyRelu", new int[] {0}),
      Map.entry("MaxPool", new int[] {0}),
      Map.entry("AvgPool", new int[] {0}),
      Map.entry("Reshape", new int[] {0}),
      Map.entry("AddV2", new int[] {0, 1}),
      Map.entry("Sub", new int[] {0, 1}),
      Map.entry("Mul", new int[] {0, 1}),
      Map.entry("ConcatV2", new int[] {-1}),
      Map.entry("FusedBatchNormV3", new int[] {0}));

  private Bfloat16Export() {}

  /** Rewrites {@code dir/saved_model.pb} in place (the caller writes {@code dir} atomically). */
  static void rewrite(Path dir) throws IOException {
    Path file = dir.resolve("saved_model.pb");
    SavedModel model;
    try (InputStream in = Files.newInputStream(file)) {
      model = SavedModel.parseFrom(in);
    }
    SavedModel.Builder b = model.toBuilder();
    for (MetaGraphDef.Builder meta : b.getMetaGraphsBuilderList()) {
      meta.setGraphDef(rewrite(meta.getGraphDef()));
    }
    Files.write(file, b.build().toByteArray());
  }

  /** The graph with {@link #HEAVY} ops and the {@link #FOLLOWERS} they feed in bfloat16, casts between. */
  static GraphDef rewrite(GraphDef graph) {
    Map<String, NodeDef> byName = new LinkedHashMap<>();
    graph.getNodeList().forEach(n -> byName.put(n.getName(), n));
    Set<String> bf16 = converted(byName);
    GraphDef.Builder out = graph.toBuilder().clearNode();
    Map<String, NodeDef> casts = new LinkedHashMap<>();
    for (NodeDef node : graph.getNodeList()) {
      NodeDef.Builder n = node.toBuilder();
      boolean mine = bf16.contains(node.getName());
      if (mine) {
        n.putAttr("T", AttrValue.newBuilder().setType(DataType.DT_BFLOAT16).build());
      }
      for (int i = 0; i < node.getInputCount(); i++) {
        String input = node.getInput(i);
        if (input.startsWith("^")) {
          continue;
        }
        boolean fromBf16 = bf16.contains(nodeName(input)) && outputIndex(input) == 0;
        boolean wantsBf16 = mine && typed(node, i);
        if (fromBf16 != wantsBf16) {
          n.setInput(i, cast(casts, input, wantsBf16));
        }
      }
      out.addNode(n);
    }
    casts.values().forEach(out::addNode);
    return out.build();
  }

  /** The nodes that run in bfloat16: every float32 {@link #HEAVY} op, then the followers they reach. */
  private static Set<String> converted(Map<String, NodeDef> byName) {
    Set<String> bf16 = new HashSet<>();
    byName.values().stream().filter(n -> HEAVY.contains(n.getOp()) && isFloat(n)).forEach(n -> bf16.add(n.getName()));
    boolean grew = true;
    while (grew) {
      grew = false;
      for (NodeDef n : byName.values()) {
        if (bf16.contains(n.getName()) || !FOLLOWERS.containsKey(n.getOp()) || !isFloat(n)) {
          continue;
        }
        for (int i = 0; i < n.getInputCount(); i++) {
          String input = n.getInput(i);
          if (typed(n, i) && bf16.contains(nodeName(input)) && outputIndex(input) == 0) {
            grew = bf16.add(n.getName());
            break;
          }
        }
      }
    }
    return bf16;
  }

  private static boolean isFloat(NodeDef n) {
    AttrValue t = n.getAttrMap().get("T");
    return t != null && t.getType() == DataType.DT_FLOAT;
  }

  /** Whether input {@code i} of {@code n} has the op's type {@code T}. */
  private static boolean typed(NodeDef n, int i) {
    if (HEAVY.contains(n.getOp())) {
      return i < 2;
    }
    int[] inputs = FOLLOWERS.get(n.getOp());
    if (inputs == null || n.getInput(i).startsWith("^")) {
      return false;
    }
    if (inputs[0] == -1) { // ConcatV2: N values of T, then the axis
      return i < n.getAttrMap().get("N").getI();
    }
    for (int k : inputs) {
      if (k == i) {
        return true;
      }
    }
    return false;
  }

  /** A Cast of {@code input} to bfloat16 (or back to float32), one per tensor and direction. */
  private static String cast(Map<String, NodeDef> casts, String input, boolean toBf16) {
    String name = nodeName(input) + "/" + (outputIndex(input) == 0 ? "" : outputIndex(input) + "/")
        + (toBf16 ? "to_bfloat16" : "to_float32");
    casts.computeIfAbsent(name, k -> NodeDef.newBuilder()
        .setName(k)
        .setOp("Cast")
        .addInput(input)
        .putAttr("SrcT", AttrValue.newBuilder().setType(toBf16 ? DataType.DT_FLOAT : DataType.DT_BFLOAT16).build())
        .putAttr("DstT", AttrValue.newBuilder().setType(toBf16 ? DataType.DT_BFLOAT16 : DataType.DT_FLOAT).build())
        .putAttr("Truncate", AttrValue.newBuilder().setB(false).build())
        .build());
    return name;
  }

  private static String nodeName(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  private static int outputIndex(String input) {
    int colon = input.indexOf(':');
    return colon < 0 ? 0 : Integer.parseInt(input.substring(colon + 1));
  }
}
