package io.digits.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Every layer and activation can be trained: TensorFlow's C++ gradient registry (which TF Java
 * uses) has a gradient for each op it builds, and the gradient reaches every trainable variable
 * finite and, for a layer with weights, not all zero. (The geometric augmentation is the exception:
 * TF's C++ registry has no gradient for ImageProjectiveTransformV3, so RandomRotation, RandomZoom and
 * RandomTranslation train only before any weights, on the input, where Keras models put them;
 * BnCnnTrainingTest trains bn-cnn, which starts with one.)
 */
class EveryLayerTrainsTest {

  static Stream<Object[]> layers() {
    List<Object[]> cases = new ArrayList<>();
    for (Activation a : Activation.values()) {
      cases.add(new Object[] {"activation " + a.keras(), new ActivationLayer(a)});
    }
    cases.add(new Object[] {"conv dilated", Conv2D.of(3, 3, 1, 2, 1, Padding.SAME, Activation.RELU, true,
        Initializer.GLOROT_UNIFORM, Initializer.ZEROS)});
    cases.add(new Object[] {"conv groups", Conv2D.of(6, 3, 1, 1, 3, Padding.SAME, Activation.RELU, true,
        Initializer.GLOROT_UNIFORM, Initializer.ZEROS)});
    cases.add(new Object[] {"depthwise", Conv2D.depthwise(2, 3, 2, 1, Padding.SAME, Activation.LINEAR, true,
        Initializer.GLOROT_UNIFORM, Initializer.ZEROS)});
    cases.add(new Object[] {"separable", Conv2D.separable(4, 2, 3, 1, 1, Padding.VALID, Activation.LINEAR, true,
        Initializer.GLOROT_UNIFORM, Initializer.ZEROS)});
    cases.add(new Object[] {"average pooling", MaxPool2D.average(2, 2, Padding.SAME)});
    cases.add(new Object[] {"global max", new GlobalPooling2D(true, true)});
    cases.add(new Object[] {"global average", new GlobalPooling2D(false, true)});
    cases.add(new Object[] {"zero padding", Crop2D.zeroPadding(1, 2, 0, 1)});
    cases.add(new Object[] {"cropping", Crop2D.cropping(1, 2, 0, 1)});
    cases.add(new Object[] {"relu options", new ReLU(0.1f, 2f, 0.2f)});
    cases.add(new Object[] {"relu6 option", new ReLU(0f, 6f, 0f)});
    cases.add(new Object[] {"leaky relu", ReLU.leaky(0.3f)});
    cases.add(new Object[] {"prelu", new PReLU(new int[] {1, 2}, Initializer.ONES)});
    cases.add(new Object[] {"elu", new Elu(0.5f)});
    cases.add(new Object[] {"softmax", new Softmax()});
    cases.add(new Object[] {"layer normalization", new LayerNormalization(-1, 1e-3f, true, true)});
    cases.add(new Object[] {"spatial dropout", Dropout.spatial(0.3f, 1)});
    cases.add(new Object[] {"gaussian noise", GaussianNoise.additive(0.1f, 2)});
    cases.add(new Object[] {"gaussian dropout", GaussianNoise.dropout(0.2f, 3)});
    cases.add(new Object[] {"random contrast", new RandomContrast(0f, 0.2f, 0f, 255f, 5)});
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layers")
  void gradientsReachEveryWeight(String what, Layer layer) {
    // conv (weights before the layer, so every layer passes a gradient back) -> layer -> dense softmax
    Model.Builder b = Model.builder("m");
    Model.Tensor x = b.apply(new Conv2D(3, 3, 2, Padding.SAME, Activation.LINEAR, true), b.input());
    x = b.apply(layer, x);
    x = b.apply(new Flatten(), x);
    Model model = b.output(b.apply(new Dense(4, Activation.SOFTMAX), x));
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      model.build(tf);
      float[] pixels = new float[2 * 784];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (i * 37 % 256) / 255f;
      }
      Operand<TFloat32> images = tf.constant(Shape.of(2, 28, 28, 1), DataBuffers.of(pixels));
      Operand<TFloat32> loss = tf.reduceSum(tf.nn.softmaxCrossEntropyWithLogits(model.logits(tf, images, true),
          tf.constant(new float[][] {{1, 0, 0, 0}, {0, 0, 1, 0}})).loss(), tf.constant(0));
      List<Operand<?>> variables = new ArrayList<>();
      model.parameters().trainable().forEach(p -> variables.add(p.variable()));
      var gradients = tf.gradients(loss, variables);
      Weights.initial(model.parameters(), 7).assignTo(s, model.parameters());
      Session.Runner runner = s.runner();
      gradients.dy().forEach(runner::fetch);
      if (model.parameters().stepSeedOrNull() != null) {
        runner.feed(model.parameters().stepSeedOrNull(), TInt64.vectorOf(2, 3));
      }
      try (Result r = runner.run()) {
        assertEquals(variables.size(), r.size());
        for (int i = 0; i < r.size(); i++) {
          float[] values = new float[(int) ((TFloat32) r.get(i)).shape().size()];
          ((TFloat32) r.get(i)).copyTo(DataBuffers.of(values, false, false));
          double sum = 0;
          for (float v : values) {
            assertTrue(Float.isFinite(v), what + ": gradient " + i + " is not finite");
            sum += Math.abs(v);
          }
          assertTrue(sum > 0, what + ": gradient of " + model.parameters().trainable().get(i).name() + " is all zero");
        }
      }
    }
  }
}
