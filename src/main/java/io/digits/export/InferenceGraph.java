package io.digits.export;

import io.digits.model.Sequential;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A model in inference mode (no dropout, batch normalization on its moving statistics) between the
 * tensors of the export signature: {@code image} float32 [-1,28,28,1] in, the model's output
 * ({@code probabilities} for a classifier) and the arg-max {@code class} out. The exporter and the
 * in-memory scorer both build this, so a file scored in memory computes what its export would.
 */
public record InferenceGraph(Placeholder<TFloat32> image, Operand<TFloat32> scores, Operand<TInt64> classes) {

  /** Builds {@code model} (fresh, unbuilt) into {@code tf}'s graph with the signature's tensor names. */
  public static InferenceGraph build(Ops tf, Sequential model) {
    model.build(tf);
    Placeholder<TFloat32> image = tf.withName(SavedModelExporter.INPUT).placeholder(TFloat32.class,
        Placeholder.shape(Sequential.INPUT_SHAPE));
    Operand<TFloat32> scores = tf.withName(SavedModelExporter.PROBABILITIES).identity(model.output(tf, image, false));
    Operand<TInt64> classes = tf.withName(SavedModelExporter.CLASS).math.argMax(scores, tf.constant(1), TInt64.class);
    return new InferenceGraph(image, scores, classes);
  }
}
