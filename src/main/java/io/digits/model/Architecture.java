package io.digits.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The models {@code train --model} knows. {@code simple} and {@code double-conv} are the reference
 * notebook's, layer for layer (PRODUCT.md section 2); do not change them. {@code bn-cnn} goes beyond
 * the notebook (issue 8): the deeper batch-normalized CNN with in-graph augmentation that Kaggle's
 * strongest single models use.
 */
public enum Architecture {
  SIMPLE("simple", Architecture.NOTEBOOK_DROPOUT) {
    @Override
    List<Layer> layers(float dropout) {
      return List.of(
          new Flatten(),
          new Dense(256, Activation.RELU),
          new Dropout(dropout, 1),
          new Dense(10, Activation.SOFTMAX));
    }
  },
  DOUBLE_CONV("double-conv", Architecture.NOTEBOOK_DROPOUT) {
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
  },
  /**
   * Augmentation (rotation +-6 deg, zoom +-6 %, shift +-6 %), then two stages of
   * Conv(3x3)-Conv(3x3)-Conv(5x5, stride 2) at 32 and 64 filters, each conv followed by
   * BatchNormalization (trained with TF's fused kernel) and ReLU (so the convs carry no bias),
   * Dropout (0.1) after each stage and after Dense(128)-BN-ReLU, Dense(10, softmax). Augmentation
   * and dropout are issue 19's short-recipe strengths (they were 10 deg/10 % and 0.4 for 20 epochs).
   */
  BN_CNN("bn-cnn", 0.1f) {
    @Override
    List<Layer> layers(float dropout) {
      // Salts 0-3 give the augmentation and the three dropout layers draws of their own.
      List<Layer> layers = new ArrayList<>();
      layers.add(new RandomAffine(6f, 0.06f, 0.06f, 0));
      int[] stageFilters = {32, 64};
      for (int stage = 0; stage < stageFilters.length; stage++) {
        int filters = stageFilters[stage];
        layers.addAll(normalizedConv(filters, 3, 1, Padding.VALID));
        layers.addAll(normalizedConv(filters, 3, 1, Padding.VALID));
        layers.addAll(normalizedConv(filters, 5, 2, Padding.SAME));
        layers.add(new Dropout(dropout, stage + 1));
      }
      layers.add(new Flatten());
      layers.add(new Dense(128, Activation.LINEAR));
      layers.add(new BatchNormalization());
      layers.add(new ActivationLayer(Activation.RELU));
      layers.add(new Dropout(dropout, 3));
      layers.add(new Dense(10, Activation.SOFTMAX));
      return layers;
    }
  };

  /** The notebook's dropout rate. */
  public static final float NOTEBOOK_DROPOUT = 0.5f;

  private final String cliName;
  private final float defaultDropout;

  Architecture(String cliName, float defaultDropout) {
    this.cliName = cliName;
    this.defaultDropout = defaultDropout;
  }

  /** Conv2D (no bias: the normalization's beta is the offset) -> BatchNormalization -> ReLU. */
  private static List<Layer> normalizedConv(int filters, int kernelSize, int stride, Padding padding) {
    return List.of(new Conv2D(filters, kernelSize, stride, padding, Activation.LINEAR, false),
        new BatchNormalization().withFusedKernel(), new ActivationLayer(Activation.RELU));
  }

  abstract List<Layer> layers(float dropout);

  /** A fresh, unbuilt model with this dropout rate (layers are built into one graph each). */
  public Sequential create(float dropout) {
    return new Sequential(cliName, layers(dropout));
  }

  /** A fresh, unbuilt model with its own dropout rate (the notebook's for the notebook's models). */
  public Sequential create() {
    return create(defaultDropout);
  }

  public float defaultDropout() {
    return defaultDropout;
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
