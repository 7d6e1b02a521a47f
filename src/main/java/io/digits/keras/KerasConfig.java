package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.digits.DigitsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.tensorflow.ndarray.Shape;

/**
 * A Keras model config as a graph: the input shape, the layers after the input (a nested model's
 * layer carries its own config), and the layer applications in an order where inputs come first;
 * the last application is the output. Reads Sequential and Functional models by Keras 3 and tf-keras,
 * both writers' formats of {@code inbound_nodes} ({@code {"args": [keras tensors]}} and
 * {@code [[name, node, tensor, kwargs], ...]}), shared layers and nested models.
 */
record KerasConfig(String modelName, Shape inputShape, List<LayerConfig> layers, List<Application> applications) {

  /** Layer {@code layer} (an index into {@code layers}) applied to the outputs of applications {@code inputs}; -1 is the model input. */
  record Application(int layer, List<Integer> inputs) {}

  static final Set<String> MODELS = Set.of("Sequential", "Functional", "Model");

  static KerasConfig parse(String file, JsonNode root) {
    String kind = root.path("class_name").asText();
    JsonNode config = root.path("config");
    if (!MODELS.contains(kind)) {
      throw new DigitsException(file + ": a '" + kind + "' model is not supported (Sequential or Functional only)");
    }
    if (!config.path("layers").isArray()) {
      throw new DigitsException(file + ": the model config has no list of layers");
    }
    return kind.equals("Sequential") ? sequential(file, root, config) : functional(file, config);
  }

  private static KerasConfig sequential(String file, JsonNode root, JsonNode config) {
    List<JsonNode> entries = list(config.path("layers"));
    JsonNode inputShape = null;
    List<LayerConfig> layers = new ArrayList<>();
    List<Application> applications = new ArrayList<>();
    SavingKeys keys = new SavingKeys();
    for (JsonNode entry : entries) {
      String className = entry.path("class_name").asText();
      if (className.equals("InputLayer") && layers.isEmpty()) {
        inputShape = batchShape(entry.path("config"));
        continue;
      }
      // Keras 3 Sequential saves the weights of its layers after the input only.
      layers.add(layer(file, layers.size() + 1, entry, keys.next(className)));
      applications.add(new Application(layers.size() - 1, List.of(applications.size() - 1)));
    }
    if (inputShape == null && !entries.isEmpty()) {
      inputShape = batchShape(entries.get(0).path("config"));
    }
    if (inputShape == null) {
      inputShape = firstPresent(config.path("build_input_shape"), root.path("build_config").path("input_shape"));
    }
    if (layers.isEmpty()) {
      throw new DigitsException(file + ": the model has no layers");
    }
    return new KerasConfig(config.path("name").asText("sequential"), shape(file, inputShape), layers, applications);
  }

  /** One input tensor of an application: the output of node {@code node} of layer {@code layer}. */
  private record Ref(String layer, int node, int tensor) {}

  private static KerasConfig functional(String file, JsonNode config) {
    String input = single(file, "input", config.path("input_layers"));
    Ref output = ref(single(config.path("output_layers")), file, "output");
    List<LayerConfig> layers = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    Map<String, List<List<Ref>>> inbound = new HashMap<>();
    JsonNode inputEntry = null;
    SavingKeys keys = new SavingKeys();
    for (JsonNode entry : list(config.path("layers"))) {
      String className = entry.path("class_name").asText();
      String key = keys.next(className); // a Functional model saves its InputLayer too
      String name = entry.path("name").asText(entry.path("config").path("name").asText());
      if (className.equals("InputLayer")) {
        if (!name.equals(input)) {
          throw new DigitsException(file + ": input layer '" + name + "' is not the model input; one input only");
        }
        inputEntry = entry;
        continue;
      }
      LayerConfig layer = layer(file, layers.size() + 1, entry, key);
      index.put(name, layers.size());
      layers.add(layer);
      List<List<Ref>> nodes = new ArrayList<>();
      for (JsonNode node : entry.path("inbound_nodes")) {
        nodes.add(refs(layer, node));
      }
      inbound.put(name, nodes);
    }
    if (inputEntry == null) {
      throw new DigitsException(file + ": the model input '" + input + "' is not an InputLayer");
    }
    // Writers number a layer's nodes differently (tf-keras counts a nested model's own first node);
    // every saved node feeds the output, so the lowest number referenced is each layer's first node.
    Map<String, Integer> firstNode = new HashMap<>();
    List<Ref> all = new ArrayList<>(List.of(output));
    inbound.values().forEach(nodes -> nodes.forEach(all::addAll));
    all.forEach(r -> firstNode.merge(r.layer(), r.node(), Math::min));

    List<Application> applications = new ArrayList<>();
    Map<Ref, Integer> done = new HashMap<>();
    new Object() {
      int visit(Ref r, Set<Ref> path) {
        if (r.layer().equals(input)) {
          return -1;
        }
        Integer at = index.get(r.layer());
        if (at == null) {
          throw new DigitsException(file + ": a layer takes its input from '" + r.layer() + "', which is not a layer of the model");
        }
        LayerConfig layer = layers.get(at);
        Ref key = new Ref(r.layer(), r.node() - firstNode.get(r.layer()), 0);
        if (done.containsKey(key)) {
          return done.get(key);
        }
        if (r.tensor() != 0) {
          throw layer.error("output " + r.tensor() + " is used; layers of one output only are supported");
        }
        List<List<Ref>> nodes = inbound.get(r.layer());
        if (key.node() >= nodes.size() || !path.add(key)) {
          throw layer.error("node " + r.node() + " is used but not defined (or is its own input)");
        }
        List<Integer> inputs = new ArrayList<>();
        for (Ref in : nodes.get(key.node())) {
          inputs.add(visit(in, path));
        }
        path.remove(key);
        applications.add(new Application(at, inputs));
        done.put(key, applications.size() - 1);
        return applications.size() - 1;
      }
    }.visit(output, new HashSet<>());
    if (applications.isEmpty()) {
      throw new DigitsException(file + ": the model output is its input; it has no layers");
    }
    return new KerasConfig(config.path("name").asText("functional"), shape(file, batchShape(inputEntry.path("config"))),
        layers, applications);
  }

