package io.digits.model;

import io.digits.DigitsException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Values for a model's variables, in {@link Parameters} order, held in Java memory. This is how
 * weights move between graphs: initial values into the training graph, trained values into the
 * export graph, Keras weights into either.
 */
public record Weights(List<Value> values) {

  /** One variable's value; {@code data} is row-major in {@code shape}. */
  public record Value(String name, Shape shape, float[] data) {}

  /** Fresh start weights as Keras draws them (its initializers), from {@code seed}. */
  public static Weights initial(Parameters params, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Value> values = new ArrayList<>();
    for (Parameters.Parameter p : params.all()) {
      values.add(new Value(p.name(), p.shape(), p.initializer().values(p.shape(), random)));
    }
    return new Weights(values);
  }

  /** Reads the current values of every parameter from a session. */
  public static Weights read(Session session, Parameters params) {
    Session.Runner runner = session.runner();
    List<Parameters.Parameter> all = params.all();
    all.forEach(p -> runner.fetch(p.variable()));
    List<Value> values = new ArrayList<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < all.size(); i++) {
        Parameters.Parameter p = all.get(i);
        float[] data = new float[(int) p.shape().size()];
        ((TFloat32) result.get(i)).copyTo(DataBuffers.of(data, false, false));
        values.add(new Value(p.name(), p.shape(), data));
      }
    }
    return new Weights(values);
  }

  /** Sets every parameter of {@code params} in {@code session} to these values (matched by position). */
  public void assignTo(Session session, Parameters params) {
    List<Parameters.Parameter> all = params.all();
    if (all.size() != values.size()) {
      throw new DigitsException("weights hold " + values.size() + " arrays but the model has "
          + all.size() + " variables");
    }
    List<TFloat32> feeds = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (int i = 0; i < all.size(); i++) {
        Parameters.Parameter p = all.get(i);
        Value v = values.get(i);
        if (!v.shape().equals(p.shape())) {
          throw new DigitsException("weight " + i + " (" + v.name() + ") has shape " + v.shape()
              + " but variable " + p.name() + " needs " + p.shape());
        }
        TFloat32 t = TFloat32.tensorOf(p.shape(), DataBuffers.of(v.data(), true, false));
        feeds.add(t);
        runner.feed(p.value(), t).addTarget(p.assign());
      }
      runner.run().close();
    } finally {
      feeds.forEach(TFloat32::close);
    }
  }

  public long count() {
    return values.stream().mapToLong(v -> v.data().length).sum();
  }
}
