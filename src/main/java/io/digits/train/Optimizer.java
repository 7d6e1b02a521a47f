package io.digits.train;

import io.digits.model.Parameters;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A Keras optimizer as one graph op that updates every trainable parameter. The learning rate is an
 * operand, so that a schedule can feed it per step; the optimizer's own rate is its default.
 */
public interface Optimizer {

  /** The optimizers {@code train} offers, with Keras's default hyper-parameters. */
  enum Kind {
    RMSPROP,
    ADAM;

    public Optimizer create(float learningRate) {
      return this == RMSPROP ? new RmsProp(learningRate) : new Adam(learningRate);
    }

    public String keras() {
      return this == RMSPROP ? "RMSprop" : "Adam";
    }
  }

  /** The learning rate when none is fed. */
  float learningRate();

  /**
   * Adds one update of {@code params} at {@code learningRate}; the optimizer's state (accumulators,
   * step counter) goes into {@code slots}, zero-initialized, so that checkpoints hold it.
   */
  Op minimize(Ops tf, Operand<TFloat32> loss, List<Parameters.Parameter> params, Parameters slots,
      Operand<TFloat32> learningRate);

  /** {@link #minimize(Ops, Operand, List, Parameters, Operand)} at this optimizer's own rate. */
  default Op minimize(Ops tf, Operand<TFloat32> loss, List<Parameters.Parameter> params, Parameters slots) {
    return minimize(tf, loss, params, slots, tf.constant(learningRate()));
  }

  /**
   * The ops of {@code gradients}: every update must wait for all of them, or an update can run while
   * a backward op still reads the weight it changes.
   */
  static List<Operation> gradientOps(List<Output<?>> gradients) {
    List<Operation> ops = new ArrayList<>();
    gradients.forEach(g -> ops.add(g.op()));
    return ops;
  }
}
