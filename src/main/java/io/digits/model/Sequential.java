package io.digits.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Keras {@code Sequential} model over 28x28 images: a list of layers. {@link #build} creates the
 * variables in one graph; {@link #logits}, {@link #probabilities} and {@link #output} add the
 * forward pass (training or inference).
 *
 * <p>A classifier ends in softmax, either {@code Dense(n, softmax)} (the notebook's models) or a
 * trailing {@code Activation(softmax)} layer (common in Keras files). Only a classifier can be
 * trained: its loss is computed from the logits (softmax cross-entropy in one stable op), as Keras
 * does when a softmax output feeds categorical cross-entropy inside {@code fit}. Any other model
 * can still score images through {@link #output}.
 *
 * <p>The images come in as [-1,28,28,1]; a model declared on another layout of the same 784 values
 * per row ((-1,28,28) or (-1,784), as Keras files often are) sees them reshaped to it first.
 */
public final class Sequential {
  public static final Shape INPUT_SHAPE = Shape.of(-1, 28, 28, 1);

  private final String name;
  private final Shape inputShape;
  private final List<Layer> layers;
  private final Parameters params = new Parameters();
  private final List<List<Parameters.Parameter>> layerParams = new ArrayList<>();
  private final List<Shape> layerInputs = new ArrayList<>();
  private Shape outputShape;

  public Sequential(String name, List<Layer> layers) {
    this(name, INPUT_SHAPE, layers);
  }

  public Sequential(String name, Shape inputShape, List<Layer> layers) {
    if (layers.isEmpty()) {
      throw new IllegalArgumentException(name + ": a model needs at least one layer");
    }
    long values = 1;
    for (int i = 1; i < inputShape.numDimensions(); i++) {
      values *= inputShape.size(i);
    }
    if (inputShape.size(0) != -1 || values != INPUT_SHAPE.size(1) * INPUT_SHAPE.size(2)) {
      throw new IllegalArgumentException(name + ": input " + inputShape + " does not hold one 28x28 image per row");
    }
    this.name = name;
    this.inputShape = inputShape;
    this.layers = List.copyOf(layers);
  }

  /** Creates every layer's variables under the scope {@code name}. */
  public Sequential build(Ops tf) {
    Shape shape = inputShape;
    Ops scoped = tf.withSubScope(name);
    for (int i = 0; i < layers.size(); i++) {
      int before = params.all().size();
      layerInputs.add(shape);
      try {
        shape = layers.get(i).build(scoped.withSubScope(layerName(i)), shape, params);
      } catch (IllegalArgumentException e) {
        throw new LayerShapeException(i, e.getMessage());
      }
      if (java.util.Arrays.stream(shape.asArray()).skip(1).anyMatch(d -> d < 1)) {
        throw new LayerShapeException(i, "its output " + shape + " is empty");
      }
      layerParams.add(params.all().subList(before, params.all().size()));
    }
    outputShape = shape;
    return this;
  }

  /** A layer that cannot take the shape its predecessor gives (a Keras file's layers may not fit). */
  public static final class LayerShapeException extends IllegalArgumentException {
    private final int index;

    LayerShapeException(int index, String message) {
      super("layer " + index + ": " + message);
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
    Layer last = layers.get(layers.size() - 1);
    return last instanceof Dense d && d.activation() == Activation.SOFTMAX
        || last instanceof ActivationLayer a && a.activation() == Activation.SOFTMAX;
  }

  /** The pre-softmax scores [batch, classes] for NHWC images in [0, 1]; classifiers only. */
  public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> images, boolean training) {
    if (!classifier()) {
      throw new IllegalStateException(name + ": the model does not end in softmax, so it has no logits");
    }
    Operand<TFloat32> x = through(tf, images, layers.size() - 1, training);
    return layers.get(layers.size() - 1) instanceof Dense head ? head.preActivation(tf, x) : x;
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
    return classifier() ? probabilities(tf, images, training) : through(tf, images, layers.size(), training);
  }

  private Operand<TFloat32> through(Ops tf, Operand<TFloat32> images, int count, boolean training) {
    if (outputShape == null) {
      throw new IllegalStateException("build the model before calling it");
    }
    // Shape.equals is false for unknown (batch) dimensions, so compare the dimensions themselves.
    boolean asFed = java.util.Arrays.equals(inputShape.asArray(), INPUT_SHAPE.asArray());
    Operand<TFloat32> x = asFed ? images : tf.reshape(images, tf.constant(inputShape.asArray()));
    for (int i = 0; i < count; i++) {
      x = layers.get(i).call(tf, x, training);
    }
    return x;
  }

  public Parameters parameters() {
    return params;
  }

  /** The variables layer {@code index} created, in creation order (after {@link #build}). */
  public List<Parameters.Parameter> parameters(int index) {
    return layerParams.get(index);
  }

  /** The shape layer {@code index} takes (batch dim -1), after {@link #build}. */
  public Shape inputShape(int index) {
    return layerInputs.get(index);
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

  public List<Layer> layers() {
    return layers;
  }

  /** Keras-like summary lines: one per layer. */
  public List<String> summary() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      lines.add(layerName(i) + "  " + layers.get(i).describe());
    }
    return lines;
  }

  private String layerName(int i) {
    return String.format("%02d_%s", i, layers.get(i).getClass().getSimpleName().toLowerCase());
  }
}
