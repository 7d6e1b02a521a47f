package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.DigitsException;
import io.digits.train.Adam;
import io.digits.train.GradientClipping;
import io.digits.train.LearningRateSchedule;
import io.digits.train.Loss;
import io.digits.train.Nadam;
import io.digits.train.Optimizer;
import io.digits.train.Optimizer.BaseOptions;
import io.digits.train.RmsProp;
import io.digits.train.Sgd;
import io.digits.train.Trainer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How a Keras file says to train its model: the optimizer (with its hyper-parameters, learning-rate
 * schedule and clipping), the loss and the metrics, read from Keras 3's {@code compile_config}
 * (.keras) or tf-keras's {@code training_config} (.h5). Anything these cannot express as Keras
 * would compute it is refused before training starts, naming the setting and where it is in the
 * file. A file saved uncompiled gets the notebook's settings.
 *
 * <p>Use: {@code CompileSettings.read(kerasFile)}, then the command-line flags on top
 * ({@link #withLearningRate}), then {@link #optimizer()}, {@link #schedule()} and {@link #loss()}.
 *
 * @param optimizer the optimizer at the schedule's first rate
 * @param schedule the learning rate of each step (constant unless the file gives a schedule)
 * @param metrics the metric names the file asks for (only accuracy is supported)
 * @param source where the settings come from, e.g. {@code model.keras: compile_config}
 */
public record CompileSettings(Optimizer optimizer, LearningRateSchedule schedule, Loss loss, List<String> metrics,
    String source) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OPTIMIZERS = "SGD, RMSprop, Adam, AdamW, Nadam";
  private static final String SCHEDULES = "ExponentialDecay, PiecewiseConstantDecay, CosineDecay, InverseTimeDecay";
  private static final String LOSSES = "CategoricalCrossentropy, SparseCategoricalCrossentropy";
  private static final Set<String> ACCURACY = Set.of("accuracy", "acc", "categorical_accuracy",
      "sparse_categorical_accuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy");

  /** The notebook's settings: RMSprop at 0.001 (rho 0.9, epsilon 1e-08), categorical cross-entropy, accuracy. */
  public static CompileSettings notebook(String source) {
    return new CompileSettings(new RmsProp(RmsProp.NOTEBOOK_LEARNING_RATE),
        LearningRateSchedule.constant(RmsProp.NOTEBOOK_LEARNING_RATE), Loss.NOTEBOOK, List.of("accuracy"), source);
  }

  /** The settings saved in {@code file}, or the notebook's where it has none. */
  public static CompileSettings read(KerasFile file) {
    return parse(file.path().toString(), file.compileConfigKey(), file.compileConfig());
  }

  /** {@code root} is the {@code compile_config} (Keras 3) or {@code training_config} (tf-keras) of {@code file}. */
  static CompileSettings parse(String file, String key, JsonNode root) {
    if (root == null || root.isMissingNode() || root.isNull() || root.isEmpty()) { // uncompiled: {} or absent
      return notebook(file + " (saved without compile settings: the notebook's)");
    }
    Setting top = new Setting(root, file + ": " + key);
    Setting optimizerSetting = top.get(key.equals("training_config") ? "optimizer_config" : "optimizer");
    if (optimizerSetting.absent()) {
      throw optimizerSetting.error("no optimizer");
    }
    ParsedOptimizer parsed = optimizer(optimizerSetting);
    Setting lossWeights = top.get("loss_weights");
    if (!lossWeights.absent() && !isOne(lossWeights.node())) {
      throw lossWeights.error("loss weights are not supported (one output, weight 1)");
    }
    Setting weighted = top.get("weighted_metrics");
    if (!weighted.absent() && !(weighted.node().isArray() && weighted.node().isEmpty())) {
      throw weighted.error("weighted metrics are not supported");
    }
    return new CompileSettings(parsed.optimizer(), parsed.schedule(), loss(top.get("loss")),
        metrics(top.get("metrics")), top.where());
  }

  /** The command line's learning rate: a constant rate in place of the file's rate or schedule. */
  public CompileSettings withLearningRate(float rate) {
    return new CompileSettings(optimizer.withLearningRate(rate), LearningRateSchedule.constant(rate), loss, metrics,
        source + ", learning rate from the command line");
  }

  /** The optimizer, schedule and loss to train with. */
  public Trainer.Compiled compiled() {
    return new Trainer.Compiled(optimizer, schedule, loss);
  }

  /** One line for the log, e.g. {@code Adam(learning_rate=0.001), CategoricalCrossentropy()}. */
  public String describe() {
    GradientClipping clipping = optimizer.base().clipping();
    return optimizer.kerasName() + "(learning_rate=" + optimizer.learningRate()
        + (clipping == GradientClipping.NONE ? "" : ", " + clipping) + "), " + loss.describe();
  }

  // ---- optimizer ------------------------------------------------------------------------------

  private record ParsedOptimizer(Optimizer optimizer, LearningRateSchedule schedule) {}

  private static ParsedOptimizer optimizer(Setting setting) {
    String className;
    Setting config;
    if (setting.node().isTextual()) { // compile(optimizer="adam"): Keras's defaults
      className = setting.node().asText();
      config = Setting.empty(setting.where + ".config");
    } else {
      className = setting.get("class_name").node().asText().replaceFirst("^Custom>", "");
      config = setting.get("config");
    }
    String name = switch (className.toLowerCase(Locale.ROOT)) {
      case "sgd" -> "SGD";
      case "rmsprop" -> "RMSprop";
      case "adam" -> "Adam";
      case "adamw" -> "AdamW";
      case "nadam" -> "Nadam";
      default -> throw setting.error("'" + className + "' is not supported (" + OPTIMIZERS + ")");
    };
    Settings s = new Settings(config);
    // Keras's keys that do not change the numbers of a run, or only name things.
    s.ignore("name", "jit_compile", "is_legacy_optimizer", "ema_momentum", "ema_overwrite_frequency");
    s.refuseUnless("use_ema", n -> !n.asBoolean(), "exponential moving averages of the weights are not supported");
    s.refuseUnless("loss_scale_factor", JsonNode::isNull, "loss scaling is not supported");
    s.refuseUnless("gradient_accumulation_steps", JsonNode::isNull, "gradient accumulation is not supported");
    s.refuseUnless("decay", n -> n.asDouble() == 0, "the legacy per-step 'decay' is not supported (use a schedule)");
    double defaultRate = name.equals("SGD") ? 0.01 : 0.001;
    Setting rateSetting = config.get("learning_rate");
    s.ignore("learning_rate");
    LearningRateSchedule schedule = rateSetting.absent() ? LearningRateSchedule.constant((float) defaultRate)
        : rateSetting.node().isNumber() ? LearningRateSchedule.constant((float) rateSetting.node().asDouble())
        : schedule(rateSetting);
    float rate = schedule.rate(0);
    double weightDecay = s.number("weight_decay", name.equals("AdamW") ? 0.004 : 0);
    GradientClipping clipping = clipping(s);
    Optimizer optimizer = s.build(() -> {
      BaseOptions base = new BaseOptions(weightDecay, clipping);
      return switch (name) {
        case "SGD" -> new Sgd(rate, s.number("momentum", 0), s.bool("nesterov", false), base);
        case "RMSprop" -> new RmsProp(rate, s.number("rho", 0.9), s.number("momentum", 0), s.number("epsilon", 1e-7),
            s.bool("centered", false), base);
        case "Nadam" -> new Nadam(rate, s.number("beta_1", 0.9), s.number("beta_2", 0.999), s.number("epsilon", 1e-7),
            base);
        default -> new Adam(rate, s.number("beta_1", 0.9), s.number("beta_2", 0.999), s.number("epsilon", 1e-7),
            s.bool("amsgrad", false), base, name.equals("AdamW"));
      };
    });
    return new ParsedOptimizer(optimizer, schedule);
  }

  private static GradientClipping clipping(Settings s) {
    List<GradientClipping> set = new ArrayList<>();
    for (Map.Entry<String, DoubleFunction<GradientClipping>> e : Map.<String, DoubleFunction<GradientClipping>>of(
        "clipnorm", GradientClipping.ByNorm::new,
        "clipvalue", GradientClipping.ByValue::new,
        "global_clipnorm", GradientClipping.ByGlobalNorm::new).entrySet()) {
      double value = s.number(e.getKey(), 0);
      if (value > 0) { // Keras clips only with a positive setting
        set.add(e.getValue().apply(value));
      }
    }
    if (set.size() > 1) {
      throw s.config.error("only one of clipnorm, clipvalue and global_clipnorm can be set");
    }
    return set.isEmpty() ? GradientClipping.NONE : set.get(0);
  }

  private static LearningRateSchedule schedule(Setting setting) {
    String className = setting.get("class_name").node().asText();
    Settings s = new Settings(setting.get("config"));
    s.ignore("name");
    return s.build(() -> switch (className) {
      case "ExponentialDecay" -> new LearningRateSchedule.ExponentialDecay(s.required("initial_learning_rate"),
          s.required("decay_steps"), s.required("decay_rate"), s.bool("staircase", false));
      case "InverseTimeDecay" -> new LearningRateSchedule.InverseTimeDecay(s.required("initial_learning_rate"),
          s.required("decay_steps"), s.required("decay_rate"), s.bool("staircase", false));
      case "CosineDecay" -> {
        double initial = s.required("initial_learning_rate");
        double steps = s.required("decay_steps");
        double alpha = s.number("alpha", 0);
        double target = s.number("warmup_target", Double.NaN);
        yield new LearningRateSchedule.CosineDecay(initial, steps, alpha, target, s.number("warmup_steps", 0));
      }
      case "PiecewiseConstantDecay" -> new LearningRateSchedule.PiecewiseConstantDecay(
          s.numbers("boundaries").stream().map(d -> (long) Math.floor(d)).toList(), s.numbers("values"));
      default -> throw setting.error("learning-rate schedule '" + className + "' is not supported (" + SCHEDULES + ")");
    });
  }

  // ---- loss and metrics -----------------------------------------------------------------------

  private static Loss loss(Setting setting) {
    if (setting.absent()) {
      throw setting.error("no loss");
    }
    if (setting.node().isArray() && setting.node().size() == 1) { // one output's loss in a list
      setting = setting.get(0);
    } else if (setting.node().isObject() && !setting.node().has("class_name") && setting.node().size() == 1) {
      setting = setting.get(setting.node().fieldNames().next()); // ... or by output name
    }
    if (setting.node().isArray() || setting.node().isObject() && !setting.node().has("class_name")) {
      throw setting.error("one loss per output is not supported (one output)");
    }
    String className;
    Settings s;
    if (setting.node().isTextual()) {
      className = setting.node().asText();
      s = new Settings(Setting.empty(setting.where));
    } else {
      className = setting.get("class_name").node().asText();
      if (className.equals("function")) { // Keras 3's serialized loss function: its name is the config
        className = setting.get("config").node().asText();
        s = new Settings(Setting.empty(setting.where));
      } else {
        s = new Settings(setting.get("config"));
      }
    }
    Loss.Kind kind = switch (className) {
      case "categorical_crossentropy", "CategoricalCrossentropy" -> Loss.Kind.CATEGORICAL;
      case "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy" -> Loss.Kind.SPARSE_CATEGORICAL;
      default -> throw setting.error("'" + className + "' is not supported (" + LOSSES + ")");
    };
    Settings settings = s;
    settings.ignore("name", "fn", "dtype");
    settings.refuseUnless("reduction", n -> Set.of("sum_over_batch_size", "auto", "mean").contains(n.asText()),
        "only the batch mean (sum_over_batch_size) is supported");
    settings.refuseUnless("axis", n -> n.asInt() == -1 || n.asInt() == 1, "only the class axis -1 is supported");
    settings.refuseUnless("ignore_class", JsonNode::isNull, "ignore_class is not supported");
    return settings.build(() -> new Loss(kind, settings.bool("from_logits", false),
        kind == Loss.Kind.CATEGORICAL ? settings.number("label_smoothing", 0) : 0));
  }

  private static List<String> metrics(Setting setting) {
    List<String> names = new ArrayList<>();
    if (setting.absent()) {
      return names;
    }
    List<Setting> pending = new ArrayList<>(List.of(setting));
    while (!pending.isEmpty()) {
      Setting m = pending.remove(0);
      JsonNode n = m.node();
      if (n.isArray()) { // tf-keras nests one list per output
        for (int i = 0; i < n.size(); i++) {
          pending.add(m.get(i));
        }
        continue;
      }
      if (n.isObject() && !n.has("class_name")) { // metrics by output name
        n.fieldNames().forEachRemaining(output -> pending.add(m.get(output)));
        continue;
      }
      String name = n.isTextual() ? n.asText()
          : n.path("class_name").asText().equals("MeanMetricWrapper") ? n.path("config").path("fn").asText()
          : n.path("class_name").asText();
      if (!ACCURACY.contains(name)) {
        throw m.error("metric '" + name + "' is not supported (accuracy)");
      }
      names.add("accuracy");
    }
    return names.stream().distinct().toList();
  }

  private static boolean isOne(JsonNode weights) {
    return weights.isNumber() && weights.asDouble() == 1
        || weights.isArray() && weights.size() == 1 && weights.get(0).asDouble() == 1;
  }

  // ---- writing: what parse reads back ------------------------------------------------------------

  /**
   * Keras 3's {@code compile_config} for {@code compiled}, as {@code model.get_compile_config()}
   * writes it: the optimizer with every option, its learning rate (a float32's value) or schedule,
   * the loss (by function name when it has no options), accuracy.
   */
  static ObjectNode toKeras3(Trainer.Compiled compiled) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode optimizer = root.putObject("optimizer").put("module", "keras.optimizers")
        .put("class_name", compiled.optimizer().kerasName());
    optimizer.set("config", optimizerConfig(compiled, true));
    optimizer.putNull("registered_name");
    root.set("loss", lossConfig(compiled.loss(), true));
    root.putNull("loss_weights");
    root.putArray("metrics").add("accuracy");
    root.putNull("weighted_metrics").put("run_eagerly", false).put("steps_per_execution", 1).put("jit_compile", false);
    return root;
  }

  /** tf-keras's {@code training_config} (.h5) for {@code compiled}: the same settings in tf-keras's dialect. */
  static ObjectNode toTfKeras(Trainer.Compiled compiled) {
    ObjectNode root = JSON.createObjectNode();
    root.set("loss", lossConfig(compiled.loss(), false));
    root.putArray("metrics").add("accuracy");
    root.putNull("weighted_metrics").putNull("loss_weights");
    root.putObject("optimizer_config").put("class_name", compiled.optimizer().kerasName())
        .set("config", optimizerConfig(compiled, false));
    return root;
  }

  private static ObjectNode optimizerConfig(Trainer.Compiled compiled, boolean keras3) {
    Optimizer o = compiled.optimizer();
    ObjectNode c = JSON.createObjectNode()
        .put("name", keras3 ? KerasConfig.SavingKeys.snakeCase(o.kerasName()) : o.kerasName());
    c.set("learning_rate", scheduleConfig(compiled.schedule(), keras3));
    double decay = o.base().weightDecay();
    // null is Keras's "none", which AdamW reads as its default 0.004
    if (decay == 0 && !(o instanceof Adam a && a.adamW())) {
      c.putNull("weight_decay");
    } else {
      c.put("weight_decay", decay);
    }
    GradientClipping clipping = o.base().clipping();
    putOrNull(c, "clipnorm", clipping instanceof GradientClipping.ByNorm n ? n.clipnorm() : null);
    putOrNull(c, "global_clipnorm", clipping instanceof GradientClipping.ByGlobalNorm n ? n.globalClipnorm() : null);
    putOrNull(c, "clipvalue", clipping instanceof GradientClipping.ByValue n ? n.clipvalue() : null);
    c.put("use_ema", false).put("ema_momentum", 0.99).putNull("ema_overwrite_frequency");
    if (keras3) {
      c.putNull("loss_scale_factor").putNull("gradient_accumulation_steps");
    } else { // tf-keras reads a config without this flag as one of its legacy optimizers (no AdamW, no weight_decay)
      c.put("jit_compile", false).put("is_legacy_optimizer", false);
    }
    if (o instanceof Sgd sgd) {
      c.put("momentum", sgd.momentum()).put("nesterov", sgd.nesterov());
    } else if (o instanceof RmsProp r) {
      c.put("rho", r.rho()).put("momentum", r.momentum()).put("epsilon", r.epsilon()).put("centered", r.centered());
    } else if (o instanceof Adam a) {
      c.put("beta_1", a.beta1()).put("beta_2", a.beta2()).put("epsilon", a.epsilon()).put("amsgrad", a.amsgrad());
    } else if (o instanceof Nadam n) {
      c.put("beta_1", n.beta1()).put("beta_2", n.beta2()).put("epsilon", n.epsilon());
    } else {
      throw new IllegalArgumentException("no Keras config for " + o.kerasName());
    }
    return c;
  }

  private static void putOrNull(ObjectNode c, String key, Double value) {
    if (value == null) {
      c.putNull(key);
    } else {
      c.put(key, value);
    }
  }

  /** A constant rate as the float32 value Keras's variable holds, any other schedule as Keras's serialized schedule. */
  private static JsonNode scheduleConfig(LearningRateSchedule schedule, boolean keras3) {
    if (schedule instanceof LearningRateSchedule.Constant constant) {
      return JSON.getNodeFactory().numberNode((double) constant.learningRate());
    }
    ObjectNode root = JSON.createObjectNode();
    if (keras3) {
      root.put("module", "keras.optimizers.schedules");
    }
    ObjectNode c = JSON.createObjectNode();
    String className;
    if (schedule instanceof LearningRateSchedule.ExponentialDecay e) {
      className = "ExponentialDecay";
      c.put("initial_learning_rate", e.initialLearningRate()).set("decay_steps", steps(e.decaySteps()));
      c.put("decay_rate", e.decayRate()).put("staircase", e.staircase());
    } else if (schedule instanceof LearningRateSchedule.InverseTimeDecay e) {
      className = "InverseTimeDecay";
      c.put("initial_learning_rate", e.initialLearningRate()).set("decay_steps", steps(e.decaySteps()));
      c.put("decay_rate", e.decayRate()).put("staircase", e.staircase());
    } else if (schedule instanceof LearningRateSchedule.PiecewiseConstantDecay p) {
      className = "PiecewiseConstantDecay";
      p.boundaries().forEach(c.putArray("boundaries")::add);
      p.values().forEach(c.putArray("values")::add);
    } else if (schedule instanceof LearningRateSchedule.CosineDecay cd) {
      className = "CosineDecay";
      c.put("initial_learning_rate", cd.initialLearningRate()).set("decay_steps", steps(cd.decaySteps()));
      c.put("alpha", cd.alpha());
    } else {
      throw new IllegalArgumentException("no Keras config for the schedule " + schedule);
    }
    c.put("name", className);
    if (schedule instanceof LearningRateSchedule.CosineDecay cd) { // after the name, as Keras writes it
      putOrNull(c, "warmup_target", Double.isNaN(cd.warmupTarget()) ? null : cd.warmupTarget());
      c.set("warmup_steps", steps(cd.warmupSteps()));
    }
    root.put("class_name", className).set("config", c);
    return keras3 ? root.putNull("registered_name") : root;
  }

  /** A step count as Keras's int where it is whole. */
  private static JsonNode steps(double value) {
    return value == Math.rint(value) ? JSON.getNodeFactory().numberNode((long) value)
        : JSON.getNodeFactory().numberNode(value);
  }

  /** A loss without options by its function name (as {@code compile(loss="...")} saves it), else as Keras's serialized loss. */
  private static JsonNode lossConfig(Loss loss, boolean keras3) {
    if (loss.equals(new Loss(loss.kind(), false, 0))) {
      return JSON.getNodeFactory().textNode(loss.kind().functionName());
    }
    ObjectNode root = JSON.createObjectNode();
    if (keras3) {
      root.put("module", "keras.losses");
    }
    root.put("class_name", loss.kind().className());
    ObjectNode c = root.putObject("config").put("name", loss.kind().functionName())
        .put("reduction", keras3 ? "sum_over_batch_size" : "auto").put("from_logits", loss.fromLogits());
    if (loss.kind() == Loss.Kind.CATEGORICAL) {
      c.put("label_smoothing", loss.labelSmoothing()).put("axis", -1);
    } else {
      c.putNull("ignore_class");
    }
    return keras3 ? root.putNull("registered_name") : root;
  }

  // ---- reading settings with their location ---------------------------------------------------

  /** A node and its path in the file, for messages. */
  private record Setting(JsonNode node, String where) {
    static Setting empty(String where) {
      return new Setting(MissingNode.getInstance(), where);
    }

    Setting get(String key) {
      return new Setting(node.path(key), where + "." + key);
    }

    Setting get(int index) {
      return new Setting(node.path(index), where + "[" + index + "]");
    }

    boolean absent() {
      return node.isMissingNode() || node.isNull();
    }

    DigitsException error(String what) {
      return new DigitsException(where + ": " + what);
    }
  }

  /**
   * The keys of one config object; {@link #build} refuses any key that nothing read, so that a
   * setting this program would silently ignore cannot change what Keras would have computed.
   */
  private static final class Settings {
    private final Setting config;
    private final Set<String> read = new HashSet<>();

    Settings(Setting config) {
      this.config = config;
    }

    void ignore(String... keys) {
      read.addAll(List.of(keys));
    }

    void refuseUnless(String key, Predicate<JsonNode> fine, String why) {
      read.add(key);
      Setting s = config.get(key);
      if (!s.absent() && !fine.test(s.node())) {
        throw s.error(why + " (" + s.node() + ")");
      }
    }

    double number(String key, double fallback) {
      return value(key, fallback, JsonNode::isNumber, JsonNode::asDouble, "a number");
    }

    double required(String key) {
      if (config.get(key).absent()) {
        throw config.get(key).error("missing");
      }
      return number(key, Double.NaN);
    }

    boolean bool(String key, boolean fallback) {
      return value(key, fallback, JsonNode::isBoolean, JsonNode::asBoolean, "true or false");
    }

    private <T> T value(String key, T fallback, Predicate<JsonNode> valid, Function<JsonNode, T> parse,
        String expected) {
      read.add(key);
      Setting s = config.get(key);
      if (s.absent()) {
        return fallback;
      }
      if (!valid.test(s.node())) {
        throw s.error("expected " + expected + ", got " + s.node());
      }
      return parse.apply(s.node());
    }

    List<Double> numbers(String key) {
      read.add(key);
      Setting s = config.get(key);
      if (!s.node().isArray()) {
        throw s.error("expected a list of numbers, got " + s.node());
      }
      List<Double> values = new ArrayList<>();
      s.node().forEach(n -> values.add(n.asDouble()));
      return values;
    }

    /** Builds from the settings read, refusing unknown keys and values the target refuses. */
    <T> T build(Supplier<T> make) {
      T made;
      try {
        made = make.get();
      } catch (IllegalArgumentException e) {
        throw config.error(e.getMessage());
      }
      for (Iterator<String> keys = config.node().fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        if (!read.contains(key)) {
          throw config.get(key).error("'" + key + "' is not supported");
        }
      }
      return made;
    }
  }
}
