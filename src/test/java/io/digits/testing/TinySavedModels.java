package io.digits.testing;

import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Writes small SavedModels of any input shape and tag, to test how odd models are handled. */
public final class TinySavedModels {
  private TinySavedModels() {}

  /** softmax(reshape(x, [-1, n]) @ W) with W all 0.01, signature serving_default. */
  public static void write(Path dir, String tag, String inputName, Shape inputShape) throws IOException {
    long n = 1;
    for (int i = 1; i < inputShape.numDimensions(); i++) {
      n *= inputShape.size(i);
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName(inputName).placeholder(TFloat32.class, Placeholder.shape(inputShape));
      Variable<TFloat32> w = tf.withName("w").variable(tf.math.mul(tf.ones(tf.constant(new long[] {n, 10}),
          TFloat32.class), tf.constant(0.01f)));
      Operand<TFloat32> y = tf.withName("scores").nn.softmax(
          tf.linalg.matMul(tf.reshape(x, tf.constant(new long[] {-1, n})), w));
      Signature s = Signature.builder("serving_default").methodName("tensorflow/serving/predict")
          .input(inputName, x).output("scores", y).build();
      try (Session session = new Session(g)) {
        session.initialize();
        SavedModelBundle.exporter(dir.toString()).withTags(tag)
            .withFunction(SessionFunction.create(s, session)).export();
      }
    }
  }
}
