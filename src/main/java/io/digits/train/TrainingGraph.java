package io.digits.train;

import io.digits.data.Dataset;
import io.digits.model.Constraint;
import io.digits.model.Parameters;
import io.digits.model.Model;
import io.digits.model.Weights;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;

/**
 * The training graph of one model: the training and validation images live in the session as
 * uint8 resource variables, filled once, and each step is fed only the indices of its batch, so no
 * image crosses from Java per step; {@code ResourceGather} reads just the batch's rows. (Not graph
 * constants: grappler copies the whole graph, constants included, for each of its passes, which
 * put 250 MiB on the peak memory of a run on train.csv; not a ref variable: reading a VariableV2
 * copies all of it every step. TF Java's exporter saves no resource variable, and none is exported:
 * the export is a fresh inference graph of the model's ref variables.) Images are scaled in the graph as {@code uint8 -> float32 / 255},
 * which is bit-for-bit numpy's {@code float32(x / 255.0)}.
 */
public final class TrainingGraph implements AutoCloseable {

  /** What one step or one evaluation gives back. {@code loss} is the batch mean. */
  public record Metrics(double loss, long correct, int count) {
    public double accuracy() {
      return count == 0 ? 0 : (double) correct / count;
    }
  }

  private final Graph graph;
  private final Session session;
  private final Model model;
  private final Parameters optimizerSlots = new Parameters();
  private final Placeholder<TInt32> trainIndices;
  private final Placeholder<TInt32> validationIndices;
  private final PlaceholderWithDefault<TFloat32> learningRate;
  private final Op trainStep;
  private final Operand<TFloat32> trainLoss;
  private final Operand<TFloat32> trainCorrect;
  private final Operand<TFloat32> validationLossSum;
  private final Operand<TFloat32> validationCorrect;
  private final Operand<TFloat32> validationPenalty;
  private long seed;
  private long globalStep;

  /** The notebook's loss: categorical cross-entropy. */
  public TrainingGraph(Model model, Dataset train, Dataset validation, Optimizer optimizer, ConfigProto config) {
    this(model, train, validation, optimizer, Loss.NOTEBOOK, config);
  }

