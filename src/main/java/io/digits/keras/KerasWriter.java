package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.AtomicFile;
import io.digits.DigitsException;
import io.digits.model.Component;
import io.digits.model.Merge;
import io.digits.model.Parameters;
import io.digits.model.Model;
import io.digits.model.Weights;
import io.digits.train.LearningRateSchedule;
import io.digits.train.Optimizer;
import io.digits.train.Trainer;
import io.jhdf.Superblock;
import io.jhdf.WritableGroupImpl;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.storage.HdfFileChannel;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/**
 * Writes a model as a Keras file that Keras loads, scores and goes on training:
 *
 * <ul>
 *   <li>{@code .keras} (Keras 3.15): a zip of {@code metadata.json}, {@code config.json} (a chain
 *       as a Sequential model, any other graph as a Functional one with each layer's
 *       {@code inbound_nodes} in Keras's layer order; every layer's full config, and the
 *       {@code compile_config} of {@link CompileSettings#toKeras3}: optimizer, schedule, loss) and
 *       {@code model.weights.h5} in {@code saving_lib}'s layout: {@code layers/<key>/vars/0..}, and
 *       {@code optimizer/vars/0..}: iterations (int64), the learning rate (unless a schedule gives
 *       it), then the optimizer's slots in Keras's order ({@link Optimizer#kerasSlots}). So
 *       {@code model.fit} in Keras continues from where Java stopped, with any optimizer training here offers.
 *   <li>{@code .h5} (the legacy format tf-keras loads): attributes {@code model_config} (tf-keras's
 *       dialect of the config: a Sequential, or a Functional model with tf-keras's
 *       {@code inbound_nodes}, its layers in Keras's order), {@code training_config},
 *       {@code keras_version}, {@code backend}, and {@code model_weights/<layer>/<layer>/kernel:0}
 *       with {@code layer_names}/{@code weight_names}, the layers in that same order (tf-keras's
 *       legacy loader matches them to its {@code model.layers} by position).
 *       Two differences from tf-keras's own files, both read the same by tf-keras: layers without
 *       weights are left out of {@code layer_names} (jhdf cannot write the empty attribute tf-keras
 *       gives them; tf-keras skips such layers when loading), and there are no optimizer weights
 *       (tf-keras matches those by variable name, which does not survive the trip).
 * </ul>
 *
 * HDF5 is written with jhdf (see {@link #writeHdf5}); the file is written to a temporary file and
 * renamed into place.
 */
public final class KerasWriter {
  /** The Keras version whose file format this writes (metadata.json), and tf-keras's for .h5. */
  static final String KERAS_VERSION = "3.15.1";
  static final String TF_KERAS_VERSION = "2.21.0";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INPUT_LAYER = "InputLayer";
  /** The name tf-keras gives a model's first input. */
  private static final String TF_KERAS_INPUT = "input_1";
  /** Keras 3 options that tf-keras's layers refuse. */
  private static final java.util.Set<String> TF_KERAS_UNKNOWN = java.util.Set.of("quantization_config", "rms_scaling",
      "value_range");
  /** The tf-keras layers whose config holds {@code activity_regularizer} (others drop it when saving). */
  private static final java.util.Set<String> TF_KERAS_ACTIVITY = java.util.Set.of("Conv2D", "DepthwiseConv2D",
      "SeparableConv2D", "Dense");
  /** The Keras layers written here whose {@code call} has a {@code mask} argument. */
  private static final java.util.Set<String> TAKES_MASK = java.util.Set.of("BatchNormalization", "Softmax");

  private KerasWriter() {}

  /**
   * How the model trains, for Keras's compile settings and optimizer state.
   *
   * @param compiled the optimizer, the learning rate of each step and the loss
   * @param iterations the optimizer steps taken (Keras's {@code optimizer.iterations})
   * @param slots the optimizer's state as training left it; null for a fresh optimizer
   */
  public record Training(Trainer.Compiled compiled, long iterations, Weights slots) {

    /** After {@code outcome}: the optimizer state training ended with. */
    public static Training after(Trainer.Compiled compiled, Trainer.Outcome outcome) {
      return new Training(compiled, outcome.stepsTaken(), outcome.optimizerState());
    }

