package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.digits.DigitsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.tensorflow.ndarray.Shape;

/**
 * A Keras model config reduced to what a {@link io.digits.model.Sequential} can be: the input shape
 * and the chain of layers after the input, in the order data flows. Reads Sequential models (Keras 3
 * and tf-keras) and Functional models whose layers form a single chain from one input to one output;
 * both writers' formats of {@code inbound_nodes} and {@code input_layers}.
 */
record KerasConfig(String modelName, Shape inputShape, List<LayerConfig> layers) {

  static KerasConfig parse(String file, JsonNode root) {
    String kind = root.path("class_name").asText();
    JsonNode config = root.path("config");
    if (!config.path("layers").isArray()) {
      throw new DigitsException(file + ": the model config has no list of layers");
    }
    return switch (kind) {
      case "Sequential" -> sequential(file, root, config);
      case "Functional", "Model" -> functional(file, config);
      default -> throw new DigitsException(file + ": a '" + kind + "' model is not supported (Sequential or Functional only)");
    };
  }

  private static KerasConfig sequential(String file, JsonNode root, JsonNode config) {
    List<JsonNode> entries = list(config.path("layers"));
    JsonNode inputShape = null;
    List<LayerConfig> layers = new ArrayList<>();
    SavingKeys keys = new SavingKeys();
    for (JsonNode entry : entries) {
      String className = entry.path("class_name").asText();
      if (className.equals("InputLayer") && layers.isEmpty()) {
        inputShape = batchShape(entry.path("config"));
        continue;
      }
      // Keras 3 Sequential saves the weights of its layers after the input only.
      layers.add(layer(file, layers.size() + 1, entry, keys.next(className)));
    }
    if (inputShape == null && !entries.isEmpty()) {
      inputShape = batchShape(entries.get(0).path("config"));
    }
    if (inputShape == null) {
      inputShape = firstPresent(config.path("build_input_shape"), root.path("build_config").path("input_shape"));
    }
    return new KerasConfig(config.path("name").asText("sequential"), shape(file, inputShape), layers);
  }

  private static KerasConfig functional(String file, JsonNode config) {
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    Map<String, String> keyByName = new HashMap<>();
    Map<String, Integer> positionByName = new HashMap<>();
    SavingKeys keys = new SavingKeys();
    int position = 0;
    for (JsonNode entry : list(config.path("layers"))) {
      String name = entry.path("name").asText(entry.path("config").path("name").asText());
      String className = entry.path("class_name").asText();
      byName.put(name, entry);
      keyByName.put(name, keys.next(className)); // a Functional model saves its InputLayer too
      positionByName.put(name, className.equals("InputLayer") ? 0 : ++position);
    }
    String input = single(file, "input", config.path("input_layers"));
    String output = single(file, "output", config.path("output_layers"));
    // Each layer's single inbound layer; then walk the chain forwards from the input.
    Map<String, String> consumer = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : byName.entrySet()) {
      if (e.getKey().equals(input)) {
        continue;
      }
      LayerConfig layer = layer(file, positionByName.get(e.getKey()), e.getValue(), keyByName.get(e.getKey()));
      List<String> inbound = inbound(e.getValue().path("inbound_nodes"));
      if (inbound.size() != 1) {
        throw layer.error("takes " + inbound.size() + " inputs (" + String.join(", ", inbound)
            + "); only a chain of single-input layers is supported");
      }
      if (consumer.putIfAbsent(inbound.get(0), e.getKey()) != null) {
        throw new DigitsException(file + ": layer '" + inbound.get(0) + "' feeds several layers ("
            + consumer.get(inbound.get(0)) + ", " + e.getKey() + "); only a chain of layers is supported");
      }
    }
    JsonNode inputEntry = byName.get(input);
    if (inputEntry == null || !inputEntry.path("class_name").asText().equals("InputLayer")) {
      throw new DigitsException(file + ": the model input '" + input + "' is not an InputLayer");
    }
    List<LayerConfig> layers = new ArrayList<>();
    for (String at = consumer.get(input); at != null; at = consumer.get(at)) {
      layers.add(layer(file, positionByName.get(at), byName.get(at), keyByName.get(at)));
      if (at.equals(output)) {
        break;
      }
    }
    if (layers.isEmpty() || !layers.get(layers.size() - 1).name().equals(output) || layers.size() != byName.size() - 1) {
      throw new DigitsException(file + ": the layers do not form one chain from input '" + input + "' to output '"
          + output + "'; only such chains are supported");
    }
    return new KerasConfig(config.path("name").asText("functional"), shape(file, batchShape(inputEntry.path("config"))),
        layers);
  }

  private static LayerConfig layer(String file, int position, JsonNode entry, String savingKey) {
    JsonNode options = entry.path("config");
    String name = entry.path("name").asText(options.path("name").asText("?"));
    return new LayerConfig(file, position, name, entry.path("class_name").asText("?"), savingKey, options);
  }

  /** Layer names that the tensors in one layer's {@code inbound_nodes} come from. */
  private static List<String> inbound(JsonNode nodes) {
    List<String> names = new ArrayList<>();
    for (JsonNode node : nodes) {
      if (node.isArray()) { // tf-keras: [[name, node, tensor, kwargs], ...]
        node.forEach(t -> names.add(t.path(0).asText()));
      } else { // Keras 3: {"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": [name, 0, 0]}}], ...}
        node.path("args").forEach(a -> collectTensors(a, names));
      }
    }
    return names;
  }

  private static void collectTensors(JsonNode arg, List<String> names) {
    if (arg.path("class_name").asText().equals("__keras_tensor__")) {
      names.add(arg.path("config").path("keras_history").path(0).asText());
    } else if (arg.isArray()) {
      arg.forEach(a -> collectTensors(a, names));
    }
  }

  /** {@code input_layers}/{@code output_layers}: Keras 3 writes {@code [name, 0, 0]} for one, tf-keras {@code [[name, 0, 0]]}. */
  private static String single(String file, String what, JsonNode layers) {
    if (layers.path(0).isTextual()) {
      return layers.path(0).asText();
    }
    if (layers.size() != 1) {
      throw new DigitsException(file + ": the model has " + layers.size() + " " + what + "s; only one is supported");
    }
    return layers.path(0).path(0).asText();
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
    long values = 1;
    for (int i = 1; i < dims.length; i++) {
      values = dims[i] < 1 ? -1 : values * dims[i];
    }
    if (dims.length < 2 || dims[0] != -1 || values != 784) {
      throw new DigitsException(file + ": input shape " + LayerConfig.show(batchShape)
          + " does not hold one 28x28 image per row ((None, 28, 28, 1), (None, 28, 28) or (None, 784))");
    }
    return Shape.of(dims);
  }

  private static List<JsonNode> list(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).collect(Collectors.toList());
  }

  /**
   * The keys Keras 3 stores a model's layers under in {@code model.weights.h5} when it does not name
   * them: the class name in snake case, numbered from the second of a class on ({@code dense},
   * {@code dense_1}, ...), as {@code saving_lib} does.
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
