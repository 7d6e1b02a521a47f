package io.digits.train;

import io.digits.model.Initializer;
import io.digits.model.Parameters;
import io.digits.model.Weights;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A tiny problem whose gradient is known in closed form, to check an optimizer's updates against
 * its formula computed by hand: loss = sum((w - target)^2) / 2, so the gradient is w - target.
 */
final class QuadraticProblem implements AutoCloseable {
  /**
   * Gradients from 5 down to 1e-5: the small ones make an optimizer's epsilon matter (RMSprop's
   * accumulator 0.1*g^2 is then near 1e-8), so that where epsilon sits in the formula shows.
   */
  static final float[] START = {0.5f, -1.25f, 2f, 0.01f, 1e-4f, -1e-5f};
  static final float[] TARGET = {1f, 2f, -3f, 0f, 0f, 0f};

  private final Graph graph = new Graph();
  private final Session session;
  private final Parameters params = new Parameters();
  private final Parameters slots = new Parameters();
  private final Op step;

  QuadraticProblem(Optimizer optimizer) {
    Ops tf = Ops.create(graph);
    Variable<TFloat32> w = params.add(tf, "w", Shape.of(START.length), Initializer.ZEROS, true);
    Operand<TFloat32> diff = tf.math.sub(w, tf.constant(TARGET));
    Operand<TFloat32> loss = tf.math.mul(tf.constant(0.5f), tf.reduceSum(tf.math.square(diff), tf.constant(0)));
    step = optimizer.minimize(tf, loss, params.trainable(), slots);
    session = new Session(graph);
    new Weights(List.of(new Weights.Value("w", Shape.of(START.length), START.clone()))).assignTo(session, params);
    Weights.initial(slots, 0).assignTo(session, slots);
  }

  static double gradient(double w, int i) {
    return w - TARGET[i];
  }

  /** Runs one update and returns the weights after it. */
  float[] step() {
    session.runner().addTarget(step).run().close();
    return Weights.read(session, params).values().get(0).data();
  }

  /** The optimizer's state: accumulators, step counter. */
  Weights slots() {
    return Weights.read(session, slots);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
