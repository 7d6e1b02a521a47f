package io.digits.scoring;

import io.digits.DigitsException;
import io.digits.train.Precision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * Scores images with any SavedModel whose serving signature takes one 28x28 image per row: ours
 * ({@code image} [-1,28,28,1]) and Keras's ({@code keras_tensor}, {@code flatten_input} [-1,28,28],
 * a bare module's [-1,784], ...). Names and shapes are read from the signature, never assumed.
 */
final class SavedModelScorer implements ScoringModel {

  private final SavedModelBundle bundle;
  private final String signatureKey;
  private final String inputName;
  private final Shape inputShape;
  private final String outputName;
  /** Graph tensors ({@code op:index}) behind the signature's input and probability output. */
  private final String inputTensor;
  private final String outputTensor;

  private SavedModelScorer(SavedModelBundle bundle, Path dir) {
    this.bundle = bundle;
    Signature signature = servingSignature(bundle, dir);
    this.signatureKey = signature.key();
    Map.Entry<String, Signature.TensorDescription> input = imageInput(signature, dir);
    this.inputName = input.getKey();
    this.inputShape = input.getValue().shape;
    this.inputTensor = input.getValue().name;
    this.outputName = probabilityOutput(signature, dir);
    this.outputTensor = signature.getOutputs().get(outputName).name;
  }

  /** Opens a model folder, its session running in {@code precision}, each call on its caller's thread ({@link SessionSettings}). */
  static SavedModelScorer open(Path dir, Precision precision) {
    SavedModelBundle bundle = ModelLoader.open(dir, SessionSettings.DEFAULT.with(precision).config());
    try {
      return new SavedModelScorer(bundle, dir);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /**
   * One session run that fetches only the probabilities: the signature's other outputs (our
   * {@code class}) are not computed, and no map of results is built.
   */
  @Override
  public float[][] predict(FloatDataBuffer images, long n) {
    long[] dims = inputShape.asArray();
    dims[0] = n;
    try (TFloat32 input = TFloat32.tensorOf(Shape.of(dims), images);
        Result result = bundle.session().runner().feed(inputTensor, input).fetch(outputTensor).run()) {
      Tensor out = result.get(0);
      if (!(out instanceof TFloat32 scores) || scores.shape().numDimensions() != 2) {
        throw new DigitsException("output '" + outputName + "' is not a float32 [batch, classes] tensor");
      }
      return Scores.rows(scores);
    }
  }

  @Override
  public String description() {
    return "signature '" + signatureKey + "', input '" + inputName + "' " + inputShape + ", output '" + outputName + "'";
  }

  private static Signature servingSignature(SavedModelBundle bundle, Path dir) {
    List<Signature> all = bundle.signatures();
    return all.stream().filter(s -> s.key().equals(Signature.DEFAULT_KEY)).findFirst()
        .or(() -> all.stream().filter(s -> s.key().equals("serve")).findFirst())
        .or(() -> all.size() == 1 ? java.util.Optional.of(all.get(0)) : java.util.Optional.empty())
        .orElseThrow(() -> new DigitsException(dir + ": no 'serving_default' signature; it has: "
            + all.stream().map(Signature::key).collect(Collectors.joining(", "))));
  }

  /** The single float input that holds 784 values per row, in one of the shapes digit models use. */
  private static Map.Entry<String, Signature.TensorDescription> imageInput(Signature signature, Path dir) {
    List<Map.Entry<String, Signature.TensorDescription>> images = new ArrayList<>();
    for (var e : signature.getInputs().entrySet()) {
      if (e.getValue().dataType == DataType.DT_FLOAT && takesImage(e.getValue().shape)) {
        images.add(e);
      }
    }
    if (images.size() != 1) {
      throw new DigitsException(dir + ": signature '" + signature.key() + "' has no single input that takes a 28x28"
          + " image ((-1,784), (-1,28,28) or (-1,28,28,1) float32); its inputs: " + describe(signature.getInputs()));
    }
    return images.get(0);
  }

  static boolean takesImage(Shape shape) {
    if (shape.isUnknown() || shape.numDimensions() < 2) {
      return false;
    }
    long[] d = shape.asArray();
    long[] rest = java.util.Arrays.copyOfRange(d, 1, d.length);
    return java.util.Arrays.equals(rest, new long[] {784})
        || java.util.Arrays.equals(rest, new long[] {28, 28})
        || java.util.Arrays.equals(rest, new long[] {28, 28, 1});
  }

  /** {@code probabilities} when present (ours), else the single float [-1, n] output. */
  private static String probabilityOutput(Signature signature, Path dir) {
    Map<String, Signature.TensorDescription> outputs = signature.getOutputs();
    if (outputs.containsKey("probabilities")) {
      return "probabilities";
    }
    List<String> candidates = outputs.entrySet().stream()
        .filter(e -> e.getValue().dataType == DataType.DT_FLOAT && e.getValue().shape.numDimensions() == 2)
        .map(Map.Entry::getKey)
        .toList();
    if (candidates.size() != 1) {
      throw new DigitsException(dir + ": signature '" + signature.key()
          + "' has no single float [batch, classes] output; its outputs: " + describe(outputs));
    }
    return candidates.get(0);
  }

  static String describe(Map<String, Signature.TensorDescription> tensors) {
    return tensors.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue().dataType.name().replace("DT_", "").toLowerCase() + " " + e.getValue().shape)
        .collect(Collectors.joining(", "));
  }

  @Override
  public void close() {
    bundle.close();
  }
}
