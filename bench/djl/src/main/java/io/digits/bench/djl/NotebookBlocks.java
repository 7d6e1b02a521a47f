package io.digits.bench.djl;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;

/**
 * The notebook's two models in DJL, layer for layer (PRODUCT.md section 2), in PyTorch's NCHW
 * layout. The softmax is left to the loss (softmax cross-entropy from the scores), as Keras fuses
 * it inside {@code fit}.
 */
final class NotebookBlocks {
  private NotebookBlocks() {}

  static Block byName(String name) {
    return switch (name) {
      case "simple" -> simple();
      case "double-conv" -> doubleConv();
      default -> throw new IllegalArgumentException("unknown model " + name);
    };
  }

  private static Block simple() {
    return new SequentialBlock()
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(256).build())
        .add(Activation::relu)
        .add(Dropout.builder().optRate(0.5f).build())
        .add(Linear.builder().setUnits(10).build());
  }

  private static Block doubleConv() {
    return new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).optPadding(new Shape(2, 2)).setFilters(32).build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(64).build())
        .add(Activation::relu)
        .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(256).build())
        .add(Activation::relu)
        .add(Dropout.builder().optRate(0.5f).build())
        .add(Linear.builder().setUnits(10).build());
  }
}
