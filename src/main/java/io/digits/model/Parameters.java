package io.digits.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The variables of one built model, in creation order (Keras's {@code model.weights} order: per layer,
 * kernel then bias). Each variable is a ref variable (VariableV2): TF Java's SavedModel exporter saves
 * only those. Values come in through a placeholder and an assign op, so start weights, checkpoints,
 * Keras weights and exports all load the same way (see {@link Weights}).
 */
public final class Parameters {

  /** One variable with the feed that sets it. {@code trainable} is false for e.g. moving statistics. */
  public record Parameter(
      String name,
      Shape shape,
      Initializer initializer,
      boolean trainable,
      Variable<TFloat32> variable,
      Placeholder<TFloat32> value,
      Assign<TFloat32> assign) {}

  private final List<Parameter> all = new ArrayList<>();
  private final java.util.Map<Parameter, Regularizer> penalties = new java.util.IdentityHashMap<>();
  private final java.util.Map<Parameter, Constraint> constraints = new java.util.IdentityHashMap<>();
  private Placeholder<TInt64> stepSeed;

  /** Creates a variable named {@code name} (made unique by the scope) of the given shape. */
  public Variable<TFloat32> add(Ops tf, String name, Shape shape, Initializer initializer, boolean trainable) {
    Ops named = tf.withSubScope(name);
    Variable<TFloat32> variable = named.withName("var").variable(shape, TFloat32.class);
    Placeholder<TFloat32> value =
        named.withName("value").placeholder(TFloat32.class, Placeholder.shape(shape));
    Assign<TFloat32> assign = named.withName("assign").assign(variable, value);
    all.add(new Parameter(variable.op().name().replaceAll("/var$", ""), shape, initializer, trainable,
        variable, value, assign));
    return variable;
  }

  /**
   * The per-step random seed {@code [seed, step]} that training feeds to stochastic layers (dropout),
   * created on first use. Random draws are then a pure function of the seed and the step number,
   * so a run resumed from a checkpoint draws exactly what the uninterrupted run would have.
   */
  public Placeholder<TInt64> stepSeed(Ops tf) {
    if (stepSeed == null) {
      stepSeed = tf.withName("step_seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
    }
    return stepSeed;
  }

  /** This step's seed for the draws of one layer: {@link #stepSeed} plus {@code [salt, 0]}, so that layers draw apart. */
  public Operand<TInt64> stepSeed(Ops tf, long salt) {
    return tf.math.add(stepSeed(tf), tf.constant(new long[] {salt, 0}));
  }

  /** The step seed if a layer asked for one, else null (the model draws nothing at random). */
  public Placeholder<TInt64> stepSeedOrNull() {
    return stepSeed;
  }

  /** Adds {@code regularizer}'s penalty on {@code parameter} to {@link #losses}. */
  public void penalize(Parameter parameter, Regularizer regularizer) {
    penalties.put(parameter, regularizer);
  }

  /** Constrains {@code parameter} after each optimizer update (see {@link #constrained}). */
  public void constrain(Parameter parameter, Constraint constraint) {
    constraints.put(parameter, constraint);
  }

  /** The weight penalties, one scalar per regularized variable (Keras's {@code model.losses}); empty when none. */
  public List<Operand<TFloat32>> losses(Ops tf) {
    return all.stream().filter(penalties::containsKey)
        // identity: the C++ gradient of Square crashes on a ref (VariableV2) input; it wants a value.
        .map(p -> penalties.get(p).penalty(tf, tf.identity(p.variable()))).toList();
  }

  /** The regularizer on {@code parameter}, or null. */
  public Regularizer regularizer(Parameter parameter) {
    return penalties.get(parameter);
  }

  /** The constraint on {@code parameter}, or null. */
  public Constraint constraint(Parameter parameter) {
    return constraints.get(parameter);
  }

  public List<Parameter> all() {
    return List.copyOf(all);
  }

  public List<Parameter> trainable() {
    return all.stream().filter(Parameter::trainable).toList();
  }

  /** Total number of values, as Keras's {@code model.count_params()}. */
  public long count() {
    return all.stream().mapToLong(p -> p.shape().size()).sum();
  }
}