    /** Compile settings only; the optimizer starts afresh, as Keras's does. */
    public static Training fresh(Trainer.Compiled compiled) {
      return new Training(compiled, 0, null);
    }
  }

  /** Checks that {@code file} names a format this writes (.keras or .h5), so that a bad name fails before training. */
  public static Path checkName(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".keras") && !name.endsWith(".h5")) {
      throw new DigitsException(file + ": a Keras file name ends in .keras (Keras 3) or .h5 (legacy, tf-keras)");
    }
    return file;
  }

  /** Writes {@code model} (fresh, unbuilt) with {@code weights} (in its parameter order) to {@code file}, .keras or .h5. */
  public static void write(Path file, Model model, Weights weights, Training training) {
    checkName(file);
    boolean keras3 = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".keras");
    List<Entry> layers = layers(model, weights);
    String modelName = model.name().replaceAll("\\W", "_");
    AtomicFile.write(file, temp -> {
      if (keras3) {
        writeKeras(temp, model, modelName, layers, training);
      } else {
        writeH5(temp, model, modelName, layers, training);
      }
    });
  }

  /**
   * One Keras layer as written: its saving key (also its name), config, the shapes it takes, and
   * weights; {@code layer} is its position in the model's layers (several Keras layers may come
   * from one, see {@link LayerFactory#toKeras}).
   */
  private record Entry(String key, LayerFactory.KerasLayer keras, int layer, List<Shape> inputs,
      List<Parameters.Parameter> params, List<Weights.Value> values) {}

  /** The model's layers as Keras layers, each with its weights; a Functional model's keys count its InputLayer. */
  private static List<Entry> layers(Model model, Weights weights) {
    List<Entry> layers = new ArrayList<>();
    KerasConfig.SavingKeys keys = new KerasConfig.SavingKeys();
    try (Graph graph = new Graph()) {
      model.build(Ops.create(graph));
      if (weights.values().size() != model.parameters().all().size()) {
        throw new DigitsException("the weights hold " + weights.values().size() + " arrays but model '" + model.name()
            + "' has " + model.parameters().all().size() + " variables");
      }
      int next = 0;
      for (int i = 0; i < model.layers().size(); i++) {
        List<Parameters.Parameter> params = model.parameters(i);
        List<Weights.Value> values = weights.values().subList(next, next + params.size());
        next += params.size();
        boolean first = true;
        Component layer = model.layers().get(i);
        if (layer instanceof Model nested) {
          throw new DigitsException("layer " + (i + 1) + " is a nested model (" + nested.describe()
              + "): writing nested models as Keras files is not supported yet");
        }
        LayerFactory.WeightOptions options = LayerFactory.WeightOptions.of(model, layer);
        List<LayerFactory.KerasLayer> keras;
        try {
          keras = LayerFactory.toKeras(layer, options);
        } catch (DigitsException e) {
          throw new DigitsException("layer " + (i + 1) + " " + layer.describe() + ": " + e.getMessage());
        }
        checkReadsBack(i + 1, layer, options, keras);
        for (LayerFactory.KerasLayer k : keras) {
          // a layer that becomes several Keras layers has no weights (RandomAffine)
          layers.add(new Entry(null, k, i, model.inputShapes(i), first ? params : List.of(), first ? values : List.of()));
          first = false;
        }
      }
      if (!model.chain()) {
        keys.next(INPUT_LAYER);
        List<Entry> unordered = layers;
        layers = kerasOrder(calls(model, unordered), unordered.size()).stream().map(unordered::get).toList();
      }
    }
    // Keras's saving keys count each class in model.layers' order (a Functional model's InputLayer too)
    return layers.stream().map(e -> new Entry(keys.next(e.keras().className()), e.keras(), e.layer(), e.inputs(),
        e.params(), e.values())).toList();
  }

  /** One call of a Keras layer ({@code entry}) on the outputs of other calls ({@code -1}: the model input). */
  private record Call(int entry, List<Integer> inputs) {}

  /** The model's nodes as calls of the Keras layers: a layer written as several Keras layers calls each in turn. */
  private static List<Call> calls(Model model, List<Entry> layers) {
    List<Call> calls = new ArrayList<>();
    int[] output = new int[model.nodes().size()]; // the call that gives each model node's output
    output[0] = -1;
    for (int n = 1; n < model.nodes().size(); n++) {
      Model.Node node = model.nodes().get(n);
      int index = model.indexOf(node.layer());
      List<Integer> inputs = node.inputs().stream().map(i -> output[i]).toList();
      for (int e = 0; e < layers.size(); e++) {
        if (layers.get(e).layer() == index) {
          calls.add(new Call(e, inputs));
          inputs = List.of(calls.size() - 1);
        }
      }
      output[n] = calls.size() - 1;
    }
    return calls;
  }

  /**
   * The order of a Functional model's {@code layers} in Keras ({@code ops.function.map_graph}), the
   * order its config lists them and its saving keys count them: by depth (calls between a layer
   * and the output) from the deepest, then by when a depth-first walk from the output first meets
   * them. Written in any other order, Keras would load one layer's weights into another of the
   * same class.
   */
  private static List<Integer> kerasOrder(List<Call> calls, int entries) {
    int[] firstSeen = new int[entries];
    java.util.Arrays.fill(firstSeen, -1);
    List<Integer> inputsFirst = new ArrayList<>();
    walk(calls, calls.size() - 1, new boolean[calls.size()], firstSeen, new int[] {0}, inputsFirst);
    int[] callDepth = new int[calls.size()];
    int[] depth = new int[entries];
    for (int i = inputsFirst.size() - 1; i >= 0; i--) {
      Call call = calls.get(inputsFirst.get(i));
      int d = Math.max(callDepth[inputsFirst.get(i)], depth[call.entry()]);
      depth[call.entry()] = d;
      for (int input : call.inputs()) {
        if (input >= 0) {
          callDepth[input] = Math.max(callDepth[input], d + 1);
        }
      }
    }
    return java.util.stream.IntStream.range(0, entries).boxed()
        .sorted(java.util.Comparator.<Integer>comparingInt(e -> -depth[e]).thenComparingInt(e -> firstSeen[e])).toList();
  }

  /** Keras's {@code _build_map_helper}: numbers layers as first met, lists calls inputs first. */
  private static void walk(List<Call> calls, int call, boolean[] done, int[] firstSeen, int[] seen, List<Integer> inputsFirst) {
    if (call < 0 || done[call]) {
      return;
    }
    Call c = calls.get(call);
    if (firstSeen[c.entry()] < 0) {
      firstSeen[c.entry()] = ++seen[0];
    }
    for (int input : c.inputs()) {
      walk(calls, input, done, firstSeen, seen, inputsFirst);
    }
    done[call] = true;
    inputsFirst.add(call);
  }

  // ---- .keras ---------------------------------------------------------------------------------

  private static void writeKeras(Path zip, Model model, String modelName, List<Entry> layers, Training training)
      throws IOException {
    Path weightsFile = Files.createTempFile("digits-keras-weights", ".h5");
    try {
      writeHdf5(weightsFile, h5 -> {
        WritableGroup layersGroup = h5.putGroup("layers");
        if (!model.chain()) {
          layersGroup.putGroup("input_layer").putGroup("vars").putAttribute("name", "input_layer");
        }
        for (Entry layer : layers) {
          WritableGroup vars = layersGroup.putGroup(layer.key()).putGroup("vars");
          vars.putAttribute("name", layer.key());
          for (int j = 0; j < layer.values().size(); j++) {
            vars.putDataset(Integer.toString(j), nested(layer.values().get(j)));
          }
        }
        writeOptimizer(h5.putGroup("optimizer").putGroup("vars"), model, layers, training);
        h5.putGroup("vars").putAttribute("name", modelName);
      });
      ObjectNode metadata = JSON.createObjectNode().put("keras_version", KERAS_VERSION)
          .put("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
      try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
        stored(out, "metadata.json", JSON.writeValueAsBytes(metadata));
        stored(out, "config.json", JSON.writeValueAsBytes(keras3Config(model, modelName, layers, training)));
        stored(out, "model.weights.h5", Files.readAllBytes(weightsFile));
      }
    } finally {
      Files.deleteIfExists(weightsFile);
    }
  }

  /** Keras writes its archive members uncompressed (stored). */
  private static void stored(ZipOutputStream out, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(bytes.length);
    entry.setCompressedSize(bytes.length);
    entry.setCrc(crc.getValue());
    out.putNextEntry(entry);
    out.write(bytes);
    out.closeEntry();
  }

  /**
   * Keras 3's optimizer variables: iterations, the learning rate (a variable unless a schedule
   * gives it), the slots of the trainable variables group by group ({@link Optimizer#kerasSlots}),
   * then the optimizer's own scalars.
   */
  private static void writeOptimizer(WritableGroup vars, Model model, List<Entry> layers, Training training) {
    Optimizer optimizer = training.compiled().optimizer();
    vars.putAttribute("name", KerasConfig.SavingKeys.snakeCase(optimizer.kerasName()));
    int index = 0;
    vars.putDataset(Integer.toString(index++), training.iterations());
    if (training.compiled().schedule() instanceof LearningRateSchedule.Constant constant) {
      vars.putDataset(Integer.toString(index++), constant.learningRate());
    }
    // in the order of Keras's trainable_variables: its layers' order, which a Functional model's may change
    java.util.Set<String> trainable = model.parameters().trainable().stream().map(Parameters.Parameter::name)
        .collect(java.util.stream.Collectors.toSet());
    List<Parameters.Parameter> params = layers.stream().flatMap(e -> e.params().stream())
        .filter(p -> trainable.contains(p.name())).toList();
    for (List<String> group : optimizer.kerasSlots()) {
      for (Parameters.Parameter p : params) {
        for (String suffix : group) {
          vars.putDataset(Integer.toString(index++), nested(slot(training, p.name(), p.shape(),
              Optimizer.slotName(p, suffix), 0f)));
        }
      }
    }
    for (var scalar : optimizer.kerasScalars().entrySet()) {
      vars.putDataset(Integer.toString(index++), nested(slot(training, scalar.getKey(), Shape.scalar(),
          scalar.getKey(), scalar.getValue())));
    }
  }

  /** The optimizer variable named {@code name} (within the optimizer's scope) as training left it, or its start value. */
  private static Weights.Value slot(Training training, String of, Shape shape, String name, float start) {
    if (training.slots() == null) {
      float[] values = new float[(int) shape.size()];
      java.util.Arrays.fill(values, start);
      return new Weights.Value(of, shape, values);
    }
    return training.slots().values().stream().filter(v -> v.name().endsWith("/" + name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no optimizer variable " + name + " for " + of));
  }

  private static ObjectNode keras3Config(Model model, String modelName, List<Entry> layers, Training training) {
    ObjectNode root = model.chain() ? sequentialConfig(model, modelName, layers) : functionalConfig(model, modelName, layers);
    root.set("compile_config", CompileSettings.toKeras3(training.compiled()));
    return root;
  }

  private static ObjectNode sequentialConfig(Model model, String modelName, List<Entry> layers) {
    ObjectNode root = JSON.createObjectNode().put("module", "keras").put("class_name", "Sequential");
    ObjectNode config = root.putObject("config").put("name", modelName).put("trainable", true);
    config.set("dtype", dtypePolicy());
    ArrayNode list = config.putArray("layers");
    list.add(inputLayer(model));
    for (Entry layer : layers) {
      list.add(layerEntry(layer));
    }
    config.set("build_input_shape", shape(model.inputShape()));
    root.putNull("registered_name");
    root.putObject("build_config").set("input_shape", shape(model.inputShape()));
    return root;
  }

  /**
   * Keras 3's Functional config: every layer with its {@code name} and {@code inbound_nodes} (one
   * per application: the tensors it was called on, each as {@code keras_history} [layer, call,
   * 0]; a merge takes them as one list argument), then the input and output tensors.
   */
  private static ObjectNode functionalConfig(Model model, String modelName, List<Entry> layers) {
    ObjectNode root = JSON.createObjectNode().put("module", "keras.src.models.functional").put("class_name", "Functional");
    ObjectNode config = root.putObject("config").put("name", modelName).put("trainable", true);
    ArrayNode list = config.putArray("layers");
    list.add(inputLayer(model).put("name", "input_layer").set("inbound_nodes", JSON.createArrayNode()));
    List<ObjectNode> entries = new ArrayList<>();
    for (Entry layer : layers) {
      ObjectNode entry = layerEntry(layer).put("name", layer.key());
      entry.putArray("inbound_nodes");
      entries.add(entry);
      list.add(entry);
    }
    List<Node> nodes = nodes(model, layers);
    for (Node node : nodes) {
      ArrayNode args = JSON.createArrayNode();
      boolean merge = model.layers().get(layers.get(node.entry()).layer()) instanceof Merge;
      ArrayNode inputs = merge ? args.addArray() : args;
      for (Inbound input : node.inputs()) {
        inputs.add(kerasTensor(history(input.name(layers, "input_layer"), input.call()), input.entry() < 0
            ? model.inputShape() : model.outputShape(layers.get(input.entry()).layer())));
      }
      ObjectNode inbound = ((ArrayNode) entries.get(node.entry()).get("inbound_nodes")).addObject();
      inbound.set("args", args);
      ObjectNode kwargs = inbound.putObject("kwargs");
      if (TAKES_MASK.contains(layers.get(node.entry()).keras().className())) {
        kwargs.putNull("mask"); // Keras records the mask argument of a call that takes one: none here
      }
    }
    Inbound output = output(nodes);
    config.set("input_layers", history("input_layer", 0));
    config.set("output_layers", history(output.name(layers, null), output.call()));
    root.put("registered_name", "Functional");
    root.putObject("build_config").putNull("input_shape");
    return root;
  }

  /**
   * A tensor of a Functional model: the output of call {@code call} of the Keras layer
   * {@code entry} (-1: the model input), which Keras names {@code [layer name, call, 0]}.
   */
  private record Inbound(int entry, int call) {
    String name(List<Entry> layers, String input) {
      return entry < 0 ? input : layers.get(entry).key();
    }
  }

  /** One call of a Keras layer in a Functional model: the layer ({@code entry}) and the tensors it takes. */
  private record Node(int entry, List<Inbound> inputs) {}

  /** The model's calls of the Keras layers, in order (see {@link #calls}), with their inputs named as Keras names them. */
  private static List<Node> nodes(Model model, List<Entry> layers) {
    List<Call> calls = calls(model, layers);
    int[] callIndex = new int[calls.size()];
    int[] callsSoFar = new int[layers.size()];
    List<Node> nodes = new ArrayList<>();
    for (int c = 0; c < calls.size(); c++) {
      Call call = calls.get(c);
      callIndex[c] = callsSoFar[call.entry()]++;
      nodes.add(new Node(call.entry(), call.inputs().stream()
          .map(i -> i < 0 ? new Inbound(-1, 0) : new Inbound(calls.get(i).entry(), callIndex[i])).toList()));
    }
    return nodes;
  }

  /** The model's output: the tensor of its last call. */
  private static Inbound output(List<Node> nodes) {
    Node last = nodes.get(nodes.size() - 1);
    return new Inbound(last.entry(), (int) nodes.stream().filter(n -> n.entry() == last.entry()).count() - 1);
  }

  private static ArrayNode history(String layer, int call) {
    return JSON.createArrayNode().add(layer).add(call).add(0);
  }

  private static ObjectNode kerasTensor(ArrayNode history, Shape shape) {
    ObjectNode tensor = JSON.createObjectNode().put("class_name", "__keras_tensor__");
    tensor.putObject("config").<ObjectNode>set("shape", shape(shape)).put("dtype", "float32").set("keras_history", history);
    return tensor;
  }

  private static ObjectNode inputLayer(Model model) {
    ObjectNode input = JSON.createObjectNode().put("module", "keras.layers").put("class_name", INPUT_LAYER);
    input.putObject("config").<ObjectNode>set("batch_shape", shape(model.inputShape())).put("dtype", "float32")
        .put("sparse", false).put("ragged", false).put("name", "input_layer").put("optional", false);
    return input.putNull("registered_name");
  }

  private static ObjectNode layerEntry(Entry layer) {
    ObjectNode entry = JSON.createObjectNode().put("module", "keras.layers").put("class_name", layer.keras().className());
    entry.set("config", layerConfig(layer.key(), layer.keras()));
    entry.putNull("registered_name");
    if (layer.keras().recordsBuildShape()) {
      JsonNode shape = layer.inputs().size() == 1 ? shape(layer.inputs().get(0))
          : JSON.createArrayNode().addAll(layer.inputs().stream().map(KerasWriter::shape).toList());
      entry.putObject("build_config").set("input_shape", shape);
    }
    return entry;
  }

  /**
   * Refuses a layer whose Keras config would read back as another layer, with other initializers
   * (its config written again differs), or with other regularizers and constraints: an option
   * {@link LayerFactory#toKeras} cannot write is never left out unnoticed.
   */
  private static void checkReadsBack(int position, Component layer, LayerFactory.WeightOptions options,
      List<LayerFactory.KerasLayer> keras) {
    String refused = "layer " + position + " " + layer.describe() + " cannot be written as a Keras layer yet: ";
    java.util.Map<String, io.digits.model.Regularizer> regularizers = new java.util.LinkedHashMap<>();
    java.util.Map<String, io.digits.model.Constraint> constraints = new java.util.LinkedHashMap<>();
    for (LayerFactory.KerasLayer k : keras) {
      LayerConfig config = new LayerConfig("(written)", 1, "layer", k.className(), "layer", layerConfig("layer", k));
      Component back = LayerFactory.create(config, 1);
      if (keras.size() == 1 && !back.describe().equals(layer.describe())) {
        throw new DigitsException(refused + "it would read back as " + back.describe());
      }
      if (keras.size() == 1 && !LayerFactory.toKeras(back, options).get(0).options().equals(k.options())) {
        throw new DigitsException(refused + "its config " + k.options() + " would read back as "
            + LayerFactory.toKeras(back, options).get(0).options());
      }
      regularizers.putAll(config.regularizers());
      constraints.putAll(config.constraints());
    }
    io.digits.model.Regularizer activity = regularizers.remove(LayerConfig.ACTIVITY);
    var readBack = new LayerFactory.WeightOptions(regularizers, constraints, activity);
    if (!readBack.equals(options)) {
      throw new DigitsException(refused + "its regularizers and constraints " + options + " would read back as "
          + readBack);
    }
  }

  /** A layer's {@code config} as Keras 3 writes it: name, trainable, dtype policy, then the layer's own options. */
  static ObjectNode layerConfig(String name, LayerFactory.KerasLayer layer) {
    ObjectNode config = JSON.createObjectNode();
    ObjectNode options = layer.options();
    switch (layer.className()) {
      // two of Keras 3.15's get_config differ: SpatialDropout2D (no trainable, a plain dtype; its
      // constructor refuses trainable) and ELU (alpha second)
      case "SpatialDropout2D" -> config.put("rate", options.get("rate").doubleValue()).putNull("seed").put("name", name)
          .put("dtype", "float32").put("data_format", options.get("data_format").asText());
      case "ELU" -> config.put("name", name).put("alpha", options.get("alpha").doubleValue()).put("trainable", true)
          .set("dtype", dtypePolicy());
      default -> {
        config.put("name", name).put("trainable", true).set("dtype", dtypePolicy());
        config.setAll(options);
      }
    }
    return config;
  }

  private static ObjectNode dtypePolicy() {
    ObjectNode policy = JSON.createObjectNode().put("module", "keras").put("class_name", "DTypePolicy");
    policy.putObject("config").put("name", "float32");
    return policy.putNull("registered_name");
  }

  private static ArrayNode shape(Shape shape) {
    ArrayNode dims = JSON.createArrayNode();
    for (long d : shape.asArray()) {
      if (d < 0) {
        dims.addNull();
      } else {
        dims.add(d);
      }
    }
    return dims;
  }

  // ---- .h5 (tf-keras) ----------------------------------------------------------------------------

  private static void writeH5(Path file, Model model, String modelName, List<Entry> layers, Training training)
      throws IOException {
    writeHdf5(file, h5 -> {
      h5.putAttribute("backend", "tensorflow");
      h5.putAttribute("keras_version", TF_KERAS_VERSION);
      h5.putAttribute("model_config", JSON.writeValueAsString(tfKerasConfig(model, modelName, layers)));
      h5.putAttribute("training_config", JSON.writeValueAsString(CompileSettings.toTfKeras(training.compiled())));
      WritableGroup weights = h5.putGroup("model_weights");
      weights.putAttribute("backend", "tensorflow");
      weights.putAttribute("keras_version", TF_KERAS_VERSION);
      List<String> named = new ArrayList<>();
      for (Entry layer : layers) {
        if (layer.values().isEmpty()) {
          continue;
        }
        named.add(layer.key());
        WritableGroup group = weights.putGroup(layer.key());
        WritableGroup inner = group.putGroup(layer.key());
        List<String> weightNames = new ArrayList<>();
        for (int j = 0; j < layer.values().size(); j++) {
          String local = layer.params().get(j).name().substring(layer.params().get(j).name().lastIndexOf('/') + 1) + ":0";
          weightNames.add(layer.key() + "/" + local);
          inner.putDataset(local, nested(layer.values().get(j)));
        }
        group.putAttribute("weight_names", weightNames.toArray(String[]::new));
      }
      weights.putAttribute("layer_names", named.toArray(String[]::new));
    });
  }

  /**
   * tf-keras's dialect of the same config: layers as {@code {class_name, config}}, dtype as a
   * plain name, InputLayer's {@code batch_input_shape}, Keras 2 initializer configs, and none of
   * the options Keras 3 added.
   */
  private static ObjectNode tfKerasConfig(Model model, String modelName, List<Entry> layers) {
    if (!model.chain()) {
      return tfKerasFunctionalConfig(model, modelName, layers);
    }
    ObjectNode root = JSON.createObjectNode().put("class_name", "Sequential");
    ObjectNode config = root.putObject("config").put("name", modelName);
    ArrayNode list = config.putArray("layers");
    list.addObject().put("class_name", INPUT_LAYER).set("config", tfKerasInputConfig(model));
    for (Entry layer : layers) {
      list.addObject().put("class_name", layer.keras().className()).set("config", tfKerasLayerConfig(layer));
    }
    return root;
  }

  private static ObjectNode tfKerasInputConfig(Model model) {
    return JSON.createObjectNode().<ObjectNode>set("batch_input_shape", shape(model.inputShape())).put("dtype", "float32")
        .put("sparse", false).put("ragged", false).put("name", TF_KERAS_INPUT);
  }

  /**
   * tf-keras's Functional config: the layers in Keras's order (tf-keras's {@code model.layers},
   * the order its legacy loader matches {@code model_weights} to layers in), each with its
   * {@code inbound_nodes}: one list per call of the tensors it takes, each
   * {@code [layer name, call, 0, {}]}; then {@code [[input, 0, 0]]} and {@code [[output, call, 0]]}.
   */
  private static ObjectNode tfKerasFunctionalConfig(Model model, String modelName, List<Entry> layers) {
    ObjectNode root = JSON.createObjectNode().put("class_name", "Functional");
    ObjectNode config = root.putObject("config").put("name", modelName).put("trainable", true);
    ArrayNode list = config.putArray("layers");
    ObjectNode input = list.addObject().put("class_name", INPUT_LAYER);
    input.set("config", tfKerasInputConfig(model));
    input.put("name", TF_KERAS_INPUT).putArray("inbound_nodes");
    List<ArrayNode> inbound = new ArrayList<>();
    for (Entry layer : layers) {
      ObjectNode entry = list.addObject().put("class_name", layer.keras().className());
      entry.set("config", tfKerasLayerConfig(layer));
      inbound.add(entry.put("name", layer.key()).putArray("inbound_nodes"));
    }
    List<Node> nodes = nodes(model, layers);
    for (Node node : nodes) {
      ArrayNode tensors = inbound.get(node.entry()).addArray();
      for (Inbound in : node.inputs()) {
        ArrayNode tensor = history(in.name(layers, TF_KERAS_INPUT), in.call());
        tensor.addObject(); // the call's keyword arguments: none
        tensors.add(tensor);
      }
    }
    Inbound output = output(nodes);
    config.putArray("input_layers").add(history(TF_KERAS_INPUT, 0));
    config.putArray("output_layers").add(history(output.name(layers, null), output.call()));
    return root;
  }

  /** One layer's config in tf-keras's dialect (see {@link #tfKerasConfig}). */
  private static ObjectNode tfKerasLayerConfig(Entry layer) {
    String className = layer.keras().className();
    ObjectNode options = JSON.createObjectNode().put("name", layer.key()).put("trainable", true).put("dtype", "float32");
    boolean augmentation = className.startsWith("Random");
    JsonNode activity = layer.keras().options().path("activity_regularizer");
    boolean activitySlot = TF_KERAS_ACTIVITY.contains(className);
    if (!activitySlot && !activity.isMissingNode() && !activity.isNull()) {
      throw new DigitsException("layer '" + layer.key() + "' (" + className + "): tf-keras's " + className
          + " does not save an activity regularizer; write a .keras file (Keras 3)");
    }
    layer.keras().options().fields().forEachRemaining(e -> {
      // options tf-keras's constructors do not take (RandomContrast's value_range: tf-keras does not clip)
      boolean keras3Only = TF_KERAS_UNKNOWN.contains(e.getKey()) || augmentation && e.getKey().equals("data_format");
      if (!keras3Only && !e.getKey().equals("activity_regularizer")) {
        boolean leaky = className.equals("LeakyReLU");
        options.set(leaky ? "alpha" : e.getKey(), tfKerasObject(e.getValue())); // tf-keras's name for the slope
      }
      if (activitySlot && e.getKey().equals("bias_regularizer")) {
        options.set("activity_regularizer", activity.isMissingNode() ? NullNode.getInstance() : tfKerasObject(activity));
      }
    });
    return options;
  }

  /**
   * An option's value as tf-keras serializes it: initializers without Keras 3's
   * {@code input_axes}/{@code output_axes} and with the seed last, regularizers' factors as the
   * float32 values tf-keras keeps.
   */
  private static JsonNode tfKerasObject(JsonNode value) {
    String module = value.path("module").asText();
    if (!module.equals("keras.initializers") && !module.equals("keras.regularizers")) {
      return value.deepCopy();
    }
    ObjectNode copy = value.deepCopy();
    ObjectNode config = (ObjectNode) copy.get("config");
    if (module.equals("keras.initializers")) {
      JsonNode seed = config.remove("seed");
      config.remove(List.of("input_axes", "output_axes"));
      if (seed != null) {
        config.set("seed", seed);
      }
    } else {
      config.fields().forEachRemaining(e -> e.setValue(config.numberNode((double) e.getValue().floatValue())));
    }
    return copy;
  }

  private interface Hdf5Contents {
    void fill(WritableGroup root) throws IOException;
  }

  /**
   * An HDF5 file of jhdf's groups, datasets and attributes, as h5py reads it. Not through jhdf's
   * {@code WritableHdfFile}: on close, it writes an information string at the end of the last
   * dataset's data, which is not the end of the file when groups were written after that dataset,
   * and so overwrites the header of the next object (h5py: "bad object header version number").
   * This writes the same objects, then the superblock, and nothing else.
   */
  private static void writeHdf5(Path file, Hdf5Contents contents) throws IOException {
    WritableGroupImpl root = new WritableGroupImpl(null, "/");
    contents.fill(root);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      Superblock.SuperblockV2V3 superblock = new Superblock.SuperblockV2V3();
      HdfFileChannel hdf = new HdfFileChannel(channel, superblock);
      root.write(hdf, WritableHdfFile.ROOT_GROUP_ADDRESS);
      hdf.write(superblock.toBuffer(channel.size()), 0L);
    }
  }

  /** A weight as the nested Java array jhdf writes with its shape (a boxed Float for a scalar). */
  private static Object nested(Weights.Value value) {
    long[] dims = value.shape().asArray();
    if (dims.length == 0) {
      return value.data()[0];
    }
    int[] lengths = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      lengths[i] = Math.toIntExact(dims[i]);
    }
    Object array = Array.newInstance(float.class, lengths);
    fill(array, value.data(), 0, lengths.length, lengths[lengths.length - 1]);
    return array;
  }

  /** Copies {@code data} row-major into the nested {@code array}; returns the next offset. */
  private static int fill(Object array, float[] data, int offset, int depth, int rowLength) {
    if (depth == 1) {
      System.arraycopy(data, offset, array, 0, rowLength);
      return offset + rowLength;
    }
    for (int i = 0; i < Array.getLength(array); i++) {
      offset = fill(Array.get(array, i), data, offset, depth - 1, rowLength);
    }
    return offset;
  }
}
