package io.digits.bench.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.training.optimizer.Optimizer;
import java.util.HashMap;
import java.util.Map;

/**
 * RMSprop as Keras computes it ({@code v = rho*v + (1-rho)*g^2; w -= lr*g/sqrt(v + eps)}, v from 0),
 * written from array ops: DJL's own RmsProp calls an engine op that the PyTorch engine does not
 * implement ("Not implemented", MEASUREMENTS.md).
 */
final class KerasRmsProp extends Optimizer {
  private final float learningRate;
  private final float rho;
  private final float epsilon;
  private final Map<String, NDArray> accumulators = new HashMap<>();

  KerasRmsProp(float learningRate, float rho, float epsilon) {
    super(new Builder());
    this.learningRate = learningRate;
    this.rho = rho;
    this.epsilon = epsilon;
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    NDArray v = accumulators.computeIfAbsent(parameterId, id -> weight.zerosLike());
    try (NDArray g2 = grad.square()) {
      v.muli(rho).addi(g2.muli(1 - rho));
    }
    try (NDArray denominator = v.add(epsilon);
        NDArray root = denominator.sqrt();
        NDArray step = grad.div(root)) {
      weight.subi(step.muli(learningRate));
    }
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
