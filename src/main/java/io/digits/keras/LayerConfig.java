package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.digits.DigitsException;
import io.digits.model.Activation;
import io.digits.model.Constraint;
import io.digits.model.Regularizer;
import io.digits.model.Initializer;
import io.digits.model.Initializer.VarianceScaling;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * One layer of a Keras model config: where it is (the file, its 1-based position among the
 * model's layers after the input, its name and class) and typed access to its options. It remembers
 * which options were read, so that {@link #finish} can refuse any other option that is set: a Keras
 * option this program does not know about never changes the math unnoticed.
 */
final class LayerConfig {
  /** Options that do not change what the layer computes at inference (initializers etc. are matched by suffix). */
  private static final Set<String> IRRELEVANT = Set.of("name", "trainable", "dtype", "seed", "fused", "synchronized",
      "renorm_momentum", "batch_input_shape", "batch_shape", "sparse", "ragged", "optional",
      "rng_type", "force_generator");

  private final String file;
  private final int position;
  private final String name;
  private final String className;
  private final String savingKey;
  private final JsonNode options;
  private final KerasConfig nested;
  private final Set<String> read = new HashSet<>();
  private final java.util.List<String> trainingOnly = new java.util.ArrayList<>();
  /** The key of an activity regularizer among {@link #regularizers}: it penalizes the output, not a weight. */
  static final String ACTIVITY = "activity";

  private final java.util.Map<String, Regularizer> regularizers = new java.util.LinkedHashMap<>();
  private final java.util.Map<String, Constraint> constraints = new java.util.LinkedHashMap<>();

  LayerConfig(String file, int position, String name, String className, String savingKey, JsonNode options) {
    this(file, position, name, className, savingKey, options, null);
  }

  private LayerConfig(String file, int position, String name, String className, String savingKey, JsonNode options,
      KerasConfig nested) {
    this.file = file;
    this.position = position;
    this.name = name;
    this.className = className;
    this.savingKey = savingKey;
    this.options = options;
    this.nested = nested;
  }

  /** This layer as a nested model with its own config. */
  LayerConfig withNested(KerasConfig config) {
    return new LayerConfig(file, position, name, className, savingKey, options, config);
  }

  /** The config of a nested model, or null for a plain layer. */
  KerasConfig nested() {
    return nested;
  }

  /** {@code file: layer 3 'conv2d_1' (Conv2D)}: where errors about this layer point. */
  String where() {
    return file + ": layer " + position + " '" + name + "' (" + className + ")";
  }

  /**
   * Options set in the file that only change training and are not supported there (regularizers,
   * constraints), as {@code where: option value}; collected by {@link #finish}.
   */
  java.util.List<String> trainingOnly() {
    return trainingOnly;
  }

  int position() {
    return position;
  }

  String name() {
    return name;
  }

  String className() {
    return className;
  }

  /** Where Keras 3 stored this layer's weights in a .keras file that does not name them. */
  String savingKey() {
    return savingKey;
  }

  /** {@code file: layer 3 'conv2d_1' (Conv2D): what}; a nested model's layers after the model's place. */
  DigitsException error(String what) {
    return new DigitsException(where() + ": " + what);
  }

  /** The option, or null when it is absent or JSON null. */
  JsonNode get(String key) {
    read.add(key);
    JsonNode v = options.get(key);
    return v == null || v.isNull() ? null : v;
  }

  int integer(String key) {
    JsonNode v = get(key);
    if (v == null || !v.canConvertToInt()) {
      throw error(key + " " + show(v) + " is not an integer");
    }
    return v.intValue();
  }

  float number(String key, float absent) {
    JsonNode v = get(key);
    if (v == null) {
      return absent;
    }
    if (!v.isNumber()) {
      throw error(key + " " + show(v) + " is not supported (a single number only)");
    }
    return v.floatValue();
  }

  boolean flag(String key, boolean absent) {
    JsonNode v = get(key);
    return v == null ? absent : v.asBoolean();
  }

  /** An int or a list of equal ints ({@code 3}, {@code [3, 3]}), as Keras writes window sizes and strides. */
  int square(String key, int absent) {
    JsonNode v = get(key);
    if (v == null) {
      return absent;
    }
    if (v.canConvertToInt()) {
      return v.intValue();
    }
    Set<Integer> values = StreamSupport.stream(v.spliterator(), false).map(JsonNode::asInt).collect(Collectors.toSet());
    if (!v.isArray() || values.size() != 1) {
      throw error(key + " " + show(v) + " is not supported (only square windows and equal strides)");
    }
    return values.iterator().next();
  }

  long[] longs(String key) {
    JsonNode v = get(key);
    if (v == null || !v.isArray()) {
      throw error(key + " " + show(v) + " is not a list");
    }
    return StreamSupport.stream(v.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
  }

  /** The option must be absent, null or one of {@code allowed} (compared as JSON text, e.g. {@code "channels_last"}, {@code [1, 1]}). */
  void expect(String key, String... allowed) {
    JsonNode v = get(key);
    if (v == null) {
      return;
    }
    String text = v.toString().replace(" ", "");
    for (String a : allowed) {
      if (text.equals(a.replace(" ", ""))) {
        return;
      }
    }
    throw error(key + " " + show(v) + " is not supported");
  }

  /** The activation option's Keras name, without marking it read; null when there is none. */
  String activationName() {
    JsonNode v = options.get("activation");
    return v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.path("config").asText(v.toString());
  }

  /** An activation by Keras name ({@code "relu"}, or Keras 3's serialized {@code {"config": "relu", ...}}). */
  Activation activation() {
    JsonNode v = get("activation");
    String keras = v == null ? "linear" : v.isTextual() ? v.asText() : v.path("config").asText(v.toString());
    return Activation.byKeras(keras).orElseThrow(() -> error("activation '" + keras + "' is not supported"));
  }

  /**
   * A Keras initializer option ({@code "glorot_uniform"}, or {@code {"class_name": "HeNormal", "config":
   * {...}}}) with its arguments; {@code absent} when the option is missing.
   */
  Initializer initializer(String key, Initializer absent) {
    JsonNode v = get(key);
    if (v == null) {
      return absent;
    }
    String kind = v.isTextual() ? v.asText() : v.path("class_name").asText();
    JsonNode args = v.path("config");
    String snake = KerasConfig.SavingKeys.snakeCase(kind);
    return switch (snake) {
      case "glorot_uniform" -> VarianceScaling.glorotUniform();
      case "glorot_normal" -> VarianceScaling.glorotNormal();
      case "he_uniform" -> VarianceScaling.heUniform();
      case "he_normal" -> VarianceScaling.heNormal();
      case "lecun_uniform" -> VarianceScaling.lecunUniform();
      case "lecun_normal" -> VarianceScaling.lecunNormal();
      case "zeros", "zero" -> Initializer.ZEROS;
      case "ones", "one" -> Initializer.ONES;
      case "constant" -> new Initializer.Constant((float) args.path("value").asDouble(0));
      case "random_uniform" -> new Initializer.RandomUniform(args.path("minval").asDouble(-0.05),
          args.path("maxval").asDouble(0.05));
      case "random_normal", "truncated_normal" -> new Initializer.RandomNormal(args.path("mean").asDouble(0),
          args.path("stddev").asDouble(0.05), snake.startsWith("truncated"));
      case "orthogonal" -> new Initializer.Orthogonal(args.path("gain").asDouble(1));
      case "variance_scaling" -> {
        String mode = args.path("mode").asText("fan_in");
        String distribution = args.path("distribution").asText("truncated_normal");
        try {
          yield new VarianceScaling(args.path("scale").asDouble(1),
              Initializer.FanMode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)),
              Initializer.Distribution.valueOf((distribution.equals("normal") ? "truncated_normal" : distribution)
                  .toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw error(key + " " + show(v) + " is not supported");
        }
      }
      default -> throw error(key + " " + show(v) + " is not supported");
    };
  }

  /** The layer computes in float32: {@code "float32"}, or a dtype policy named so. */
  void expectFloat32() {
    JsonNode v = get("dtype");
    String dtype = v == null ? "float32" : v.isTextual() ? v.asText() : v.path("config").path("name").asText(v.toString());
    if (!dtype.equals("float32")) {
      throw error("dtype '" + dtype + "' is not supported (float32 only)");
    }
  }

  /** Refuses any option that was not read, is set, and may change the math. */
  void finish() {
    trainingOnly.clear();
    regularizers.clear();
    constraints.clear();
    for (Iterator<Map.Entry<String, JsonNode>> it = options.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      boolean harmless = read.contains(key) || IRRELEVANT.contains(key) || e.getValue().isNull()
          || key.endsWith("_initializer");
      if (!harmless && (key.endsWith("_regularizer") || key.endsWith("_constraint"))) {
        weightOption(key, e.getValue());
      } else if (!harmless) {
        throw error("option " + key + " " + show(e.getValue()) + " is not supported");
      }
    }
  }

  /** Regularizers by the variable they apply to (kernel, bias, ...); set by {@link #finish}. */
  java.util.Map<String, Regularizer> regularizers() {
    return regularizers;
  }

  /** Constraints by the variable they apply to; set by {@link #finish}. */
  java.util.Map<String, Constraint> constraints() {
    return constraints;
  }

  /**
   * A {@code <weight>_regularizer} (L1, L2, L1L2) or {@code <weight>_constraint} (MaxNorm, NonNeg,
   * UnitNorm) for training, {@code activity_regularizer} under the name {@code activity}; any other
   * kind goes to {@link #trainingOnly}.
   */
  private void weightOption(String key, JsonNode v) {
    String kind = KerasConfig.SavingKeys.snakeCase(v.isTextual() ? v.asText() : v.path("class_name").asText());
    JsonNode args = v.path("config");
    String prefix = key.substring(0, key.lastIndexOf('_'));
    String variable = switch (prefix) {
      case "depthwise" -> className.equals("DepthwiseConv2D") ? "kernel" : "depthwise_kernel";
      case "pointwise" -> "pointwise_kernel";
      default -> prefix;
    };
    boolean constraint = key.endsWith("_constraint");
    switch (constraint ? "" : kind) {
      case "l1" -> regularizers.put(variable, new Regularizer((float) args.path("l1").asDouble(0.01), 0f));
      case "l2" -> regularizers.put(variable, new Regularizer(0f, (float) args.path("l2").asDouble(0.01)));
      case "l1_l2", "l1l2" -> regularizers.put(variable,
          new Regularizer((float) args.path("l1").asDouble(0), (float) args.path("l2").asDouble(0)));
      default -> {
        Constraint c = !constraint ? null : switch (kind) {
          case "max_norm" -> new Constraint.MaxNorm((float) args.path("max_value").asDouble(2), axes(args));
          case "non_neg" -> new Constraint.NonNeg();
          case "unit_norm" -> new Constraint.UnitNorm(axes(args));
          default -> null;
        };
        if (c == null) {
          trainingOnly.add(where() + ": " + key + " " + show(v));
        } else {
          constraints.put(variable, c);
        }
      }
    }
  }

  /** A constraint's {@code axis}: an int or a list (Keras's default 0). */
  private static java.util.List<Integer> axes(JsonNode args) {
    JsonNode axis = args.path("axis");
    if (axis.isArray()) {
      return StreamSupport.stream(axis.spliterator(), false).map(JsonNode::asInt).toList();
    }
    return java.util.List.of(axis.asInt(0));
  }

  /** Keras-style: lists as tuples {@code (2, 2)}, strings quoted. */
  static String show(JsonNode v) {
    if (v == null) {
      return "(missing)";
    }
    if (v.isArray()) {
      String items = StreamSupport.stream(v.spliterator(), false).map(LayerConfig::show).collect(Collectors.joining(", "));
      return "(" + items + (v.size() == 1 ? ",)" : ")");
    }
    return v.isTextual() ? "'" + v.asText() + "'" : v.isNull() ? "None" : v.toString();
  }
}
