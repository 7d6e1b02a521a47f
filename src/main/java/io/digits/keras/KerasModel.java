package io.digits.keras;

import io.digits.DigitsException;
import io.digits.model.Dropout;
import io.digits.model.Layer;
import io.digits.model.Parameters;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/**
 * A Keras {@code .keras} or {@code .h5} model as this project's {@link Sequential} plus its
 * {@link Weights}: {@link #create} gives fresh layers for any graph (inference, export, training),
 * {@link #weights} the file's arrays in that model's {@link Parameters} order, shapes checked.
 */
public final class KerasModel {
  private final KerasFile file;
  private final KerasConfig config;
  private final Weights weights;
  private final Shape outputShape;
  private final boolean classifier;

  private KerasModel(KerasFile file, KerasConfig config) {
    this.file = file;
    this.config = config;
    try (Graph graph = new Graph()) {
      Sequential model = create();
      try {
        model.build(Ops.create(graph));
      } catch (Sequential.LayerShapeException e) {
        throw config.layers().get(e.index()).error(e.reason());
      }
      this.weights = weights(model);
      this.outputShape = model.outputShape();
      this.classifier = model.classifier();
    }
  }

  /** Reads {@code path} and checks every layer, option and weight; errors name the layer and its position. */
  public static KerasModel load(Path path) {
    KerasFile file = KerasFile.read(path);
    return new KerasModel(file, KerasConfig.parse(path.toString(), file.config()));
  }

  /** A fresh, unbuilt model with the file's layers. */
  public Sequential create() {
    List<Layer> layers = new ArrayList<>();
    for (LayerConfig c : config.layers()) {
      layers.add(LayerFactory.create(c, c.position()));
    }
    return new Sequential(scopeName(config.modelName()), config.inputShape(), layers);
  }

  public Weights weights() {
    return weights;
  }

  /**
   * The file's weights for {@code target} (e.g. a {@code train --model} architecture), which must
   * have the same layers computing the same way; Dropout rates may differ, as they do not change
   * the weights.
   */
  public Weights weightsFor(Sequential target) {
    List<Layer> own = create().layers();
    List<Layer> other = target.layers();
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
    Sequential model = create();
    List<String> lines = new ArrayList<>();
    lines.add("input " + config.inputShape());
    List<String> names = config.layers().stream().map(c -> c.name() + " (" + c.className() + ")").toList();
    int width = names.stream().mapToInt(String::length).max().orElse(0);
    for (int i = 0; i < names.size(); i++) {
      lines.add(String.format("%2d %-" + width + "s  %s", config.layers().get(i).position(), names.get(i),
          model.layers().get(i).describe()));
    }
    return lines;
  }

  /** The file's arrays for each layer, matched to the variables that layer created here. */
  private Weights weights(Sequential model) {
    List<Weights.Value> values = new ArrayList<>();
    for (int i = 0; i < config.layers().size(); i++) {
      LayerConfig c = config.layers().get(i);
      List<Parameters.Parameter> params = model.parameters(i);
      List<KerasFile.Array> arrays = file.arrays(c.name(), c.savingKey());
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
            : arrays.stream().filter(a -> local.equals(a.name())).findFirst()
                .orElseThrow(() -> c.error("the file has no '" + local + "' weight for it"));
        if (!array.shape().equals(p.shape())) {
          throw c.error("weight '" + local + "' has shape " + array.shape() + " in the file, the layer needs " + p.shape());
        }
        values.add(new Weights.Value(c.name() + "/" + local, array.shape(), array.data()));
      }
    }
    return new Weights(values);
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
