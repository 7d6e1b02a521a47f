package io.digits.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Keras Functional model over 28x28 images: a graph of layer applications (nodes) from one image
 * input to one output. Define one with {@link #builder}: {@code apply} a layer to tensors, which gives
 * a new tensor, then name the {@code output}. A layer applied to several tensors is built once and
 * shares its variables; a model is itself a {@link Layer}, so models nest. {@link Sequential} is the
 * chain special case.
 *
 * <p>{@link #build} creates the variables in one graph; {@link #logits}, {@link #probabilities} and
 * {@link #output} add the forward pass (training or inference).
 *
 * <p>A classifier ends in softmax: {@code Dense(n, softmax)}, an {@code Activation(softmax)} or
 * {@code Softmax} layer, or a nested classifier model. Only a classifier can be trained: its loss is
 * computed from the logits (softmax cross-entropy in one stable op), as Keras does when a softmax
 * output feeds categorical cross-entropy inside {@code fit}. Any other model can still score images
 * through {@link #output}.
 *
 * <p>The images come in as [-1,28,28,1]; a model declared on another layout of the same 784 values
 * per row ((-1,28,28) or (-1,784), as Keras files often are) sees them reshaped to it first.
 */
public class Model implements Layer {
  public static final Shape INPUT_SHAPE = Shape.of(-1, 28, 28, 1);

  /** A tensor of a model being defined: the output of one node of its builder. */
  public record Tensor(Builder owner, int node) {}

  /** One application of {@code layer} to the outputs of the nodes {@code inputs} (node 0 is the model input). */
  public record Node(Component layer, List<Integer> inputs) {}

  private final String name;
  private final Shape inputShape;
  private final List<Component> layers;
  private final List<Node> nodes;
  private final Map<Component, Map<String, Regularizer>> regularizers = new IdentityHashMap<>();
  private final Map<Component, Map<String, Constraint>> constraints = new IdentityHashMap<>();
  private final Map<Component, Regularizer> activityRegularizers = new IdentityHashMap<>();
  private List<Operand<TFloat32>> activityLosses = List.of();
  private Parameters params;
  private List<List<Parameters.Parameter>> layerParams;
  private List<List<Shape>> layerInputs;
  private List<Shape> layerOutputs;
  private Shape outputShape;

  /** Defines a model on the usual [-1, 28, 28, 1] images. */
  public static Builder builder(String name) {
    return new Builder(name, INPUT_SHAPE);
  }

  /** Defines a model on another layout of one 28x28 image per row, e.g. [-1, 784]. */
  public static Builder builder(String name, Shape inputShape) {
    return new Builder(name, inputShape);
  }

  /** Records layer applications, as Keras's functional API does with symbolic tensors. */
  public static final class Builder {
    private final String name;
    private final Shape inputShape;
    private final List<Node> nodes = new ArrayList<>(List.of(new Node(null, List.of())));

    private Builder(String name, Shape inputShape) {
      this.name = name;
      this.inputShape = inputShape;
    }

    /** The model's image input. */
    public Tensor input() {
      return new Tensor(this, 0);
    }

    public Tensor apply(Layer layer, Tensor x) {
      return add(layer, List.of(x));
    }

    public Tensor apply(Merge merge, Tensor... inputs) {
      return add(merge, List.of(inputs));
    }

    public Tensor apply(Merge merge, List<Tensor> inputs) {
      return add(merge, inputs);
    }

    private Tensor add(Component layer, List<Tensor> inputs) {
      List<Integer> ids = new ArrayList<>();
      for (Tensor t : inputs) {
        if (t.owner() != this) {
          throw new IllegalArgumentException(name + ": a tensor of another model was passed to " + layer.describe());
        }
        ids.add(t.node());
      }
      nodes.add(new Node(layer, ids));
      return new Tensor(this, nodes.size() - 1);
    }

    /** The model from the input to {@code output}; applications that do not lead to it are dropped. */
    public Model output(Tensor output) {
      if (output.owner() != this) {
        throw new IllegalArgumentException(name + ": the output is a tensor of another model");
      }
      return new Model(name, inputShape, nodes.subList(0, output.node() + 1));
    }
  }

  /** A model of the nodes {@code nodes} (in an order where inputs come first), whose output is the last one. */
  Model(String name, Shape inputShape, List<Node> nodes) {
    if (inputShape.size(0) != -1) {
      throw new IllegalArgumentException(name + ": input " + inputShape + " has no batch dimension (-1) first");
    }
    if (nodes.size() < 2) {
      throw new IllegalArgumentException(name + ": a model needs at least one layer");
    }
    this.name = name;
    this.inputShape = inputShape;
    this.nodes = reachable(nodes);
    List<Component> distinct = new ArrayList<>();
    for (Node n : this.nodes.subList(1, this.nodes.size())) {
      if (distinct.stream().noneMatch(l -> l == n.layer())) {
        distinct.add(n.layer());
      }
    }
    this.layers = List.copyOf(distinct);
  }

  /** A chain: each layer applied to the previous one's output (what {@link Sequential} is). */
  static List<Node> chain(List<? extends Layer> layers) {
    List<Node> nodes = new ArrayList<>(List.of(new Node(null, List.of())));
    for (int i = 0; i < layers.size(); i++) {
      nodes.add(new Node(layers.get(i), List.of(i)));
    }
    return nodes;
  }

  /** The nodes the last one depends on, renumbered in their order. */
  private static List<Node> reachable(List<Node> nodes) {
    boolean[] needed = new boolean[nodes.size()];
    needed[nodes.size() - 1] = true;
    needed[0] = true;
    for (int i = nodes.size() - 1; i > 0; i--) {
      if (needed[i]) {
        nodes.get(i).inputs().forEach(j -> needed[j] = true);
      }
    }
    int[] renumbered = new int[nodes.size()];
    List<Node> kept = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (needed[i]) {
        renumbered[i] = kept.size();
        Node n = nodes.get(i);
        kept.add(new Node(n.layer(), n.inputs().stream().map(j -> renumbered[j]).toList()));
      }
    }
    return List.copyOf(kept);
  }

  /**
   * Gives variable {@code variable} (its Keras name: kernel, bias, gamma, ...) of {@code layer} a
   * {@link Regularizer} or a {@link Constraint}, as Keras's {@code kernel_regularizer=...} and
   * {@code kernel_constraint=...} do; before {@link #build}. A layer without that variable ignores it
   * (e.g. a bias regularizer where {@code use_bias=False}), as Keras does.
   */
  public Model regularize(Component layer, String variable, Regularizer regularizer) {
    indexOf(layer); // a layer of this model
    regularizers.computeIfAbsent(layer, l -> new java.util.LinkedHashMap<>()).put(variable, regularizer);
    return this;
  }

  /** The regularizers {@link #regularize} gave {@code layer}'s variables, by variable name. */
  public Map<String, Regularizer> regularizers(Component layer) {
    return Collections.unmodifiableMap(regularizers.getOrDefault(layer, Map.of()));
  }

  /** The constraints {@link #constrain} gave {@code layer}'s variables, by variable name. */
  public Map<String, Constraint> constraints(Component layer) {
    return Collections.unmodifiableMap(constraints.getOrDefault(layer, Map.of()));
  }

  /** {@code layer}'s activity regularizer ({@link #regularizeActivity}), or null. */
  public Regularizer activityRegularizer(Component layer) {
    return activityRegularizers.get(layer);
  }

  /**
   * Gives {@code layer}'s output a {@link Regularizer}, as Keras's {@code activity_regularizer=...}:
   * in training, its penalty on the output, divided by the batch size, joins the loss.
   */
  public Model regularizeActivity(Component layer, Regularizer regularizer) {
    indexOf(layer); // a layer of this model
    activityRegularizers.put(layer, regularizer);
    return this;
  }

  /**
   * The activity penalties of the last forward pass built in training mode (Keras adds them to
   * {@code model.losses} as the layers run); empty for a model without activity regularizers.
   */
  public List<Operand<TFloat32>> activityLosses() {
    return activityLosses;
  }

  /** See {@link #regularize}. */
  public Model constrain(Component layer, String variable, Constraint constraint) {
    indexOf(layer); // a layer of this model
    constraints.computeIfAbsent(layer, l -> new java.util.LinkedHashMap<>()).put(variable, constraint);
    return this;
  }

  /** The weight penalties of the regularized variables, to add to the training loss (Keras's {@code model.losses}). */
  public List<Operand<TFloat32>> losses(Ops tf) {
    return params.losses(tf);
  }

  /** Creates every layer's variables under the scope {@code name}; the input must hold one 28x28 image per row. */
  public Model build(Ops tf) {
    if (Arrays.stream(inputShape.asArray()).skip(1).reduce(1, (a, b) -> a * b) != INPUT_SHAPE.size(1) * INPUT_SHAPE.size(2)) {
      throw new IllegalArgumentException(name + ": input " + inputShape + " does not hold one 28x28 image per row");
    }
    buildNodes(tf.withSubScope(name), new Parameters());
    return this;
  }

  /** As a layer of another model: its variables go with the outer model's. */
  @Override
  public Shape build(Ops tf, Shape input, Parameters outer) {
    if (!Arrays.equals(input.asArray(), inputShape.asArray())) {
      throw new IllegalArgumentException(describe() + " takes " + inputShape + ", got " + input);
    }
    buildNodes(tf, outer);
    return outputShape;
  }

  private void buildNodes(Ops tf, Parameters into) {
    params = into;
    layerParams = new ArrayList<>(Collections.nCopies(layers.size(), null));
    layerInputs = new ArrayList<>(Collections.nCopies(layers.size(), null));
    layerOutputs = new ArrayList<>(Collections.nCopies(layers.size(), null));
    List<Shape> shapes = new ArrayList<>(List.of(inputShape));
    for (Node node : nodes.subList(1, nodes.size())) {
      int index = indexOf(node.layer());
      List<Shape> in = node.inputs().stream().map(shapes::get).toList();
      try {
        if (layerInputs.get(index) == null) {
          int before = params.all().size();
          Ops scoped = tf.withSubScope(layerName(index));
          Shape out = node.layer() instanceof Layer l ? l.build(scoped, in.get(0), params)
              : ((Merge) node.layer()).build(scoped, in, params);
          if (Arrays.stream(out.asArray()).skip(1).anyMatch(d -> d < 1)) {
            throw new IllegalArgumentException("its output " + out + " is empty");
          }
          layerParams.set(index, params.all().subList(before, params.all().size()));
          attachWeightOptions(node.layer(), layerParams.get(index));
          layerInputs.set(index, in);
          layerOutputs.set(index, out);
        } else if (!sameShapes(layerInputs.get(index), in)) {
          throw new IllegalArgumentException("a shared layer is applied to " + in + " after " + layerInputs.get(index));
        }
      } catch (IllegalArgumentException e) {
        throw e instanceof LayerShapeException s && s.model == this ? s : new LayerShapeException(this, index, e.getMessage());
      }
      shapes.add(layerOutputs.get(index));
    }
    outputShape = shapes.get(shapes.size() - 1);
  }

  private void attachWeightOptions(Component layer, List<Parameters.Parameter> created) {
    for (Parameters.Parameter p : created) {
      String variable = p.name().substring(p.name().lastIndexOf('/') + 1);
      Regularizer r = regularizers(layer).get(variable);
      Constraint c = constraints(layer).get(variable);
      if (r != null) {
        params.penalize(p, r);
      }
      if (c != null) {
        params.constrain(p, c);
      }
    }
  }

  private static boolean sameShapes(List<Shape> a, List<Shape> b) {
    // Shape.equals is false for unknown (batch) dimensions, so compare the dimensions themselves.
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i).asArray(), b.get(i).asArray())) {
        return false;
      }
    }
    return a.size() == b.size();
  }

  /** True when each layer is applied once, to the previous one's output: what Keras's Sequential holds. */
  public boolean chain() {
    for (int i = 1; i < nodes.size(); i++) {
      if (!(nodes.get(i).layer() instanceof Layer) || !nodes.get(i).inputs().equals(List.of(i - 1))) {
        return false;
      }
    }
    return nodes.size() - 1 == layers.size();
  }

  /** The shapes layer {@code index} takes (batch dim -1), after {@link #build}. */
  public List<Shape> inputShapes(int index) {
    return layerInputs.get(index);
  }

  /** The shape layer {@code index} gives (batch dim -1), after {@link #build}. */
  public Shape outputShape(int index) {
    return layerOutputs.get(index);
  }

  /** The position of {@code layer} in {@link #layers()}. */
  public int indexOf(Component layer) {
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) == layer) {
        return i;
      }
    }
    throw new IllegalStateException(layer.describe() + " is not a layer of " + name);
  }

  /** A layer that cannot take the shape its inputs give (a Keras file's layers may not fit). */
  public static final class LayerShapeException extends IllegalArgumentException {
    private final transient Model model;
    private final int index;

    LayerShapeException(Model model, int index, String message) {
      super("layer " + index + ": " + message);
      this.model = model;
      this.index = index;
    }

    /** The layer's position in {@link #layers()}. */
    public int index() {
      return index;
    }

    /** The message without the layer position. */
    public String reason() {
      return getMessage().substring(getMessage().indexOf(": ") + 2);
    }
  }

  /** True when the model ends in softmax, so that it has logits and can be trained. */
  public boolean classifier() {
    Component last = nodes.get(nodes.size() - 1).layer();
    return last instanceof Dense d && d.activation() == Activation.SOFTMAX
        || last instanceof ActivationLayer a && a.activation() == Activation.SOFTMAX
        || last instanceof Softmax
        || last instanceof Model m && m.classifier();
  }

  /** The pre-softmax scores [batch, classes] for images in [0, 1]; classifiers only. */
  public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> images, boolean training) {
    if (!classifier()) {
      throw new IllegalStateException(name + ": the model does not end in softmax, so it has no logits");
    }
    return run(tf, images, training, true);
  }

  /** Softmax probabilities: what Keras's {@code model(x)} returns for a classifier. */
  public Operand<TFloat32> probabilities(Ops tf, Operand<TFloat32> images, boolean training) {
    return tf.nn.softmax(logits(tf, images, training));
  }

  /**
   * What Keras's {@code model(x)} returns, for any model: the probabilities of a classifier (through
   * its logits, as the exported graph computes them), else the last layer's output.
   */
  public Operand<TFloat32> output(Ops tf, Operand<TFloat32> images, boolean training) {
    return classifier() ? probabilities(tf, images, training) : run(tf, images, training, false);
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    return run(tf, x, training, false);
  }

  /** Every node in order; with {@code logits}, the last one stops before its softmax. */
  private Operand<TFloat32> run(Ops tf, Operand<TFloat32> images, boolean training, boolean logits) {
    if (outputShape == null) {
      throw new IllegalStateException("build the model before calling it");
    }
    boolean asFed = Arrays.equals(inputShape.asArray(), images.shape().asArray())
        || Arrays.equals(inputShape.asArray(), INPUT_SHAPE.asArray());
    List<Operand<TFloat32>> values = new ArrayList<>();
    List<Operand<TFloat32>> penalties = new ArrayList<>();
    values.add(asFed ? images : tf.reshape(images, tf.constant(inputShape.asArray())));
    for (int n = 1; n < nodes.size(); n++) {
      Node node = nodes.get(n);
      List<Operand<TFloat32>> in = node.inputs().stream().map(values::get).toList();
      boolean head = logits && n == nodes.size() - 1;
      Operand<TFloat32> out = head ? logitsOf(tf, node.layer(), in.get(0), training) : apply(tf, node, in, training);
      Regularizer activity = activityRegularizers.get(node.layer());
      if (training && activity != null) {
        // Keras 3: the penalty on the layer's (activated) output, divided by the batch size
        Operand<TFloat32> activated = head ? apply(tf, node, in, training) : out;
        Operand<TFloat32> batch =
            tf.dtypes.cast(tf.gather(tf.shape(activated), tf.constant(0), tf.constant(0)), TFloat32.class);
        penalties.add(tf.math.divNoNan(activity.penalty(tf, activated), batch));
      }
      if (training && node.layer() instanceof Model nested) {
        penalties.addAll(nested.activityLosses());
      }
      values.add(out);
    }
    if (training) {
      activityLosses = List.copyOf(penalties);
    }
    return values.get(values.size() - 1);
  }

  private static Operand<TFloat32> apply(Ops tf, Node node, List<Operand<TFloat32>> in, boolean training) {
    return node.layer() instanceof Layer l ? l.call(tf, in.get(0), training)
        : ((Merge) node.layer()).call(tf, in, training);
  }

  private static Operand<TFloat32> logitsOf(Ops tf, Component head, Operand<TFloat32> x, boolean training) {
    if (head instanceof Dense d) {
      return d.preActivation(tf, x);
    }
    return head instanceof Model m ? m.logits(tf, x, training) : x; // Activation(softmax), Softmax
  }

  public Parameters parameters() {
    return params;
  }

  /** The variables layer {@code index} created, in creation order (after {@link #build}). */
  public List<Parameters.Parameter> parameters(int index) {
    return layerParams.get(index);
  }

  /** The output shape (batch dim -1), after {@link #build}. */
  public Shape outputShape() {
    return outputShape;
  }

  public Shape inputShape() {
    return inputShape;
  }

  public String name() {
    return name;
  }

  /** Every layer application in an order where inputs come first; node 0 is the input (no layer), the last the output. */
  public List<Node> nodes() {
    return nodes;
  }

  /** Every distinct layer, in the order of their first application. */
  public List<Component> layers() {
    return layers;
  }

  /** Keras-like summary lines: one per layer application, with the layers it takes its inputs from. */
  public List<String> summary() {
    List<String> lines = new ArrayList<>();
    for (int n = 1; n < nodes.size(); n++) {
      Node node = nodes.get(n);
      String line = layerName(indexOf(node.layer())) + "  " + node.layer().describe();
      if (!node.inputs().equals(List.of(n - 1))) {
        line += "  <- " + node.inputs().stream()
            .map(i -> i == 0 ? "input" : layerName(indexOf(nodes.get(i).layer()))).toList();
      }
      lines.add(line);
    }
    return lines;
  }

  @Override
  public String describe() {
    return getClass().getSimpleName() + "('" + name + "', " + layers.size() + " layers)";
  }

  private String layerName(int i) {
    return String.format("%02d_%s", i, layers.get(i).getClass().getSimpleName().toLowerCase());
  }
}
