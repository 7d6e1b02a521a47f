package io.digits.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A layer of several inputs (Keras's merging layers: Add, Concatenate, ...); otherwise as {@link Layer}. */
public interface Merge extends Component {

  /** Checks that the input shapes fit together and returns the output shape (batch dim -1). */
  Shape build(Ops tf, List<Shape> inputs, Parameters params);

  Operand<TFloat32> call(Ops tf, List<Operand<TFloat32>> inputs, boolean training);
}
