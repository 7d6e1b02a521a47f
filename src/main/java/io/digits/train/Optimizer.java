package io.digits.train;

import io.digits.model.Initializer;
import io.digits.model.Parameters;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A Keras 3 optimizer as graph ops that update every trainable parameter once per step, in Keras's
 * order (keras/src/optimizers/base_optimizer.py, TensorFlow backend): clip the gradients, apply the
 * decoupled weight decay, run each parameter's update rule, count the step in {@code iterations}.
 * Each rule is written out op by op as Keras writes it, Python floats becoming float32 where Keras
 * converts them, so that the float32 results are Keras's: TF's fused training ops round differently
 * (e.g. {@code ApplyAdam} computes {@code 1 - beta_2} in float32, 4.7e-5 off Keras's double for
 * 0.999). RMSprop alone keeps its fused op, whose difference is one float32 step ({@link RmsProp}).
 *
 * <p>The learning rate is an operand, so that a schedule can feed it per step; {@link #learningRate}
 * is the rate when none is fed.
 */
public interface Optimizer {

  /** The optimizers {@code train} offers by name, with the settings {@code train} gives them. */
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
  }

  /** The name of {@code parameter}'s slot {@code name} (made unique per parameter, without the optimizer's scope). */
  static String slotName(Parameters.Parameter parameter, String name) {
    return parameter.name().replace('/', '_') + "_" + name;
  }

  /** The learning rate when none is fed. */
  float learningRate();

  /** The same optimizer at another learning rate (e.g. a command-line flag's). */
  Optimizer withLearningRate(float rate);

  /** Weight decay and gradient clipping: the options every Keras optimizer takes. */
  BaseOptions base();

  /** Keras's class name (SGD, RMSprop, Adam, AdamW, Nadam). */
  String kerasName();

  /**
   * The slots that hold each trainable parameter's state, by the names {@link Slots#like} gives
   * them, in the order Keras 3 keeps its optimizer variables after {@code iterations} and the
   * learning rate: one group per {@code add_optimizer_variables} call, each group made parameter
   * by parameter (Adam: {@code [[momentum, velocity]]}, with amsgrad then {@code [[velocity_hat]]};
   * RMSprop: {@code [[velocity]]}, then {@code [[momentum]]}, then {@code [[average_gradient]]}).
   * A slot Keras does not have (RMSprop's momentum at momentum 0, always 0 here) is left out.
   */
  List<List<String>> kerasSlots();

  /** The optimizer's own scalar variables, which Keras keeps after the slots, with their start values. */
  default java.util.Map<String, Float> kerasScalars() {
    return java.util.Map.of();
  }

  /**
   * Keras's {@code weight_decay}, {@code clipnorm}, {@code clipvalue} and {@code global_clipnorm}.
   *
   * @param weightDecay before each update {@code w -= w * weightDecay * lr} (0: none), on every
   *     trainable variable, biases and normalization scales included: Keras 3 excludes a variable
   *     only when code calls {@code exclude_from_weight_decay}, which no saved config records
   */
  record BaseOptions(double weightDecay, GradientClipping clipping) {
    public static final BaseOptions NONE = new BaseOptions(0, GradientClipping.NONE);

    public BaseOptions {
      if (!(weightDecay >= 0)) {
        throw new IllegalArgumentException("weight_decay must be >= 0, got " + weightDecay);
      }
    }
  }

  /** One parameter's update in one step, from its (clipped) gradient. */
  interface Rule {
    /** {@code tf} carries the control dependencies the update must wait for. */
    Op update(Ops tf, Parameters.Parameter parameter, Operand<TFloat32> gradient);
  }

  /**
   * This optimizer's update rule. Its state goes into {@code slots}; {@code tf} builds what waits
   * for the gradients; {@code iterations} is the number of steps taken before this one.
   */
  Rule rule(Slots slots, Ops tf, Operand<TFloat32> learningRate, Operand<TFloat32> iterations);

  /**
   * Where an optimizer keeps its state: zero-initialized variables in a {@link Parameters}, so that
   * checkpoints hold them. They are created without control dependencies, so that they can be set
   * alone.
   */
  final class Slots {
    private final Ops tf;
    private final Parameters parameters;

    Slots(Ops tf, Parameters parameters) {
      this.tf = tf;
      this.parameters = parameters;
    }

    /** A slot shaped like {@code p}, named after it (Keras's {@code add_variable_from_reference}). */
    public Variable<TFloat32> like(Parameters.Parameter p, String name) {
      return parameters.add(tf, slotName(p, name), p.shape(), Initializer.ZEROS, false);
    }

    public Variable<TFloat32> scalar(String name, Initializer initializer) {
      return parameters.add(tf, name, Shape.scalar(), initializer, false);
    }
  }

  /**
   * Adds one update of {@code params} at {@code learningRate}; the optimizer's state (accumulators,
   * the step counter {@code iterations}, a float32 that counts exactly to 2^24 steps) goes into
   * {@code slots}. Every update waits for every gradient: otherwise an update can run while a
   * backward op still reads the weight it changes.
   */
  default Op minimize(Ops tf, Operand<TFloat32> loss, List<Parameters.Parameter> params, Parameters slots,
      Operand<TFloat32> learningRate) {
    List<Operand<?>> variables = new ArrayList<>();
    params.forEach(p -> variables.add(p.variable()));
    var gradients = tf.gradients(loss, variables);
    if (tf.scope().env() instanceof Graph graph) {
      ReluGradients.readOutputs(graph);
    }
    List<Operation> gradientOps = new ArrayList<>();
    List<Operand<TFloat32>> raw = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      Operand<TFloat32> g = gradients.dy(i);
      gradientOps.add(g.op());
      raw.add(g);
    }
    Ops scoped = tf.withSubScope(kerasName().toLowerCase());
    Ops after = scoped.withControlDependencyOps(gradientOps);
    Slots state = new Slots(scoped, slots);
    Variable<TFloat32> iterations = state.scalar("iterations", Initializer.ZEROS);
    List<Operand<TFloat32>> clipped = base().clipping().clip(after, raw);
    Rule rule = rule(state, after, learningRate, iterations);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      Parameters.Parameter p = params.get(i);
      Ops updateOps = after;
      if (base().weightDecay() > 0) {
        // Keras (TF backend): variable.assign_sub(variable * wd * lr), before the update.
        Operand<TFloat32> decay = after.math.mul(
            after.math.mul(p.variable(), after.constant((float) base().weightDecay())), learningRate);
        updateOps = after.withControlDependencies(List.of(after.assignSub(p.variable(), decay)));
      }
      updates.add(rule.update(updateOps, p, clipped.get(i)));
    }
    // The step is counted after every update has read the count it belongs to.
    return tf.withControlDependencies(updates).assignAdd(iterations, tf.constant(1f));
  }

  /** {@link #minimize(Ops, Operand, List, Parameters, Operand)} at this optimizer's own rate. */
  default Op minimize(Ops tf, Operand<TFloat32> loss, List<Parameters.Parameter> params, Parameters slots) {
    return minimize(tf, loss, params, slots, tf.constant(learningRate()));
  }
}