  private static LayerConfig layer(String file, int position, JsonNode entry, String savingKey) {
    JsonNode options = entry.path("config");
    String name = entry.path("name").asText(options.path("name").asText("?"));
    String className = entry.path("class_name").asText("?");
    LayerConfig layer = new LayerConfig(file, position, name, className, savingKey, options);
    return MODELS.contains(className) ? layer.withNested(parse(layer.where(), entry)) : layer;
  }

  /** The input tensors of one node, in call order; keyword arguments other than None are refused. */
  private static List<Ref> refs(LayerConfig layer, JsonNode node) {
    List<Ref> refs = new ArrayList<>();
    if (node.isArray()) { // tf-keras: [[name, node, tensor, kwargs], ...]
      for (JsonNode t : node) {
        checkArguments(layer, t.path(3));
        refs.add(ref(t, layer.where(), "input"));
      }
      return refs;
    }
    // Keras 3: {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": [name, node, tensor]}}], "kwargs": {...}}
    checkArguments(layer, node.path("kwargs"));
    node.path("args").forEach(a -> collectTensors(layer, a, refs));
    return refs;
  }

  /**
   * Keyword arguments of a call: {@code training} is what Keras recorded while tracing, and Keras's
   * model call overrides it with its own mode, as here; any other that is set is refused.
   */
  private static void checkArguments(LayerConfig layer, JsonNode kwargs) {
    kwargs.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("training") && !e.getValue().isNull()) {
        throw layer.error("is called with argument " + e.getKey() + "=" + e.getValue() + "; not supported");
      }
    });
  }

  private static void collectTensors(LayerConfig layer, JsonNode arg, List<Ref> refs) {
    if (arg.path("class_name").asText().equals("__keras_tensor__")) {
      refs.add(ref(arg.path("config").path("keras_history"), layer.where(), "input"));
    } else if (arg.isArray()) {
      arg.forEach(a -> collectTensors(layer, a, refs));
    } else {
      throw layer.error("is called with argument " + arg + "; only tensors are supported");
    }
  }

  private static Ref ref(JsonNode history, String where, String what) {
    if (!history.path(0).isTextual() || !history.path(1).canConvertToInt() || !history.path(2).canConvertToInt()) {
      throw new DigitsException(where + ": " + what + " " + history + " is not [layer, node, tensor]");
    }
    return new Ref(history.path(0).asText(), history.path(1).asInt(), history.path(2).asInt());
  }

  /** {@code input_layers}/{@code output_layers}: Keras 3 writes {@code [name, 0, 0]} for one, tf-keras {@code [[name, 0, 0]]}. */
  private static JsonNode single(JsonNode layers) {
    return layers.path(0).isTextual() || layers.size() != 1 ? layers : layers.path(0);
  }

  private static String single(String file, String what, JsonNode layers) {
    JsonNode one = single(layers);
    if (!one.path(0).isTextual()) {
      throw new DigitsException(file + ": the model has " + layers.size() + " " + what + "s; only one is supported");
    }
    return one.path(0).asText();
  }

  private static JsonNode batchShape(JsonNode config) {
    return firstPresent(config.path("batch_shape"), config.path("batch_input_shape"));
  }

  private static JsonNode firstPresent(JsonNode a, JsonNode b) {
    return a.isArray() ? a : b.isArray() ? b : null;
  }

  private static Shape shape(String file, JsonNode batchShape) {
    if (batchShape == null) {
      throw new DigitsException(file + ": the model config gives no input shape");
    }
    long[] dims = list(batchShape).stream().mapToLong(d -> d.isNull() ? -1 : d.asLong()).toArray();
    if (dims.length < 2 || dims[0] != -1 || java.util.Arrays.stream(dims).skip(1).anyMatch(d -> d < 1)) {
      throw new DigitsException(file + ": input shape " + LayerConfig.show(batchShape) + " is not supported");
    }
    return Shape.of(dims);
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).collect(Collectors.toList());
  }

  /**
   * The keys Keras 3 stores a model's layers under in {@code model.weights.h5} when it does not name
   * them: the class name in snake case, numbered from the second of a class on ({@code dense},
   * {@code dense_1}, ...), as {@code saving_lib} does; a nested model's layers under its own key.
   */
  static final class SavingKeys {
    private final Map<String, Integer> used = new HashMap<>();

    String next(String className) {
      String key = snakeCase(className);
      int n = used.merge(key, 1, Integer::sum) - 1;
      return n == 0 ? key : key + "_" + n;
    }

    /** Keras's {@code naming.to_snake_case}. */
    static String snakeCase(String name) {
      String s = name.replaceAll("\\W+", "");
      s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
      return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
  }
}
