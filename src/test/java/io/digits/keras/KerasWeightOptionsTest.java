package io.digits.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.DigitsException;
import io.digits.model.Activation;
import io.digits.model.BatchNormalization;
import io.digits.model.Component;
import io.digits.model.Constraint;
import io.digits.model.Conv2D;
import io.digits.model.Dense;
import io.digits.model.Elu;
import io.digits.model.Flatten;
import io.digits.model.Initializer;
import io.digits.model.Initializer.VarianceScaling;
import io.digits.model.Layer;
import io.digits.model.LayerNormalization;
import io.digits.model.MaxPool2D;
import io.digits.model.Model;
import io.digits.model.PReLU;
import io.digits.model.Padding;
import io.digits.model.Parameters;
import io.digits.model.Regularizer;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.train.TrainConfig;
import io.digits.train.Trainer;
import io.jhdf.HdfFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;

/**
 * Layers' own initializers, weight regularizers, constraints and activity regularizers go back to
 * Keras as Keras writes them, and a written file reads back to a model with the same ones on the
 * same variables. The expected configs are Keras 3.15's and tf-keras 2.21's own
 * ({@code layer.get_config()} of the same layer, printed by Python).
 */
class KerasWeightOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Regularizer L1 = new Regularizer(0.01f, 0f);
  private static final Regularizer L2 = new Regularizer(0f, 1e-4f);
  private static final Regularizer L1L2 = new Regularizer(1e-5f, 1e-4f);
  private static final Constraint.MaxNorm MAX_NORM_3 = new Constraint.MaxNorm(3f, List.of(0));
  private static final Constraint.MaxNorm MAX_NORM_WINDOW = new Constraint.MaxNorm(2.5f, List.of(0, 1, 2));
  private static final Constraint.UnitNorm UNIT_NORM = new Constraint.UnitNorm(List.of(0));
  private static final Constraint.NonNeg NON_NEG = new Constraint.NonNeg();

  private static final String DTYPE = "{\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": "
      + "{\"name\": \"float32\"}, \"registered_name\": null}";

  private static Dense dense() {
    return new Dense(3, Activation.LINEAR, true, VarianceScaling.heNormal(), Initializer.ZEROS);
  }

  private static Conv2D conv() {
    return Conv2D.of(4, 3, 1, 1, 1, Padding.SAME, Activation.LINEAR, true,
        new VarianceScaling(2, Initializer.FanMode.FAN_OUT, Initializer.Distribution.UNIFORM),
        new Initializer.Constant(0.1f));
  }

  private static Conv2D separable() {
    return Conv2D.separable(4, 1, 3, 1, 1, Padding.VALID, Activation.LINEAR, true,
        new Initializer.RandomNormal(0, 0.1, true), new Initializer.RandomUniform(-0.1, 0.1));
  }

  private static LayerFactory.WeightOptions options(Map<String, Regularizer> regularizers,
      Map<String, Constraint> constraints, Regularizer activity) {
    return new LayerFactory.WeightOptions(regularizers, constraints, activity);
  }

  /**
   * Keras 3.15's {@code get_config()} of e.g. {@code Dense(3, kernel_regularizer=L2(1e-4),
   * kernel_constraint=MaxNorm(3), activity_regularizer=L1(0.01), kernel_initializer="he_normal")}.
   */
  static Stream<Arguments> keras3Configs() {
    return Stream.of(
        Arguments.of(dense(), options(Map.of("kernel", L2), Map.of("kernel", MAX_NORM_3), L1), """
            {"name": "layer", "trainable": true, "dtype": DTYPE, "activity_regularizer": {"module": "keras.regularizers", "class_name": "L1", "config": {"l1": 0.009999999776482582}, "registered_name": null}, "units": 3, "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "HeNormal", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.0001}, "registered_name": null}, "bias_regularizer": null, "kernel_constraint": {"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 3, "axis": 0}, "registered_name": null}, "bias_constraint": null, "quantization_config": null}"""),
        Arguments.of(conv(), options(Map.of("kernel", L1L2), Map.of("kernel", MAX_NORM_WINDOW, "bias", UNIT_NORM), null), """
            {"name": "layer", "trainable": true, "dtype": DTYPE, "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "VarianceScaling", "config": {"seed": null, "scale": 2.0, "mode": "fan_out", "distribution": "uniform", "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.1}, "registered_name": null}, "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L1L2", "config": {"l1": 1e-05, "l2": 0.0001}, "registered_name": null}, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": {"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 2.5, "axis": [0, 1, 2]}, "registered_name": null}, "bias_constraint": {"module": "keras.constraints", "class_name": "UnitNorm", "config": {"axis": 0}, "registered_name": null}}"""),
        Arguments.of(separable(), options(Map.of("depthwise_kernel", new Regularizer(0f, 0.1f)),
            Map.of("pointwise_kernel", NON_NEG), new Regularizer(0f, 1e-3f)), """
            {"name": "layer", "trainable": true, "dtype": DTYPE, "activity_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.001}, "registered_name": null}, "depth_multiplier": 1, "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": true, "depthwise_initializer": {"module": "keras.initializers", "class_name": "TruncatedNormal", "config": {"seed": null, "mean": 0.0, "stddev": 0.1}, "registered_name": null}, "pointwise_initializer": {"module": "keras.initializers", "class_name": "TruncatedNormal", "config": {"seed": null, "mean": 0.0, "stddev": 0.1}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "RandomUniform", "config": {"seed": null, "minval": -0.1, "maxval": 0.1}, "registered_name": null}, "depthwise_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.1}, "registered_name": null}, "pointwise_regularizer": null, "bias_regularizer": null, "depthwise_constraint": null, "pointwise_constraint": {"module": "keras.constraints", "class_name": "NonNeg", "config": {}, "registered_name": null}, "bias_constraint": null}"""),
        Arguments.of(new BatchNormalization(), options(Map.of("beta", new Regularizer(0f, 0.1f), "gamma",
            new Regularizer(0.001f, 0f)), Map.of("gamma", NON_NEG), null), """
            {"name": "layer", "trainable": true, "dtype": DTYPE, "axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "moving_mean_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "moving_variance_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "beta_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.1}, "registered_name": null}, "gamma_regularizer": {"module": "keras.regularizers", "class_name": "L1", "config": {"l1": 0.0010000000474974513}, "registered_name": null}, "beta_constraint": null, "gamma_constraint": {"module": "keras.constraints", "class_name": "NonNeg", "config": {}, "registered_name": null}, "synchronized": false, "renorm": false, "renorm_clipping": null, "renorm_momentum": 0.99}"""),
        Arguments.of(new PReLU(new int[] {1, 2}, new Initializer.Constant(0.25f)),
            options(Map.of("alpha", new Regularizer(0f, 0.1f)), Map.of("alpha", NON_NEG), null), """
            {"name": "layer", "trainable": true, "dtype": DTYPE, "alpha_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.25}, "registered_name": null}, "alpha_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.1}, "registered_name": null}, "alpha_constraint": {"module": "keras.constraints", "class_name": "NonNeg", "config": {}, "registered_name": null}, "shared_axes": [1, 2]}"""),
        Arguments.of(new MaxPool2D(2), options(Map.of(), Map.of(), L1), """
            {"name": "layer", "trainable": true, "dtype": DTYPE, "activity_regularizer": {"module": "keras.regularizers", "class_name": "L1", "config": {"l1": 0.009999999776482582}, "registered_name": null}, "pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}"""));
  }

  @ParameterizedTest
  @MethodSource("keras3Configs")
  void eachOptionIsWrittenAsKeras3WritesIt(Component layer, LayerFactory.WeightOptions options, String keras)
      throws Exception {
    List<LayerFactory.KerasLayer> written = LayerFactory.toKeras(layer, options);
    assertEquals(1, written.size());
    // as text: the same keys in the same order, the same numbers (3, not 3.0)
    assertEquals(JSON.writeValueAsString(JSON.readTree(keras.replace("DTYPE", DTYPE))),
        JSON.writeValueAsString(KerasWriter.layerConfig("layer", written.get(0))));
  }

  /** tf-keras 2.21's {@code get_config()} of the Dense and Conv2D of {@link #keras3Configs}. */
  @Test
  void anH5HoldsTheOptionsAsTfKerasWritesThem(@TempDir Path dir) throws Exception {
    Conv2D conv = conv();
    Dense dense = dense();
    Model model = new Sequential("options", List.of(conv, new Flatten(), dense))
        .regularize(conv, "kernel", L1L2).constrain(conv, "kernel", MAX_NORM_WINDOW).constrain(conv, "bias", UNIT_NORM)
        .regularize(dense, "kernel", L2).constrain(dense, "kernel", MAX_NORM_3).regularizeActivity(dense, L1);
    Path file = dir.resolve("options.h5");
    KerasWriter.write(file, model, zeros(model), fresh());
    JsonNode layers;
    try (HdfFile h5 = new HdfFile(file)) {
      layers = JSON.readTree((String) h5.getAttribute("model_config").getData()).path("config").path("layers");
    }
    assertEquals(tfKeras("""
        {"name": "layer", "trainable": true, "dtype": "float32", "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.1}, "registered_name": null}, "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L1L2", "config": {"l1": 9.999999747378752e-06, "l2": 9.999999747378752e-05}, "registered_name": null}, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": {"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 2.5, "axis": [0, 1, 2]}, "registered_name": null}, "bias_constraint": {"module": "keras.constraints", "class_name": "UnitNorm", "config": {"axis": 0}, "registered_name": null}}"""),
        named(layers.get(1).path("config")));
    assertEquals(tfKeras("""
        {"name": "layer", "trainable": true, "dtype": "float32", "units": 3, "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "HeNormal", "config": {"seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 9.999999747378752e-05}, "registered_name": null}, "bias_regularizer": null, "activity_regularizer": {"module": "keras.regularizers", "class_name": "L1", "config": {"l1": 0.009999999776482582}, "registered_name": null}, "kernel_constraint": {"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 3, "axis": 0}, "registered_name": null}, "bias_constraint": null}"""),
        named(layers.get(3).path("config")));
  }

  private static String tfKeras(String json) throws Exception {
    return JSON.writeValueAsString(JSON.readTree(json));
  }

  private static String named(JsonNode config) throws Exception {
    return JSON.writeValueAsString(((ObjectNode) config.deepCopy()).put("name", "layer"));
  }

  /** A chain with an option of each kind on each layer kind that takes it; {@code activityAnywhere}: also on a pooling layer (not in tf-keras). */
  private static Model optionsChain(boolean activityAnywhere) {
    Conv2D conv = Conv2D.of(4, 3, 1, 1, 1, Padding.SAME, Activation.RELU, true, VarianceScaling.heNormal(),
        new Initializer.Constant(0.1f));
    BatchNormalization norm = new BatchNormalization();
    PReLU prelu = new PReLU(new int[] {1, 2}, new Initializer.Constant(0.25f));
    Conv2D depthwise = Conv2D.depthwise(2, 3, 1, 1, Padding.SAME, Activation.LINEAR, true,
        new Initializer.RandomNormal(0, 0.05, false), Initializer.ZEROS);
    Conv2D separable = Conv2D.separable(4, 1, 3, 1, 1, Padding.SAME, Activation.RELU, false,
        new Initializer.RandomNormal(0, 0.1, true), new Initializer.RandomUniform(-0.1, 0.1));
    LayerNormalization layerNorm = new LayerNormalization(-1, 1e-3f, true, true);
    MaxPool2D pool = new MaxPool2D(2);
    Dense dense = new Dense(10, Activation.SOFTMAX, true, new Initializer.Orthogonal(1.5),
        new VarianceScaling(0.5, Initializer.FanMode.FAN_AVG, Initializer.Distribution.UNTRUNCATED_NORMAL));
    Model model = new Sequential("options", List.<Layer>of(conv, norm, prelu, depthwise, separable, layerNorm, pool,
        new Flatten(), dense))
        .regularize(conv, "kernel", L2).constrain(conv, "kernel", MAX_NORM_WINDOW).constrain(conv, "bias", UNIT_NORM)
        .regularizeActivity(conv, L1)
        .regularize(norm, "beta", new Regularizer(0f, 0.1f)).constrain(norm, "gamma", NON_NEG)
        .regularize(prelu, "alpha", L1L2).constrain(prelu, "alpha", NON_NEG)
        .regularize(depthwise, "kernel", L1L2).constrain(depthwise, "kernel", NON_NEG)
        .regularize(separable, "depthwise_kernel", L2).constrain(separable, "pointwise_kernel", MAX_NORM_3)
        .regularize(separable, "bias", L1) // use_bias=False: Keras keeps it in the config all the same
        .regularizeActivity(separable, new Regularizer(0f, 1e-3f))
        .regularize(layerNorm, "gamma", L1).constrain(layerNorm, "beta", MAX_NORM_3)
        .regularize(dense, "kernel", L1L2).constrain(dense, "bias", UNIT_NORM).regularizeActivity(dense, L2);
    return activityAnywhere ? model.regularizeActivity(pool, L1) : model;
  }

  @ParameterizedTest
  @ValueSource(strings = {".keras", ".h5"})
  void aWrittenFileReadsBackWithTheSameInitializersRegularizersAndConstraints(String suffix, @TempDir Path dir) {
    Model model = optionsChain(suffix.equals(".keras"));
    Path file = dir.resolve("options" + suffix);
    KerasWriter.write(file, model, zeros(optionsChain(true)), fresh());

    List<String> expected = trainingOptions(optionsChain(suffix.equals(".keras")));
    assertEquals(expected, trainingOptions(KerasModel.load(file).create()));
    assertTrue(expected.stream().filter(line -> line.contains("Regularizer[")).count() >= 12, expected.toString());
  }

  /** A residual block whose layers carry options; each call builds fresh layers. */
  private static Model optionsGraph() {
    Conv2D conv = Conv2D.of(4, 3, 1, 1, 1, Padding.SAME, Activation.RELU, true, VarianceScaling.lecunUniform(),
        Initializer.ZEROS);
    Conv2D side = Conv2D.of(4, 1, 1, 1, 1, Padding.SAME, Activation.LINEAR, false, new Initializer.Orthogonal(1),
        Initializer.ZEROS);
    BatchNormalization norm = new BatchNormalization();
    Dense dense = new Dense(10, Activation.SOFTMAX, true, VarianceScaling.glorotNormal(), new Initializer.Constant(0.5f));
    Model.Builder b = Model.builder("options_graph");
    Model.Tensor x = b.apply(conv, b.input());
    Model.Tensor y = b.apply(norm, b.apply(side, x));
    x = b.apply(new io.digits.model.Merging(io.digits.model.Merging.Op.ADD), x, y);
    return b.output(b.apply(dense, b.apply(new Flatten(), b.apply(new MaxPool2D(2), x))))
        .regularize(conv, "kernel", L2).regularizeActivity(conv, L1).constrain(side, "kernel", MAX_NORM_WINDOW)
        .regularize(norm, "gamma", L1L2).constrain(norm, "beta", UNIT_NORM)
        .regularize(dense, "bias", L1).constrain(dense, "kernel", NON_NEG).regularizeActivity(dense, L2);
  }

  /** The same for a Functional model, whose file lists its layers in Keras's order: compared as sets. */
  @ParameterizedTest
  @ValueSource(strings = {".keras", ".h5"})
  void aFunctionalModelReadsBackWithTheSameOptions(String suffix, @TempDir Path dir) {
    Path file = dir.resolve("graph" + suffix);
    KerasWriter.write(file, optionsGraph(), zeros(optionsGraph()), fresh());
    assertEquals(trainingOptions(optionsGraph()).stream().sorted().toList(),
        trainingOptions(KerasModel.load(file).create()).stream().sorted().toList());
  }

  /**
   * Each variable with its initializer, regularizer and constraint, and each layer with its
   * activity regularizer, as the built model holds them.
   */
  static List<String> trainingOptions(Model model) {
    try (Graph graph = new Graph()) {
      Parameters params = model.build(Ops.create(graph)).parameters();
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < model.layers().size(); i++) {
        Component layer = model.layers().get(i);
        lines.add(layer.describe() + " activity " + model.activityRegularizer(layer) + ", regularizers "
            + model.regularizers(layer) + ", constraints " + model.constraints(layer));
        for (Parameters.Parameter p : model.parameters(i)) {
          lines.add(layer.describe() + " " + p.name().substring(p.name().lastIndexOf('/') + 1) + ": "
              + p.initializer() + ", " + params.regularizer(p) + ", " + params.constraint(p));
        }
      }
      return lines;
    }
  }

  /** What Keras cannot hold is refused with one line naming the layer, and nothing is written. */
  @Test
  void anOptionKerasCannotHoldIsRefused(@TempDir Path dir) {
    BatchNormalization norm = new BatchNormalization();
    assertRefused(dir.resolve("a.keras"), new Sequential("m", List.of(norm, new Flatten(), new Dense(10, Activation.SOFTMAX)))
        .regularize(norm, "moving_mean", L2), "layer 1 BatchNormalization");
    Elu elu = new Elu(1f);
    assertRefused(dir.resolve("b.keras"), new Sequential("m", List.of(elu, new Flatten(), new Dense(10, Activation.SOFTMAX)))
        .regularizeActivity(elu, L1), "layer 1 ELU");
    MaxPool2D pool = new MaxPool2D(2);
    assertRefused(dir.resolve("c.h5"), new Sequential("m", List.of(pool, new Flatten(), new Dense(10, Activation.SOFTMAX)))
        .regularizeActivity(pool, L1), "'max_pooling2d' (MaxPooling2D)");
    Dense dense = new Dense(10, Activation.SOFTMAX);
    Constraint custom = (tf, w) -> w;
    assertRefused(dir.resolve("d.keras"), new Sequential("m", List.of(new Flatten(), dense)).constrain(dense, "kernel", custom),
        "layer 2 Dense(10, softmax): its constraint");
  }

  private static void assertRefused(Path file, Model model, String naming) {
    DigitsException e = assertThrows(DigitsException.class, () -> KerasWriter.write(file, model, zeros(model), fresh()));
    assertTrue(e.getMessage().contains(naming) && !e.getMessage().contains("\n"), e.getMessage());
    assertFalse(Files.exists(file), "nothing written");
  }

  private static KerasWriter.Training fresh() {
    return KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.notebook(), 100));
  }

  /** Zero weights in {@code model}'s parameter order (the options, not the values, are under test). */
  private static Weights zeros(Model model) {
    try (Graph graph = new Graph()) {
      model.build(Ops.create(graph));
      return new Weights(model.parameters().all().stream()
          .map(p -> new Weights.Value(p.name(), p.shape(), new float[(int) p.shape().size()])).toList());
    }
  }
}
