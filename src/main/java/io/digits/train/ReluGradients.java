package io.digits.train;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Input;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;

/**
 * Makes each ReluGrad read its Relu's output instead of its input, as Python TF's gradient does.
 * TF's C++ gradient (the one TF Java's {@code tf.gradients} uses) reads the input, so the tensor
 * before the Relu, a convolution's or dense layer's biased output, has a second reader, and TF's
 * remapper then cannot fold the Relu into that layer's fused kernel: a separate pass over the
 * activations each step, at half float32's speed in bfloat16 (a sixth of double-conv's bfloat16
 * step at batch 256). The gradient is the same to the bit: ReluGrad passes the gradient where its
 * second input is above 0, and relu(x) > 0 exactly where x > 0.
 *
 * <p>TF Java has no call to rewire an edge, so the C API's TF_UpdateEdge is called on the graph's
 * handle, read by reflection. Should a TF Java release rename that field, nothing is rewired and
 * training only runs as before ({@code ReluGradientsTest} then fails and says so).
 */
final class ReluGradients {
  private ReluGradients() {}

  /** Rewires every ReluGrad of {@code graph} that reads a Relu's input; the number rewired. */
  static int readOutputs(Graph graph) {
    List<GraphOperation[]> pairs = new ArrayList<>(); // {ReluGrad, Relu}
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("ReluGrad")) {
        Output<?> features = op.input(1);
        ((GraphOperation) features.op()).consumers(features.index()).stream()
            .filter(c -> c.type().equals("Relu") && c.input(0).equals(features))
            .findFirst()
            .ifPresent(relu -> pairs.add(new GraphOperation[] {op, relu}));
      }
    }
    TF_Graph handle = handle(graph);
    if (handle == null) {
      return 0;
    }
    try (TF_Status status = TF_Status.newStatus()) {
      for (GraphOperation[] pair : pairs) {
        try (TF_Output relu = new TF_Output().oper(pair[1].getUnsafeNativeHandle()).index(0);
            TF_Input gradFeatures = new TF_Input().oper(pair[0].getUnsafeNativeHandle()).index(1)) {
          tensorflow.TF_UpdateEdge(handle, relu, gradFeatures, status);
          status.throwExceptionIfNotOK();
        }
      }
    }
    return pairs.size();
  }

  private static TF_Graph handle(Graph graph) {
    try {
      Field f = Graph.class.getDeclaredField("nativeHandle");
      f.setAccessible(true);
      return (TF_Graph) f.get(graph);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
