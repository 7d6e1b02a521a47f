package io.digits.train;

import io.digits.model.Initializer;
import io.digits.model.Parameters;
import io.digits.model.Weights;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A tiny problem whose gradient is known in closed form, to check an optimizer's updates against
 * its formula computed by hand: two variables, loss = sum((w - target)^2) / 2 over both, so each
 * gradient is w - target. Two variables tell per-variable clipping from global clipping.
 */
final class QuadraticProblem implements AutoCloseable {
  /**
   * Gradients from 5 down to 1e-5: the small ones make an optimizer's epsilon matter (RMSprop's
   * accumulator 0.1*g^2 is then near 1e-8), so that where epsilon sits in the formula shows.
   */
  static final float[][] START = {{0.5f, -1.25f, 2f, 0.01f, 1e-4f, -1e-5f}, {3f, -0.2f}};
  static final float[][] TARGET = {{1f, 2f, -3f, 0f, 0f, 0f}, {-1f, 0.3f}};

  private final Graph graph = new Graph();
  private final Session session;
  private final Parameters params = new Parameters();
  private final Parameters slots = new Parameters();
  private final Op step;
  private final PlaceholderWithDefault<TFloat32> learningRate;
  private final LearningRateSchedule schedule;
  private long stepsTaken;

  QuadraticProblem(Optimizer optimizer) {
    this(optimizer, LearningRateSchedule.constant(optimizer.learningRate()));
  }

  /** With the learning rate of each step from {@code schedule}, fed as training feeds it. */
  QuadraticProblem(Optimizer optimizer, LearningRateSchedule schedule) {
    this.schedule = schedule;
    Ops tf = Ops.create(graph);
    List<Weights.Value> start = new ArrayList<>();
    Operand<TFloat32> loss = tf.constant(0f);
    for (int v = 0; v < START.length; v++) {
      Shape shape = Shape.of(START[v].length);
      Variable<TFloat32> w = params.add(tf, "w" + v, shape, Initializer.ZEROS, true);
      Operand<TFloat32> diff = tf.math.sub(w, tf.constant(TARGET[v]));
      loss = tf.math.add(loss, tf.math.mul(tf.constant(0.5f), tf.reduceSum(tf.math.square(diff), tf.constant(0))));
      start.add(new Weights.Value("w" + v, shape, START[v].clone()));
    }
    learningRate = tf.placeholderWithDefault(tf.constant(optimizer.learningRate()), Shape.scalar());
    step = optimizer.minimize(tf, loss, params.trainable(), slots, learningRate);
    session = new Session(graph);
    new Weights(start).assignTo(session, params);
    Weights.initial(slots, 0).assignTo(session, slots);
  }

  /** The starting weights in double precision. */
  static double[][] start() {
    double[][] w = new double[START.length][];
    for (int v = 0; v < START.length; v++) {
      w[v] = new double[START[v].length];
      for (int i = 0; i < w[v].length; i++) {
        w[v][i] = START[v][i];
      }
    }
    return w;
  }

  static double[][] gradients(double[][] w) {
    double[][] g = new double[w.length][];
    for (int v = 0; v < w.length; v++) {
      g[v] = new double[w[v].length];
      for (int i = 0; i < w[v].length; i++) {
        g[v][i] = w[v][i] - TARGET[v][i];
      }
    }
    return g;
  }

  /** Runs one update and returns the weights after it. */
  float[][] step() {
    try (TFloat32 rate = TFloat32.scalarOf(schedule.rate(stepsTaken++))) {
      session.runner().feed(learningRate, rate).addTarget(step).run().close();
    }
    return Weights.read(session, params).values().stream().map(Weights.Value::data).toArray(float[][]::new);
  }

  /** The optimizer's state: step counter, accumulators. */
  Weights slots() {
    return Weights.read(session, slots);
  }

  Weights weights() {
    return Weights.read(session, params);
  }

  /** Continues from saved weights and optimizer state, as a resumed training run does. */
  void restore(Weights weights, Weights state, long stepsTaken) {
    weights.assignTo(session, params);
    state.assignTo(session, slots);
    this.stepsTaken = stepsTaken;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
