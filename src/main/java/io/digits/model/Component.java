package io.digits.model;

/**
 * Anything a {@link Model} applies to tensors: a {@link Layer} (one input, most layers) or a
 * {@link Merge} (several inputs: Add, Concatenate, ...). Keras calls both layers.
 */
public interface Component {

  /** Keras-style description, e.g. {@code Conv2D(32, 5x5, same, relu)}. */
  String describe();
}
