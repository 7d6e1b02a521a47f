package io.digits.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.DigitsException;
import io.digits.data.Dataset;
import io.digits.model.Activation;
import io.digits.model.ActivationLayer;
import io.digits.model.Architecture;
import io.digits.model.BatchNormalization;
import io.digits.model.Component;
import io.digits.model.Concatenate;
import io.digits.model.Crop2D;
import io.digits.model.Elu;
import io.digits.model.GaussianNoise;
import io.digits.model.GlobalPooling2D;
import io.digits.model.Initializer;
import io.digits.model.LayerNormalization;
import io.digits.model.Merging;
import io.digits.model.PReLU;
import io.digits.model.RandomContrast;
import io.digits.model.ReLU;
import io.digits.model.Softmax;
import io.digits.model.Conv2D;
import io.digits.model.Dense;
import io.digits.model.Dropout;
import io.digits.model.Flatten;
import io.digits.model.Layer;
import io.digits.model.MaxPool2D;
import io.digits.model.Model;
import io.digits.model.Padding;
import io.digits.model.RandomAffine;
import io.digits.model.Rescaling;
import io.digits.model.Reshape;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.scoring.Predictor;
import io.digits.testing.SyntheticDigits;
import io.digits.train.Adam;
import io.digits.train.GradientClipping;
import io.digits.train.LearningRateSchedule;
import io.digits.train.Loss;
import io.digits.train.Nadam;
import io.digits.train.Optimizer;
import io.digits.train.RmsProp;
import io.digits.train.Sgd;
import io.digits.train.TrainConfig;
import io.digits.train.Trainer;
import io.digits.train.TrainingGraph;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The way back to Keras: each layer's Keras config reads back (LayerFactory) to the same layer, and
 * a written .keras or .h5 file reads back (KerasModel) to the same model, weights and probabilities,
 * with the optimizer's state in Keras's order. Python's side (Keras loads, predicts, continues
 * training) is checked by {@code make interop}.
 */
class KerasWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every layer kind with its options away from Keras's defaults where it has any. */
  private static List<Layer> everyLayer() {
    return List.of(
        new Rescaling(0.5f, 0.25f),
        new Conv2D(4, 3, 2, Padding.SAME, Activation.RELU, true),
        Conv2D.of(4, 3, 1, 2, 2, Padding.SAME, Activation.TANH, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS),
        Conv2D.depthwise(2, 3, 1, 1, Padding.SAME, Activation.LINEAR, false, Initializer.GLOROT_UNIFORM,
            Initializer.ZEROS),
        Conv2D.separable(4, 1, 3, 1, 1, Padding.SAME, Activation.RELU, true, Initializer.GLOROT_UNIFORM,
            Initializer.ZEROS),
        MaxPool2D.average(2, 1, Padding.SAME),
        Crop2D.zeroPadding(1, 2, 3, 4),
        Crop2D.cropping(1, 2, 3, 4),
        Dropout.spatial(0.2f, 2),
        GaussianNoise.additive(0.1f, 3),
        GaussianNoise.dropout(0.2f, 4),
        new LayerNormalization(-1, 1e-4f, true, false),
        new ReLU(0.1f, 6f, 0.5f),
        ReLU.leaky(0.2f),
        new PReLU(new int[] {1, 2}, Initializer.ZEROS),
        new Elu(0.5f),
        new RandomContrast(0.1f, 0.2f, 0f, 255f, 5),
        new BatchNormalization(0.9f, 1e-4f, true, false),
        new ActivationLayer(Activation.TANH),
        new MaxPool2D(2, 1, Padding.SAME),
        new Conv2D(6, 5, 1, Padding.VALID, Activation.LINEAR, false),
        new BatchNormalization(),
        new MaxPool2D(2),
        new GlobalPooling2D(true, true),
        new Softmax(),
        new Reshape(-1),
        new Dense(16, Activation.SIGMOID, false),
        new Dropout(0.3f, 1),
        new Flatten(),
        new Dense(10, Activation.SOFTMAX));
  }

  /**
   * A Functional model: augmentation that becomes several Keras layers, a residual block (Add), an
   * Inception-like Concatenate of two branches, and a layer applied twice (the shared 1x1 conv).
   * Each call builds it anew (fresh layers). {@code split}: the augmentation as the three layers
   * Keras has for it (rotation, zoom, translation), which is what the written file reads back as.
   */
  private static Model functional(boolean split) {
    Model.Builder b = Model.builder("branches");
    Model.Tensor x = b.input();
    for (RandomAffine a : split ? List.of(new RandomAffine(10f, 0f, 0f, 1), new RandomAffine(0f, 0.1f, 0f, 1),
        new RandomAffine(0f, 0f, 0.1f, 1)) : List.of(new RandomAffine(10f, 0.1f, 0.1f, 1))) {
      x = b.apply(a, x);
    }
    x = b.apply(new Conv2D(4, 3, 2, Padding.SAME, Activation.RELU, true), x);
    Model.Tensor y = b.apply(new BatchNormalization(), b.apply(new Conv2D(4, 3, Padding.SAME, Activation.RELU), x));
    x = b.apply(new Merging(Merging.Op.ADD), x, y);
    Conv2D shared = new Conv2D(4, 1, Padding.SAME, Activation.RELU);
    Model.Tensor left = b.apply(shared, b.apply(MaxPool2D.average(2, 1, Padding.SAME), x));
    Model.Tensor right = b.apply(shared, b.apply(Conv2D.separable(4, 1, 3, 1, 1, Padding.SAME, Activation.LINEAR,
        true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS), x));
    x = b.apply(new Concatenate(-1), left, right, x);
    x = b.apply(new GlobalPooling2D(false, false), x);
    return b.output(b.apply(new Dense(10, Activation.SOFTMAX), x));
  }

  @ParameterizedTest
  @ValueSource(strings = {".keras", ".h5"})
  void aFunctionalModelWrittenAsKerasReadsBackToTheSameGraphWeightsAndProbabilities(String suffix, @TempDir Path dir) {
    Weights weights = randomWeights(functional(false), 11);
    Path file = dir.resolve("branches" + suffix);
    KerasWriter.write(file, functional(false), weights, KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.notebook(), 100)));

    // The file lists the layers in Keras's order (by depth), so compare them as sets; the exact
    // probabilities below prove the graph and the weights.
    KerasModel read = KerasModel.load(file);
    assertEquals(sortedLayers(functional(true)), sortedLayers(read.create()));
    assertEquals(weights.values().size(), read.weights().values().size());
    assertEquals(sortedValues(weights), sortedValues(read.weights()));
    Dataset images = SyntheticDigits.formula(8);
    float[][] expected = probabilities(functional(false), weights, images);
    try (Predictor p = Predictor.open(file, Predictor.DEFAULT_INPUT_SCALE)) {
      assertEquals(0.0, KerasFixtures.maxAbsDifference(expected, p.predict(images)), 0.0);
    }
  }

  /**
   * Keras lists a Functional model's layers (and counts their saving keys, and orders the
   * optimizer's variables) by depth from the output, then in the order a walk from the output meets
   * them, not in the order they were defined. The same model built in Keras 3.15 (shortcut defined
   * first) has {@code model.layers}: input, conv 3x3, conv 3x3 strides 2, the 1x1 shortcut, conv
   * 3x3, add, flatten, dense.
   */
  @Test
  void aFunctionalModelsLayersAreWrittenInKerasOrder(@TempDir Path dir) throws IOException {
    Model.Builder b = Model.builder("residual");
    Model.Tensor x = b.apply(new Conv2D(4, 3, Padding.SAME, Activation.RELU), b.input());
    Model.Tensor shortcut = b.apply(new Conv2D(8, 1, 2, Padding.VALID, Activation.LINEAR, false), x);
    Model.Tensor y = b.apply(new Conv2D(8, 3, 2, Padding.SAME, Activation.RELU, false), x);
    y = b.apply(new Conv2D(8, 3, 1, Padding.SAME, Activation.LINEAR, false), y);
    Model.Tensor out = b.apply(new Dense(10, Activation.SOFTMAX), b.apply(new Flatten(),
        b.apply(new Merging(Merging.Op.ADD), shortcut, y)));
    Model model = b.output(out);
    Path file = dir.resolve("residual.keras");
    KerasWriter.write(file, model, randomWeights(model, 3), KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.notebook(), 100)));

    JsonNode config;
    try (ZipFile zip = new ZipFile(file.toFile())) {
      config = JSON.readTree(zip.getInputStream(zip.getEntry("config.json")));
    }
    List<String> convs = new ArrayList<>();
    for (JsonNode layer : config.path("config").path("layers")) {
      if (layer.path("class_name").asText().equals("Conv2D")) {
        convs.add(layer.path("name").asText() + " " + layer.path("config").path("kernel_size").get(0).asInt());
      }
    }
    assertEquals(List.of("conv2d 3", "conv2d_1 3", "conv2d_2 1", "conv2d_3 3"), convs);
    assertEquals("[\"dense\",0,0]", config.path("config").path("output_layers").toString());
  }

  /** A state that lacks a slot the optimizer has (another optimizer's) is refused, not written short. */
  @Test
  void aStateWithoutTheOptimizersSlotsIsRefused(@TempDir Path dir) {
    Sequential model = new Sequential("every-layer", everyLayer());
    Weights sgd = new Weights(List.of(new Weights.Value("sgd/every_layer_01_conv2d_kernel_momentum",
        org.tensorflow.ndarray.Shape.of(3, 3, 1, 4), new float[36])));
    Path file = dir.resolve("sgd.keras");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> KerasWriter.write(file, model,
        randomWeights(new Sequential("every-layer", everyLayer()), 1),
        new KerasWriter.Training(Trainer.Compiled.of(TrainConfig.notebook(), 1), 3, sgd)));
    assertTrue(e.getMessage().contains("no optimizer variable"), e.getMessage());
    assertFalse(Files.exists(file), "nothing written");
  }

  /** Each weight array's shape and values, sorted (the file's variable order is Keras's, not the model's). */
  private static List<String> sortedValues(Weights weights) {
    return weights.values().stream().map(v -> v.shape() + java.util.Arrays.toString(v.data())).sorted().toList();
  }

  private static List<String> sortedLayers(Model model) {
    return model.layers().stream().map(Component::describe).sorted().toList();
  }

  /**
   * A Functional model in tf-keras's dialect, as tf-keras 2.21 saves the same residual model
   * ({@code tf_keras.models.save_model(model, "x.h5")}, read back with h5py; tf-keras numbers the
   * convs in the order they were created, so its names differ): class Functional, the
   * layers in tf-keras's {@code model.layers} order, each call's inputs as {@code [name, call, 0,
   * {}]}, the shared layer with two calls, and {@code model_weights}' layers with weights in that
   * same order, which is how tf-keras's legacy loader matches them.
   */
  @Test
  void aFunctionalModelIsWrittenInTfKerasDialect(@TempDir Path dir) throws IOException {
    Model.Builder b = Model.builder("residual");
    Model.Tensor x = b.apply(new Conv2D(4, 3, Padding.SAME, Activation.RELU), b.input());
    Model.Tensor shortcut = b.apply(new Conv2D(8, 1, 2, Padding.VALID, Activation.LINEAR, false), x);
    Model.Tensor y = b.apply(new Conv2D(8, 3, 2, Padding.SAME, Activation.RELU, false), x);
    y = b.apply(new BatchNormalization(), b.apply(new Conv2D(8, 3, 1, Padding.SAME, Activation.LINEAR, false), y));
    Dense shared = new Dense(8, Activation.RELU);
    Model.Tensor pooled = b.apply(new GlobalPooling2D(false, false), b.apply(new Merging(Merging.Op.ADD), shortcut, y));
    Model.Tensor out = b.apply(new Dense(10, Activation.SOFTMAX), b.apply(shared, b.apply(shared, pooled)));
    Model model = b.output(out);
    Path file = dir.resolve("residual.h5");
    KerasWriter.write(file, model, randomWeights(model, 3), KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.notebook(), 100)));

    JsonNode config;
    List<String> weighted;
    try (HdfFile h5 = new HdfFile(file)) {
      config = JSON.readTree((String) h5.getAttribute("model_config").getData());
      weighted = List.of((String[]) h5.getByPath("model_weights").getAttribute("layer_names").getData());
    }
    assertEquals("Functional", config.path("class_name").asText());
    List<String> layers = new ArrayList<>();
    List<String> withWeights = new ArrayList<>();
    for (JsonNode layer : config.path("config").path("layers")) {
      layers.add(layer.path("name").asText() + " " + layer.path("inbound_nodes"));
      if (!List.of("InputLayer", "Add", "GlobalAveragePooling2D").contains(layer.path("class_name").asText())) {
        withWeights.add(layer.path("name").asText());
      }
    }
    assertEquals(List.of("input_1 []",
        "conv2d [[[\"input_1\",0,0,{}]]]",
        "conv2d_1 [[[\"conv2d\",0,0,{}]]]", // 3x3, strides 2
        "conv2d_2 [[[\"conv2d_1\",0,0,{}]]]",
        "conv2d_3 [[[\"conv2d\",0,0,{}]]]", // the 1x1 shortcut, after both 3x3 convs as in tf-keras
        "batch_normalization [[[\"conv2d_2\",0,0,{}]]]",
        "add [[[\"conv2d_3\",0,0,{}],[\"batch_normalization\",0,0,{}]]]",
        "global_average_pooling2d [[[\"add\",0,0,{}]]]",
        "dense [[[\"global_average_pooling2d\",0,0,{}]],[[\"dense\",0,0,{}]]]",
        "dense_1 [[[\"dense\",1,0,{}]]]"), layers);
    assertEquals("[[\"input_1\",0,0]]", config.path("config").path("input_layers").toString());
    assertEquals("[[\"dense_1\",0,0]]", config.path("config").path("output_layers").toString());
    assertEquals(withWeights, weighted);
  }

  /** The layers that do not fit in {@link #everyLayer}'s chain: merges, and pooling to a vector. */
  private static List<Component> otherComponents() {
    List<Component> others = new ArrayList<>(List.of(new GlobalPooling2D(false, false), new Concatenate(2)));
    for (Merging.Op op : Merging.Op.values()) {
      others.add(new Merging(op));
    }
    return others;
  }

  @Test
  void eachLayerReadsBackFromItsKerasConfigAsTheSameLayer() {
    List<Component> all = new ArrayList<>(everyLayer());
    all.addAll(otherComponents());
    for (Component layer : all) {
      List<LayerFactory.KerasLayer> keras = LayerFactory.toKeras(layer);
      assertEquals(1, keras.size(), layer.describe());
      LayerConfig config = new LayerConfig("test.keras", 1, "layer", keras.get(0).className(), "layer",
          KerasWriter.layerConfig("layer", keras.get(0)));
      assertEquals(layer.describe(), LayerFactory.create(config, 1).describe(), keras.get(0).className());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {".keras", ".h5"})
  void aWrittenFileReadsBackToTheSameLayersWeightsAndProbabilities(String suffix, @TempDir Path dir) {
    Sequential model = new Sequential("every-layer", everyLayer());
    Weights weights = randomWeights(new Sequential("every-layer", everyLayer()), 7);
    Path file = dir.resolve("model" + suffix);
    KerasWriter.write(file, model, weights, KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.notebook(), 100)));

    KerasModel read = KerasModel.load(file);
    List<String> described = read.create().layers().stream().map(io.digits.model.Component::describe).toList();
    assertEquals(everyLayer().stream().map(Layer::describe).toList(), described);
    assertEquals(weights.values().size(), read.weights().values().size());
    for (int i = 0; i < weights.values().size(); i++) {
      assertEquals(weights.values().get(i).shape(), read.weights().values().get(i).shape());
      assertArrayEquals(weights.values().get(i).data(), read.weights().values().get(i).data(), 0f);
    }
    Dataset images = SyntheticDigits.formula(8);
    float[][] expected = probabilities(new Sequential("every-layer", everyLayer()), weights, images);
    try (Predictor p = Predictor.open(file, Predictor.DEFAULT_INPUT_SCALE)) {
      assertEquals(0.0, KerasFixtures.maxAbsDifference(expected, p.predict(images)), 0.0);
    }
  }

  /**
   * Every group, dataset and attribute of the written HDF5 reads back, the root's {@code vars} group
   * too (KerasModel never reads it; jhdf's own WritableHdfFile.close() broke it, see KerasWriter).
   */
  @ParameterizedTest
  @ValueSource(strings = {".keras", ".h5"})
  void everyObjectOfTheWrittenHdf5Reads(String suffix, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("model" + suffix);
    KerasWriter.write(file, Architecture.DOUBLE_CONV.create(), randomWeights(Architecture.DOUBLE_CONV.create(), 3),
        KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.notebook(), 100)));
    List<String> paths = new ArrayList<>();
    if (suffix.equals(".keras")) {
      try (ZipFile zip = new ZipFile(file.toFile());
          HdfFile h5 = HdfFile.fromBytes(zip.getInputStream(zip.getEntry("model.weights.h5")).readAllBytes())) {
        walk(h5, paths);
      }
      assertTrue(paths.contains("/vars [name]"), paths.toString());
      assertTrue(paths.contains("/optimizer/vars/9 []"), paths.toString()); // iterations, rate, 8 velocities
    } else {
      try (HdfFile h5 = new HdfFile(file)) {
        walk(h5, paths);
      }
      assertTrue(paths.contains("/model_weights/dense_1/dense_1/bias:0 []"), paths.toString());
    }
  }

  /** Reads every node below {@code node}: its attributes, and a dataset's data; records "path [attribute names]". */
  private static void walk(io.jhdf.api.Node node, List<String> paths) {
    node.getAttributes().values().forEach(io.jhdf.api.Attribute::getData);
    paths.add(node.getPath().replaceAll("(.)/$", "$1") + " " + node.getAttributes().keySet().stream().sorted().toList());
    if (node instanceof io.jhdf.api.Dataset d) {
      d.getData();
    } else if (node instanceof io.jhdf.api.Group g) {
      g.forEach(child -> walk(child, paths));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"keras3_tiny_conv.keras", "tfkeras_tiny_batch_norm.h5"})
  void aKerasFileWrittenAgainScoresAsKerasScoredIt(String fixture, @TempDir Path dir) {
    KerasModel original = KerasModel.load(KerasFixtures.path(fixture));
    float[][] keras = KerasFixtures.readCsv(KerasFixtures.path(fixture + ".expected.csv"));
    for (String suffix : List.of(".keras", ".h5")) {
      Path file = dir.resolve("again" + suffix);
      KerasWriter.write(file, original.create(), original.weights(), KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.notebook(), 1)));
      try (Predictor p = Predictor.open(file, Predictor.DEFAULT_INPUT_SCALE)) {
        double diff = KerasFixtures.maxAbsDifference(keras, p.predict(SyntheticDigits.formula(16)));
        assertTrue(diff <= 1e-5, fixture + " -> " + suffix + ": max abs difference " + diff);
      }
    }
  }

  /**
   * Each optimizer with the variables Keras 3.15 keeps for it after iterations and the learning
   * rate, in its order (printed by Keras for a Dense layer: {@code [v.path for v in
   * optimizer.variables]}): groups of slots, each group variable by variable, then scalars.
   */
  static Stream<Arguments> optimizersAndKerasSlots() {
    return Stream.of(
        Arguments.of(new RmsProp(0.002f), List.of(List.of("velocity")), List.of()),
        Arguments.of(new RmsProp(0.002f, 0.9, 0.5, 1e-7, true, Optimizer.BaseOptions.NONE),
            List.of(List.of("velocity"), List.of("momentum"), List.of("average_gradient")), List.of()),
        Arguments.of(new Sgd(0.002f), List.of(), List.of()),
        Arguments.of(new Sgd(0.002f, 0.9, true, Optimizer.BaseOptions.NONE), List.of(List.of("momentum")), List.of()),
        Arguments.of(new Adam(0.002f), List.of(List.of("momentum", "velocity")), List.of()),
        Arguments.of(new Adam(0.002f, 0.9, 0.999, 1e-7, true, new Optimizer.BaseOptions(0.004, GradientClipping.NONE),
            true), List.of(List.of("momentum", "velocity"), List.of("velocity_hat")), List.of()),
        Arguments.of(new Nadam(0.002f), List.of(List.of("momentum", "velocity")), List.of("u_product")));
  }

  /** Keras 3's optimizer variables after 3 Java steps, equal to Java's state, and the compile settings that name them. */
  @ParameterizedTest
  @MethodSource("optimizersAndKerasSlots")
  void theOptimizerStateIsWrittenInKerasOrder(Optimizer optimizer, List<List<String>> groups, List<String> scalars,
      @TempDir Path dir) throws IOException {
    Dataset rows = SyntheticDigits.labeled(12, 3);
    Sequential model = Architecture.SIMPLE.create(0f);
    Weights slots;
    try (TrainingGraph graph = new TrainingGraph(model, rows, rows.head(4), optimizer,
        ConfigProto.getDefaultInstance())) {
      graph.start(randomWeights(Architecture.SIMPLE.create(0f), 1), 1);
      for (int step = 0; step < 3; step++) {
        graph.step(new int[] {4 * step, 4 * step + 1, 4 * step + 2, 4 * step + 3});
      }
      slots = graph.optimizerState();
      Path file = dir.resolve("trained.keras");
      Trainer.Compiled compiled = new Trainer.Compiled(optimizer, LearningRateSchedule.constant(0.002f), Loss.NOTEBOOK);
      KerasWriter.write(file, Architecture.SIMPLE.create(0f), graph.weights(),
          new KerasWriter.Training(compiled, graph.stepsTaken(), slots));

      try (ZipFile zip = new ZipFile(file.toFile());
          HdfFile h5 = HdfFile.fromBytes(zip.getInputStream(zip.getEntry("model.weights.h5")).readAllBytes())) {
        // int64 and float32 scalars, as Keras's iterations and learning_rate variables
        assertEquals(3L, (Long) h5.getDatasetByPath("optimizer/vars/0").getData());
        assertEquals(0.002f, (Float) h5.getDatasetByPath("optimizer/vars/1").getData());
        int index = 2;
        for (List<String> group : groups) {
          for (var p : model.parameters().trainable()) {
            for (String suffix : group) {
              String name = p.name().replace('/', '_') + "_" + suffix;
              float[] written = flat(h5.getDatasetByPath("optimizer/vars/" + index++).getDataFlat());
              assertArrayEquals(state(slots, name), written, 0f, name);
              assertTrue(nonZero(written), name + " is all zero");
            }
          }
        }
        for (String scalar : scalars) {
          float written = (Float) h5.getDatasetByPath("optimizer/vars/" + index++).getData();
          assertEquals(state(slots, scalar)[0], written, scalar);
          assertTrue(written != 1f, scalar + " is still its start value");
        }
        assertEquals(index, h5.getByPath("optimizer/vars") instanceof io.jhdf.api.Group g ? g.getChildren().size() : -1);
        JsonNode compile = JSON.readTree(zip.getInputStream(zip.getEntry("config.json"))).path("compile_config");
        assertEquals(optimizer.kerasName(), compile.path("optimizer").path("class_name").asText());
        assertEquals(compiled, CompileSettings.parse("trained.keras", "compile_config", compile).compiled());
      }
    }
  }

  private static float[] state(Weights slots, String name) {
    return slots.values().stream().filter(v -> v.name().endsWith("/" + name)).findFirst().orElseThrow().data();
  }

  /** bn-cnn's default run goes to Keras with its schedule: CosineDecay from 0 with the warm-up to the peak. */
  @Test
  void bnCnnsDefaultRecipeIsWrittenAsKerasCosineDecayWithWarmup(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bn.keras");
    KerasWriter.write(file, Architecture.SIMPLE.create(), randomWeights(Architecture.SIMPLE.create(), 1),
        KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.defaults(Architecture.BN_CNN), 37_800)));
    try (ZipFile zip = new ZipFile(file.toFile())) {
      JsonNode rate = JSON.readTree(zip.getInputStream(zip.getEntry("config.json")))
          .path("compile_config").path("optimizer").path("config").path("learning_rate");
      assertEquals("CosineDecay", rate.path("class_name").asText());
      JsonNode c = rate.path("config");
      // 37,800 rows / 64 = 591 steps an epoch: warm-up 0.5 epoch = 296 steps, decay 4.5 epochs = 2,660 steps
      assertEquals(0.0, c.path("initial_learning_rate").asDouble());
      assertEquals((double) 0.002f, c.path("warmup_target").asDouble());
      assertEquals(296, c.path("warmup_steps").asInt());
      assertEquals(2660, c.path("decay_steps").asInt());
      assertEquals(0.05, c.path("alpha").asDouble());
    }
  }

  @Test
  void aDecayingLearningRateIsKerasExponentialDecayWithNoRateVariable(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bn.keras");
    Sequential model = Architecture.SIMPLE.create();
    KerasWriter.write(file, model, randomWeights(Architecture.SIMPLE.create(), 1),
        KerasWriter.Training.fresh(new Trainer.Compiled(new Adam(0.001f),
            LearningRateSchedule.exponentialStaircase(0.001f, 591, 0.9), Loss.NOTEBOOK)));
    try (ZipFile zip = new ZipFile(file.toFile())) {
      JsonNode rate = JSON.readTree(zip.getInputStream(zip.getEntry("config.json")))
          .path("compile_config").path("optimizer").path("config").path("learning_rate");
      assertEquals("ExponentialDecay", rate.path("class_name").asText());
      assertEquals(591, rate.path("config").path("decay_steps").asInt());
      assertEquals(0.9, rate.path("config").path("decay_rate").asDouble());
      assertTrue(rate.path("config").path("staircase").asBoolean());
      try (HdfFile h5 = HdfFile.fromBytes(zip.getInputStream(zip.getEntry("model.weights.h5")).readAllBytes())) {
        // iterations, then (momentum, velocity) of the 4 trainable variables: no learning-rate variable
        assertEquals(9, ((io.jhdf.api.Group) h5.getByPath("optimizer/vars")).getChildren().size());
        assertEquals(0L, ((Number) h5.getDatasetByPath("optimizer/vars/0").getData()).longValue());
      }
    }
  }

  @Test
  void aFileNameThatIsNeitherKerasNorH5IsRefusedAndNothingIsWritten(@TempDir Path dir) {
    DigitsException e = assertThrows(DigitsException.class, () -> KerasWriter.write(dir.resolve("model.zip"),
        Architecture.SIMPLE.create(), randomWeights(Architecture.SIMPLE.create(), 1),
        KerasWriter.Training.fresh(Trainer.Compiled.of(TrainConfig.notebook(), 1))));
    assertTrue(e.getMessage().contains("model.zip: a Keras file name ends in .keras"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("model.zip")));
  }

  private static Weights randomWeights(Model model, long seed) {
    try (Graph graph = new Graph()) {
      model.build(Ops.create(graph));
      // Weights.initial draws zeros for biases and batch-norm offsets; random values everywhere check more.
      SplittableRandom random = new SplittableRandom(seed);
      List<Weights.Value> values = new ArrayList<>();
      for (var p : model.parameters().all()) {
        float[] data = new float[(int) p.shape().size()];
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) (p.name().endsWith("variance") ? 0.5 + random.nextDouble() : random.nextGaussian() * 0.2);
        }
        values.add(new Weights.Value(p.name(), p.shape(), data));
      }
      return new Weights(values);
    }
  }

  /** What the model computes from its own layers in a graph of its own. */
  private static float[][] probabilities(Model model, Weights weights, Dataset images) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      model.build(tf);
      Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Sequential.INPUT_SHAPE));
      Operand<TFloat32> output = model.output(tf, input, false);
      try (Session session = new Session(graph); TFloat32 x = images.images(0, images.size())) {
        weights.assignTo(session, model.parameters());
        try (Result r = session.runner().feed(input, x).fetch(output).run()) {
          TFloat32 out = (TFloat32) r.get(0);
          float[][] rows = new float[images.size()][10];
          for (int i = 0; i < rows.length; i++) {
            out.get(i).copyTo(DataBuffers.of(rows[i], false, false));
          }
          return rows;
        }
      }
    }
  }

  private static float[] flat(Object data) {
    return (float[]) data;
  }

  private static boolean nonZero(float[] a) {
    for (float x : a) {
      if (x != 0) {
        return true;
      }
    }
    return false;
  }
}
