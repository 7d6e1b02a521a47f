package io.digits.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.digits.DigitsException;
import io.digits.keras.KerasModel;
import io.digits.scoring.Predictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code digits inspect}: what {@code saved_model_cli show --all} tells (tag-sets, signatures, their
 * inputs and outputs with dtypes, shapes and tensor names, method names), read from
 * {@code saved_model.pb}, then how {@code predict} will feed the model.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Describe a SavedModel (tags, signatures, input/output names, dtypes and shapes) or a Keras file (layers).")
final class InspectCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  /** One tensor of a signature. */
  record Tensor(String name, String dtype, String shape, String tensorName) {}

  /** One signature: key, method and tensors. */
  record SignatureInfo(String key, String method, List<Tensor> inputs, List<Tensor> outputs) {}

  /** One MetaGraph: tag-set and signatures. */
  record MetaGraph(List<String> tags, List<SignatureInfo> signatures) {}

  @Override
  public Integer call() throws IOException {
    Path dir = model.resolve();
    if (Files.isRegularFile(dir)) {
      return inspectKerasFile(dir);
    }
    List<MetaGraph> graphs = read(dir);
    String scoring;
    try (Predictor predictor = model.open()) {
      scoring = predictor.description();
    } catch (DigitsException e) {
      scoring = "cannot score digits with it: " + e.getMessage();
    }
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("path", dir.toString());
      out.put("meta_graphs", graphs);
      out.put("predict_uses", scoring);
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    } else {
      System.out.print(text(dir, graphs, scoring));
    }
    return 0;
  }

  /** A Keras file: its format, its layers and what each became here, and how predict feeds it. */
  private int inspectKerasFile(Path file) throws IOException {
    KerasModel keras = KerasModel.load(file);
    String scoring;
    try (Predictor predictor = model.open()) {
      scoring = predictor.description();
    }
    String output = keras.outputShape() + (keras.classifier() ? " (softmax)" : "");
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("path", file.toString());
      out.put("format", keras.description());
      out.put("layers", keras.summary());
      out.put("output", output);
      out.put("parameters", keras.weights().count());
      out.put("predict_uses", scoring);
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    } else {
      System.out.printf("Keras file %s: %s%n%s%noutput %s, %,d parameters%n%npredict uses: %s%n", file,
          keras.description(), String.join("\n", keras.summary()), output, keras.weights().count(), scoring);
    }
    return 0;
  }

  static List<MetaGraph> read(Path dir) throws IOException {
    Path pb = dir.resolve("saved_model.pb");
    SavedModel model;
    try {
      model = SavedModel.parseFrom(Files.readAllBytes(pb));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new DigitsException(pb + ": not a SavedModel protocol buffer (" + e.getMessage() + ")");
    }
    List<MetaGraph> graphs = new ArrayList<>();
    for (MetaGraphDef mg : model.getMetaGraphsList()) {
      List<SignatureInfo> signatures = new ArrayList<>();
      for (Map.Entry<String, SignatureDef> e : new TreeMap<>(mg.getSignatureDefMap()).entrySet()) {
        SignatureDef s = e.getValue();
        signatures.add(new SignatureInfo(e.getKey(), s.getMethodName(), tensors(s.getInputsMap()),
            tensors(s.getOutputsMap())));
      }
      graphs.add(new MetaGraph(mg.getMetaInfoDef().getTagsList(), signatures));
    }
    return graphs;
  }

  private static List<Tensor> tensors(Map<String, TensorInfo> map) {
    return new TreeMap<>(map).entrySet().stream()
        .map(e -> new Tensor(e.getKey(), e.getValue().getDtype().name(), shape(e.getValue().getTensorShape()),
            e.getValue().getName()))
        .toList();
  }

  private static String shape(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return "unknown_rank";
    }
    String dims = shape.getDimList().stream().map(d -> Long.toString(d.getSize())).collect(Collectors.joining(", "));
    return "(" + dims + (shape.getDimCount() == 1 ? ",)" : ")");
  }

  private static String text(Path dir, List<MetaGraph> graphs, String scoring) {
    StringBuilder b = new StringBuilder("SavedModel " + dir + "\n");
    for (MetaGraph g : graphs) {
      b.append("\nMetaGraphDef with tag-set: '").append(String.join(", ", g.tags()))
          .append("' contains the following SignatureDefs:\n");
      for (SignatureInfo s : g.signatures()) {
        b.append("\nsignature_def['").append(s.key()).append("']:\n");
        b.append("  The given SavedModel SignatureDef contains the following input(s):\n");
        s.inputs().forEach(t -> tensor(b, "inputs", t));
        b.append("  The given SavedModel SignatureDef contains the following output(s):\n");
        s.outputs().forEach(t -> tensor(b, "outputs", t));
        b.append("  Method name is: ").append(s.method()).append('\n');
      }
    }
    b.append("\npredict uses: ").append(scoring).append('\n');
    return b.toString();
  }

  private static void tensor(StringBuilder b, String kind, Tensor t) {
    b.append("    ").append(kind).append("['").append(t.name()).append("'] tensor_info:\n")
        .append("        dtype: ").append(t.dtype()).append('\n')
        .append("        shape: ").append(t.shape()).append('\n')
        .append("        name: ").append(t.tensorName()).append('\n');
  }
}