  public TrainingGraph(Model model, Dataset train, Dataset validation, Optimizer optimizer, Loss loss,
      ConfigProto config) {
    this.model = model;
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      model.build(tf);
      int classes = (int) model.outputShape().size(1);

      trainIndices = tf.withName("train_indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Batch batch = batch(tf, "train_data", train, trainIndices, classes);
      Loss.Prediction prediction = prediction(tf, model, batch.images().batch(), true);
      // Weight penalties (regularizers) join the loss as Keras's compute_loss adds model.losses, and so do
      // the activity penalties of this training forward pass.
      Operand<TFloat32> penalty = model.losses(tf).stream().reduce(tf.constant(0f), tf.math::add);
      Operand<TFloat32> activity = model.activityLosses().stream().reduce(tf.constant(0f), tf.math::add);
      trainLoss = tf.math.add(tf.math.add(loss.mean(tf, prediction, batch.labels), penalty), activity);
      trainCorrect = Loss.correct(tf, prediction, batch.labels);
      learningRate = tf.withName("learning_rate")
          .placeholderWithDefault(tf.constant(optimizer.learningRate()), Shape.scalar());
      trainStep = constrained(tf,
          optimizer.minimize(tf, trainLoss, model.parameters().trainable(), optimizerSlots, learningRate));

      validationIndices =
          tf.withName("validation_indices").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Batch vbatch = batch(tf, "validation_data", validation, validationIndices, classes);
      Loss.Prediction vprediction = prediction(tf, model, vbatch.images().batch(), false);
      validationLossSum = tf.reduceSum(loss.perExample(tf, vprediction, vbatch.labels), tf.constant(0));
      validationCorrect = Loss.correct(tf, vprediction, vbatch.labels);
      validationPenalty = penalty;

      session = new Session(graph, config);
      batch.images().fill(session);
      vbatch.images().fill(session);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** After the update, each constrained variable becomes its constraint's projection, as Keras 3's optimizer does. */
  private Op constrained(Ops tf, Op update) {
    List<Op> projections = new ArrayList<>();
    Ops after = tf.withControlDependencies(List.of(update));
    for (Parameters.Parameter p : model.parameters().trainable()) {
      Constraint c = model.parameters().constraint(p);
      if (c != null) {
        projections.add(after.assign(p.variable(), c.apply(after, p.variable())));
      }
    }
    return projections.isEmpty() ? update : tf.withControlDependencies(projections).noOp();
  }

  private record Batch(Images images, Operand<TInt32> labels) {}

  /** A data set's images in a uint8 resource variable, the rows {@code indices} picks scaled to float32 [0, 1]. */
  private record Images(Operand<TFloat32> batch, Placeholder<TUint8> value, Op assign, Dataset data) {
    void fill(Session session) {
      try (TUint8 pixels = TUint8.tensorOf(Shape.of(data.size(), 784), DataBuffers.of(data.pixels(), true, false))) {
        session.runner().feed(value, pixels).addTarget(assign).run();
      }
    }
  }

  /** One-hot labels of {@code classes} classes (the model's outputs); a label beyond them is an error. */
  private static Batch batch(Ops graph, String name, Dataset data, Operand<TInt32> indices, int classes) {
    Ops tf = graph.withSubScope(name);
    int top = java.util.Arrays.stream(data.labels()).max().orElse(0);
    if (top >= classes) {
      throw new io.digits.DigitsException("the data has label " + top + " but the model has " + classes
          + " outputs (labels 0.." + (classes - 1) + ")");
    }
    Shape shape = Shape.of(data.size(), 784);
    // named, so that the two data sets' variables are two (an unnamed handle is shared by its op's name)
    Operand<?> pixels = tf.withName("pixels").varHandleOp(TUint8.class, shape, VarHandleOp.sharedName(name));
    Placeholder<TUint8> value = tf.placeholder(TUint8.class, Placeholder.shape(shape));
    Op assign = tf.assignVariableOp(pixels, value);
    Operand<TInt32> labels = tf.constant(data.labels());
    Operand<TFloat32> images = tf.math.div(
        tf.dtypes.cast(tf.resourceGather(pixels, indices, TUint8.class), TFloat32.class), tf.constant(255f));
    return new Batch(new Images(tf.reshape(images, tf.constant(new long[] {-1, 28, 28, 1})), value, assign, data),
        tf.gather(labels, indices, tf.constant(0)));
  }

  /** A classifier's logits under its softmax (what Keras's loss takes), else the model's output. */
  private static Loss.Prediction prediction(Ops tf, Model model, Operand<TFloat32> images, boolean training) {
    return model.classifier() ? Loss.Prediction.logitsOf(model.logits(tf, images, training))
        : Loss.Prediction.of(model.output(tf, images, training));
  }

  /**
   * A fresh start: sets the model's weights, zeroes the optimizer's accumulators, and keys the
   * random draws of the coming steps (dropout masks) to {@code seed}.
   */
  public void start(Weights weights, long seed) {
    restore(weights, Weights.initial(optimizerSlots, 0), seed, 0);
  }

  /** Continues a run from a checkpoint: weights, accumulators, and the number of steps already taken. */
  public void restore(Weights weights, Weights optimizerState, long seed, long stepsTaken) {
    weights.assignTo(session, model.parameters());
    optimizerState.assignTo(session, optimizerSlots);
    this.seed = seed;
    this.globalStep = stepsTaken;
  }

  /** One optimizer step at its own learning rate on the training rows {@code indices}; returns the loss before the update. */
  public Metrics step(int[] indices) {
    return run(indices, session.runner());
  }

  /** The same at learning rate {@code rate} (a schedule's). */
  public Metrics step(int[] indices, float rate) {
    try (TFloat32 rateTensor = TFloat32.scalarOf(rate)) {
      return run(indices, session.runner().feed(learningRate, rateTensor));
    }
  }

  private Metrics run(int[] indices, Session.Runner runner) {
    Placeholder<TInt64> stepSeed = model.parameters().stepSeedOrNull();
    try (TInt32 idx = TInt32.vectorOf(indices);
        TInt64 seedTensor = TInt64.vectorOf(seed, globalStep)) {
      runner.feed(trainIndices, idx);
      if (stepSeed != null) {
        runner.feed(stepSeed, seedTensor);
      }
      try (Result r = runner.addTarget(trainStep).fetch(trainLoss).fetch(trainCorrect).run()) {
        globalStep++;
        return new Metrics(((TFloat32) r.get(0)).getFloat(), (long) ((TFloat32) r.get(1)).getFloat(), indices.length);
      }
    }
  }

  public long stepsTaken() {
    return globalStep;
  }

  /** Loss and accuracy over validation rows [0, size), in chunks that bound memory. */
  public Metrics evaluate(int size, int chunk) {
    double lossSum = 0;
    long correct = 0;
    for (int from = 0; from < size; from += chunk) {
      int to = Math.min(size, from + chunk);
      int[] indices = new int[to - from];
      for (int i = 0; i < indices.length; i++) {
        indices[i] = from + i;
      }
      try (TInt32 idx = TInt32.vectorOf(indices);
          Result r = session.runner()
              .feed(validationIndices, idx)
              .fetch(validationLossSum)
              .fetch(validationCorrect)
              .run()) {
        lossSum += ((TFloat32) r.get(0)).getFloat();
        correct += (long) ((TFloat32) r.get(1)).getFloat();
      }
    }
    double penalty = 0;
    if (size > 0) {
      try (Result r = session.runner().fetch(validationPenalty).run()) {
        penalty = ((TFloat32) r.get(0)).getFloat();
      }
    }
    return new Metrics(size == 0 ? 0 : lossSum / size + penalty, correct, size);
  }

  public Weights weights() {
    return Weights.read(session, model.parameters());
  }

  /** The optimizer's accumulators, for checkpoints. */
  public Weights optimizerState() {
    return Weights.read(session, optimizerSlots);
  }

  public Model model() {
    return model;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
