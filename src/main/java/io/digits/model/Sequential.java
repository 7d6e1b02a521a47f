package io.digits.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Keras {@code Sequential} classifier over 28x28x1 images: a list of layers ending in
 * {@code Dense(n, softmax)}. {@link #build} creates the variables in one graph; {@link #logits}
 * and {@link #probabilities} add the forward pass (training or inference).
 *
 * <p>The loss is computed from the logits (softmax cross-entropy in one stable op), as Keras does
 * when a softmax output feeds categorical cross-entropy inside {@code fit}.
 */
public final class Sequential {
  public static final Shape INPUT_SHAPE = Shape.of(-1, 28, 28, 1);

  private final String name;
  private final List<Layer> layers;
  private final Parameters params = new Parameters();
  private boolean built;

  public Sequential(String name, List<Layer> layers) {
    if (layers.isEmpty()
        || !(layers.get(layers.size() - 1) instanceof Dense head)
        || head.activation() != Activation.SOFTMAX) {
      throw new IllegalArgumentException(name + ": a classifier must end with Dense(n, softmax)");
    }
    this.name = name;
    this.layers = List.copyOf(layers);
  }

  /** Creates every layer's variables under the scope {@code name}; returns the output shape. */
  public Sequential build(Ops tf) {
    Shape shape = INPUT_SHAPE;
    Ops scoped = tf.withSubScope(name);
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      shape = layer.build(scoped.withSubScope(layerName(i)), shape, params);
    }
    built = true;
    return this;
  }

  /** The pre-softmax scores [batch, classes] for NHWC images in [0, 1]. */
  public Operand<TFloat32> logits(Ops tf, Operand<TFloat32> images, boolean training) {
    if (!built) {
      throw new IllegalStateException("build the model before calling it");
    }
    Operand<TFloat32> x = images;
    for (int i = 0; i < layers.size() - 1; i++) {
      x = layers.get(i).call(tf, x, training);
    }
    return head().preActivation(tf, x);
  }

  /** Softmax probabilities: what Keras's {@code model(x)} returns. */
  public Operand<TFloat32> probabilities(Ops tf, Operand<TFloat32> images, boolean training) {
    return tf.nn.softmax(logits(tf, images, training));
  }

  public Parameters parameters() {
    return params;
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

  private Dense head() {
    return (Dense) layers.get(layers.size() - 1);
  }

  private String layerName(int i) {
    return String.format("%02d_%s", i, layers.get(i).getClass().getSimpleName().toLowerCase());
  }
}
