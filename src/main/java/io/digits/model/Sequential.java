package io.digits.model;

import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/** A Keras {@code Sequential} model: a {@link Model} whose layers form one chain, each on the previous one's output. */
public final class Sequential extends Model {

  public Sequential(String name, List<Layer> layers) {
    this(name, INPUT_SHAPE, layers);
  }

  public Sequential(String name, Shape inputShape, List<Layer> layers) {
    super(name, inputShape, chain(layers));
  }

  @Override
  public Sequential build(Ops tf) {
    super.build(tf);
    return this;
  }
}
