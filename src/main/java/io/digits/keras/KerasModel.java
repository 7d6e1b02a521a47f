package io.digits.keras;

import io.digits.DigitsException;
import io.digits.model.Component;
import io.digits.model.Dropout;
import io.digits.model.Layer;
import io.digits.model.Merge;
import io.digits.model.Model;
import io.digits.model.Parameters;
import io.digits.model.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/**
 * A Keras {@code .keras} or {@code .h5} model as this project's {@link Model} plus its
 * {@link Weights}: {@link #create} gives fresh layers for any graph (inference, export, training),
 * {@link #weights} the file's arrays in that model's {@link Parameters} order, shapes checked.
 */
public final class KerasModel {
  private final KerasFile file;
  private final KerasConfig config;
  private final Weights weights;
  private final Shape outputShape;
  private final boolean classifier;
  private final List<String> trainingOnly = new ArrayList<>();

  private KerasModel(KerasFile file, KerasConfig config) {
    this.file = file;
    this.config = config;
    long values = java.util.Arrays.stream(config.inputShape().asArray()).skip(1).reduce(1, (a, b) -> a * b);
    if (values != 784) {
      throw new DigitsException(file.path() + ": input shape " + config.inputShape()
          + " does not hold one 28x28 image per row ((None, 28, 28, 1), (None, 28, 28) or (None, 784))");
    }
    if (file.format().contains("keras 2.")) {
      refuseKeras2HardSigmoid(config);
    }
    try (Graph graph = new Graph()) {
      Map<Model, List<Component>> parts = new IdentityHashMap<>();
      Model model = build(config, scopeName(config.modelName()), parts);
      try {
        model.build(Ops.create(graph));
      } catch (Model.LayerShapeException e) {
        Component failed = model.layers().get(e.index());
        throw config.layers().get(indexIn(parts.get(model), failed)).error(e.reason());
      }
      this.weights = weights(model, parts);
      this.outputShape = model.outputShape();
      this.classifier = model.classifier();
      collectTrainingOnly(config);
    }
  }

  /** Reads {@code path} and checks every layer, option and weight; errors name the layer and its position. */
  public static KerasModel load(Path path) {
    KerasFile file = KerasFile.read(path);
    return new KerasModel(file, KerasConfig.parse(path.toString(), file.config()));
  }

  /** A fresh, unbuilt model with the file's layers. */
  public Model create() {
    return build(config, scopeName(config.modelName()), new IdentityHashMap<>());
  }

  /** The model of {@code config}; {@code parts} gets each (nested) model's layers in config order. */
  private static Model build(KerasConfig config, String name, Map<Model, List<Component>> parts) {
    List<Component> layers = new ArrayList<>();
    for (LayerConfig c : config.layers()) {
      layers.add(c.nested() != null ? build(c.nested(), scopeName(c.name()), parts)
          : LayerFactory.create(c, salt(c)));
    }
    Model.Builder builder = Model.builder(name, config.inputShape());
    List<Model.Tensor> outputs = new ArrayList<>();
    for (KerasConfig.Application a : config.applications()) {
      List<Model.Tensor> inputs = a.inputs().stream().map(i -> i < 0 ? builder.input() : outputs.get(i)).toList();
      Component layer = layers.get(a.layer());
      if (layer instanceof Merge merge) {
        outputs.add(builder.apply(merge, inputs));
      } else if (inputs.size() != 1) {
        throw config.layers().get(a.layer()).error("takes " + inputs.size() + " inputs; it takes one");
      } else {
        outputs.add(builder.apply((Layer) layer, inputs.get(0)));
      }
    }
    Model model = builder.output(outputs.get(outputs.size() - 1));
    for (int i = 0; i < layers.size(); i++) {
      Component layer = layers.get(i);
      config.layers().get(i).regularizers().forEach((variable, r) -> {
        if (variable.equals(LayerConfig.ACTIVITY)) {
          model.regularizeActivity(layer, r);
        } else {
          model.regularize(layer, variable, r);
        }
      });
      config.layers().get(i).constraints().forEach((variable, c) -> model.constrain(layer, variable, c));
    }
    parts.put(model, layers);
    return model;
  }

