package io.digits.scoring;

import io.digits.data.Dataset;
import io.digits.export.InferenceGraph;
import io.digits.model.Model;
import io.digits.model.Weights;
import io.digits.train.Precision;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Scores images with a model built in memory here, e.g. from a Keras file: the {@link InferenceGraph}
 * that its export would hold, with the given weights assigned, fed [n,28,28,1] images.
 */
public final class SequentialScorer implements ScoringModel {
  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> image;
  private final Operand<TFloat32> output;
  private final String description;

  /**
   * {@code model}: fresh and unbuilt; {@code precision}: the arithmetic the session runs it in;
   * {@code description}: where it came from.
   */
  public SequentialScorer(Model model, Weights weights, Precision precision, String description) {
    this.graph = new Graph();
    Session opened = null;
    try {
      InferenceGraph inference = InferenceGraph.build(Ops.create(graph), model);
      image = inference.image();
      output = inference.scores();
      opened = new Session(graph, SessionSettings.DEFAULT.with(precision).config());
      weights.assignTo(opened, model.parameters());
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close();
      }
      graph.close();
      throw e;
    }
    this.session = opened;
    this.description = description + ", input " + Model.INPUT_SHAPE + ", " + model.outputShape().size(1)
        + " outputs" + (model.classifier() ? " (softmax)" : "");
  }

  @Override
  public float[][] predict(FloatDataBuffer images, long n) {
    Shape shape = Shape.of(n, Dataset.HEIGHT, Dataset.WIDTH, 1);
    try (TFloat32 input = TFloat32.tensorOf(shape, images);
        Result result = session.runner().feed(image, input).fetch(output).run()) {
      return Scores.rows((TFloat32) result.get(0));
    }
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
