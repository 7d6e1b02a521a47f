package io.digits.train;

import io.digits.model.Parameters;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
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

    /** By Keras class name, as {@link #keras} writes it. */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Kind byKeras(String name) {
      return java.util.Arrays.stream(values()).filter(k -> k.keras().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown optimizer '" + name + "'"));
    }

    public Optimizer create(float learningRate) {
      return this == RMSPROP ? new RmsProp(learningRate) : new Adam(learningRate);
    }

    @com.fasterxml.jackson.annotation.JsonValue
    public String keras() {
      return this == RMSPROP ? "RMSprop" : "Adam";
    }

    /**
     * The suffixes of the slots that hold one parameter's state, in the order Keras 3 keeps that
     * state per variable (RMSprop: velocity; Adam: momentum, velocity); see {@link #slotName}.
     * RMSprop's momentum slot is left out: at momentum 0 it stays 0 and Keras has none.
     */
    public List<String> kerasSlots() {
      return this == RMSPROP ? List.of(RmsProp.VELOCITY) : List.of(Adam.MOMENTUM, Adam.VELOCITY);
    }
  }

  /** The name of {@code parameter}'s slot with {@code suffix} (made unique per parameter, without the optimizer's scope). */
  static String slotName(Parameters.Parameter parameter, String suffix) {
    return parameter.name().replace('/', '_') + suffix;
  }

  /** The learning rate when none is fed. */
  float learningRate();

  /** How one training step updates the parameters; made once per graph by {@link #stepUpdates}. */
  interface StepUpdates {
    /** One parameter's update from its gradient (its slots are created here). */
    Op update(Parameters.Parameter parameter, Operand<TFloat32> gradient);

    /** The op that ends the step once every update has run. */
    default Op finish(Ops tf, List<Op> updates) {
      return tf.withControlDependencies(updates).noOp();
    }
  }

  /**
   * The updates of this optimizer. {@code tf} creates its state in {@code slots} (zero-initialized;
   * these must not wait for the gradients, so that they can be set alone), {@code afterGradients}
   * builds the ops that wait for every gradient; {@code learningRate} may be fed.
   */
  StepUpdates stepUpdates(Ops tf, Ops afterGradients, Parameters slots, Operand<TFloat32> learningRate);

  /**
   * Adds one update of {@code params} at {@code learningRate}; the optimizer's state (accumulators,
   * step counter) goes into {@code slots}, so that checkpoints hold it. Every update waits for every
   * gradient: otherwise an update can run while a backward op still reads the weight it changes.
   */
  default Op minimize(Ops tf, Operand<TFloat32> loss, List<Parameters.Parameter> params, Parameters slots,
      Operand<TFloat32> learningRate) {
    List<Operand<?>> variables = new ArrayList<>();
    params.forEach(p -> variables.add(p.variable()));
    var gradients = tf.gradients(loss, variables);
    List<Operation> gradientOps = new ArrayList<>();
    gradients.dy().forEach(g -> gradientOps.add(g.op()));
    StepUpdates step = stepUpdates(tf, tf.withControlDependencyOps(gradientOps), slots, learningRate);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      updates.add(step.update(params.get(i), gradients.dy(i)));
    }
    return step.finish(tf, updates);
  }

  /** {@link #minimize(Ops, Operand, List, Parameters, Operand)} at this optimizer's own rate. */
  default Op minimize(Ops tf, Operand<TFloat32> loss, List<Parameters.Parameter> params, Parameters slots) {
    return minimize(tf, loss, params, slots, tf.constant(learningRate()));
  }
}