  /** Tells a layer's random draws from the others': a hash of its place in the model (not of the file's path). */
  private static long salt(LayerConfig c) {
    String where = c.where();
    return where.substring(where.indexOf(": layer ")).hashCode();
  }

  private static int indexIn(List<Component> layers, Component layer) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) == layer) {
        return i;
      }
    }
    throw new IllegalStateException("not a layer of the model: " + layer.describe());
  }

  /** tf-keras's hard_sigmoid is clip(0.2 x + 0.5, 0, 1), not Keras 3's relu6(x + 3) / 6 that this program computes. */
  private static void refuseKeras2HardSigmoid(KerasConfig level) {
    for (LayerConfig c : level.layers()) {
      if ("hard_sigmoid".equals(c.activationName())) {
        throw c.error("activation 'hard_sigmoid' of Keras 2 (clip(0.2 x + 0.5, 0, 1)) is not supported; "
            + "Keras 3's hard_sigmoid is");
      }
      if (c.nested() != null) {
        refuseKeras2HardSigmoid(c.nested());
      }
    }
  }

  private void collectTrainingOnly(KerasConfig level) {
    for (LayerConfig c : level.layers()) {
      trainingOnly.addAll(c.trainingOnly());
      if (c.nested() != null) {
        collectTrainingOnly(c.nested());
      }
    }
  }

  /** How the file says to train it (Keras's compile settings), or the notebook's where it says nothing. */
  public CompileSettings compileSettings() {
    return CompileSettings.read(file);
  }

  public Weights weights() {
    return weights;
  }

  /**
   * Options of the file that change training and that training here does not support (kinds of
   * regularizers and constraints other than Keras's built-in ones), one line each naming the layer;
   * empty when there are none.
   */
  public List<String> unsupportedForTraining() {
    return List.copyOf(trainingOnly);
  }

  /**
   * The file's weights for {@code target} (e.g. a {@code train --model} architecture), which must
   * have the same layers computing the same way; Dropout rates may differ, as they do not change
   * the weights.
   */
  public Weights weightsFor(Model target) {
    List<Component> own = create().layers();
    List<Component> other = target.layers();
    for (int i = 0; i < Math.max(own.size(), other.size()); i++) {
      String mine = i < own.size() ? own.get(i).describe() : "nothing";
      String theirs = i < other.size() ? other.get(i).describe() : "nothing";
      boolean bothDropout = i < own.size() && i < other.size() && own.get(i) instanceof Dropout
          && other.get(i) instanceof Dropout;
      if (!bothDropout && !mine.equals(theirs)) {
        throw new DigitsException(file.path() + ": its layers do not match model '" + target.name() + "': layer "
            + (i + 1) + " is " + mine + " in the file but " + theirs + " in the model");
      }
    }
    return weights;
  }

  /** The output shape, e.g. [-1, 10]. */
  public Shape outputShape() {
    return outputShape;
  }

  /** True when the model ends in softmax (a classifier whose output is probabilities). */
  public boolean classifier() {
    return classifier;
  }

  /** E.g. {@code Keras 3 .keras (keras 3.15.1), model 'simple'}. */
  public String description() {
    return file.format() + ", model '" + config.modelName() + "'";
  }

  /** One line per layer: position, Keras name and class, and what it became here. */
  public List<String> summary() {
    Map<Model, List<Component>> parts = new IdentityHashMap<>();
    Model model = build(config, scopeName(config.modelName()), parts);
    List<String> lines = new ArrayList<>();
    lines.add("input " + config.inputShape());
    List<String> names = config.layers().stream().map(c -> c.name() + " (" + c.className() + ")").toList();
    int width = names.stream().mapToInt(String::length).max().orElse(0);
    for (int i = 0; i < names.size(); i++) {
      lines.add(String.format("%2d %-" + width + "s  %s%s", config.layers().get(i).position(), names.get(i),
          parts.get(model).get(i).describe(), inputsOf(i)));
    }
    return lines;
  }

  /** {@code  <- a, b} naming the layers that layer {@code index} takes its inputs from, where it is not a chain step. */
  private String inputsOf(int index) {
    List<KerasConfig.Application> apps = config.applications();
    List<String> calls = new ArrayList<>();
    for (int a = 0; a < apps.size(); a++) {
      if (apps.get(a).layer() == index) {
        boolean chain = apps.get(a).inputs().equals(List.of(a - 1))
            && (a == 0 || apps.get(a - 1).layer() == index - 1);
        if (!chain || calls.size() > 0) {
          calls.add(apps.get(a).inputs().stream()
              .map(i -> i < 0 ? "input" : config.layers().get(apps.get(i).layer()).name())
              .collect(Collectors.joining(", ")));
        } else {
          calls.add(null);
        }
      }
    }
    return calls.size() == 1 && calls.get(0) == null ? ""
        : "  <- " + calls.stream().map(c -> c == null ? "(previous)" : c).collect(Collectors.joining(" | "));
  }

  /** The file's arrays for each layer, matched to the variables that layer created here, in the model's variable order. */
  private Weights weights(Model model, Map<Model, List<Component>> parts) {
    Map<Parameters.Parameter, Weights.Value> matched = new IdentityHashMap<>();
    match(model, config, parts, List.of(), List.of(), matched);
    return new Weights(model.parameters().all().stream().map(matched::get).toList());
  }

  private void match(Model model, KerasConfig level, Map<Model, List<Component>> parts, List<String> outerNames,
      List<String> outerKeys, Map<Parameters.Parameter, Weights.Value> matched) {
    for (int i = 0; i < level.layers().size(); i++) {
      LayerConfig c = level.layers().get(i);
      Component layer = parts.get(model).get(i);
      List<String> names = Stream.concat(outerNames.stream(), Stream.of(c.name())).toList();
      List<String> keys = Stream.concat(outerKeys.stream(), Stream.of(c.savingKey())).toList();
      if (c.nested() != null) {
        match((Model) layer, c.nested(), parts, names, keys, matched);
        continue;
      }
      List<Parameters.Parameter> params = model.parameters(model.indexOf(layer));
      List<KerasFile.Array> arrays = file.arrays(names, keys);
      if (arrays.size() != params.size()) {
        throw c.error("the file holds " + arrays.size() + " weight arrays for it ("
            + arrays.stream().map(a -> a.name() == null ? a.shape().toString() : a.name()).collect(Collectors.joining(", "))
            + "), the layer needs " + params.size() + " ("
            + params.stream().map(KerasModel::localName).collect(Collectors.joining(", ")) + ")");
      }
      for (int j = 0; j < params.size(); j++) {
        Parameters.Parameter p = params.get(j);
        String local = localName(p);
        KerasFile.Array array = arrays.get(j).name() == null ? arrays.get(j)
            : arrays.stream().filter(a -> sameVariable(local, a.name())).findFirst()
                .orElseThrow(() -> c.error("the file has no '" + local + "' weight for it"));
        if (!array.shape().equals(p.shape())) {
          throw c.error("weight '" + local + "' has shape " + array.shape() + " in the file, the layer needs " + p.shape());
        }
        matched.put(p, new Weights.Value(String.join("/", names) + "/" + local, array.shape(), array.data()));
      }
    }
  }

  /** tf-keras names DepthwiseConv2D's kernel {@code depthwise_kernel}, Keras 3 {@code kernel}. */
  private static boolean sameVariable(String local, String inFile) {
    return local.equals(inFile) || local.equals("kernel") && "depthwise_kernel".equals(inFile);
  }

  /** {@code model/03_conv2d/kernel} -> {@code kernel}: the Keras name the layer gave its variable. */
  private static String localName(Parameters.Parameter p) {
    return p.name().substring(p.name().lastIndexOf('/') + 1);
  }

  /** A TensorFlow scope name from a Keras model name. */
  private static String scopeName(String name) {
    return name.matches("[A-Za-z0-9.][A-Za-z0-9_.\\-]*") ? name : "keras_model";
  }

  public Path path() {
    return file.path();
  }
}
