package io.digits.model;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The models {@code train --model} knows. {@code simple} and {@code double-conv} are the reference
 * notebook's, layer for layer (PRODUCT.md section 2); do not change them.
 */
public enum Architecture {
  SIMPLE("simple") {
    @Override
    List<Layer> layers(float dropout) {
      return List.of(
          new Flatten(),
          new Dense(256, Activation.RELU),
          new Dropout(dropout, 1),
          new Dense(10, Activation.SOFTMAX));
    }
  },
  DOUBLE_CONV("double-conv") {
    @Override
    List<Layer> layers(float dropout) {
      return List.of(
          new Conv2D(32, 5, Padding.SAME, Activation.RELU),
          new MaxPool2D(2),
          new Conv2D(64, 3, Padding.SAME, Activation.RELU),
          new MaxPool2D(2, 2, Padding.VALID),
          new Flatten(),
          new Dense(256, Activation.RELU),
          new Dropout(dropout, 1),
          new Dense(10, Activation.SOFTMAX));
    }
  };

  /** The notebook's dropout rate. */
  public static final float NOTEBOOK_DROPOUT = 0.5f;

  private final String cliName;

  Architecture(String cliName) {
    this.cliName = cliName;
  }

  abstract List<Layer> layers(float dropout);

  /** A fresh, unbuilt model with this dropout rate (layers are built into one graph each). */
  public Sequential create(float dropout) {
    return new Sequential(cliName, layers(dropout));
  }

  /** A fresh, unbuilt model as the notebook defines it. */
  public Sequential create() {
    return create(NOTEBOOK_DROPOUT);
  }

  public String cliName() {
    return cliName;
  }

  public static Architecture byName(String name) {
    return Arrays.stream(values())
        .filter(a -> a.cliName.equals(name))
        .findFirst()
        .orElseThrow(() -> new io.digits.DigitsException("unknown model '" + name + "'; known: " + names()));
  }

  public static String names() {
    return Arrays.stream(values()).map(Architecture::cliName).collect(Collectors.joining(", "));
  }
}
