package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One Keras-style layer of one input: {@link #build} creates its variables for a known input shape,
 * {@link #call} adds its ops. A layer object is built into exactly one graph; a model makes fresh
 * layers per graph. A layer that a model applies to several tensors is built once and called once per
 * tensor, so that every call shares its variables (as Keras shares a layer's weights).
 */
public interface Layer extends Component {

  /** Creates this layer's variables through {@code params} and returns the output shape (batch dim -1). */
  Shape build(Ops tf, Shape input, Parameters params);

  /** Adds the layer's ops. {@code training} is fixed when the graph is built (dropout, batch statistics). */
  Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training);
}
