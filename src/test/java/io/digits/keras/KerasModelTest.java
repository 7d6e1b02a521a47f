package io.digits.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.DigitsException;
import io.digits.model.Activation;
import io.digits.model.Conv2D;
import io.digits.model.Dense;
import io.digits.model.Dropout;
import io.digits.model.Flatten;
import io.digits.model.MaxPool2D;
import io.digits.model.Padding;
import io.digits.model.Sequential;
import io.digits.scoring.Predictor;
import io.digits.data.Dataset;
import io.digits.testing.SyntheticDigits;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class KerasModelTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @FieldSource("io.digits.keras.KerasFixtures#FILES")
  void probabilitiesEqualKerasWithin1e5(String name) {
    Path file = KerasFixtures.path(name);
    float[][] expected = KerasFixtures.readCsv(file.resolveSibling(name + ".expected.csv"));
    try (Predictor p = Predictor.open(file, Predictor.DEFAULT_INPUT_SCALE)) {
      float[][] actual = p.predict(SyntheticDigits.formula(16));
      double diff = KerasFixtures.maxAbsDifference(expected, actual);
      assertTrue(diff <= 1e-5, name + ": max abs difference " + diff);
      assertTrue(p.description().contains(name), p.description());
    }
  }

  @Test
  void wiresEveryWeightArrayOfTheFileByCount() {
    KerasModel m = KerasModel.load(KerasFixtures.path("keras3_tiny_batch_norm.keras"));
    // conv kernel (no bias), BN x4, conv kernel+bias, dense kernel (no bias), BN x4, dense kernel+bias
    assertEquals(14, m.weights().values().size());
    assertTrue(m.classifier());
    assertEquals(10, m.outputShape().size(1));
  }

  @Test
  void weightsForAModelWithTheSameLayersAreTheFilesAndDropoutRatesMayDiffer() {
    KerasModel m = KerasModel.load(KerasFixtures.path("tfkeras_tiny_conv.h5"));
    Sequential same = new Sequential("same", List.of(
        new Conv2D(4, 3, 2, Padding.SAME, Activation.RELU, true),
        new MaxPool2D(2, 2, Padding.SAME),
        new Conv2D(6, 3, Padding.VALID, Activation.TANH),
        new Flatten(),
        new Dense(16, Activation.SIGMOID),
        new Dropout(0.1f, 1),
        new Dense(10, Activation.SOFTMAX)));
    assertEquals(m.weights(), m.weightsFor(same));
    Sequential other = new Sequential("other", List.of(new Flatten(), new Dense(10, Activation.SOFTMAX)));
    DigitsException e = assertThrows(DigitsException.class, () -> m.weightsFor(other));
    assertTrue(e.getMessage().contains("its layers do not match model 'other': layer 1 is Conv2D(4, 3x3, strides 2,"
        + " same, relu) in the file but Flatten() in the model"), e.getMessage());
  }

  @Test
  void anUnsupportedOptionIsNamedWithTheLayerAndItsPosition(@TempDir Path dir) throws IOException {
    Path file = withConfig(dir, "keras3_tiny_conv.keras",
        config -> ((ObjectNode) layer(config, 3).path("config")).put("data_format", "channels_first"));
    String name = layer(readConfig(KerasFixtures.path("keras3_tiny_conv.keras")), 3).path("config").path("name").asText();
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertEquals(file + ": layer 3 '" + name + "' (Conv2D): data_format 'channels_first' is not supported", e.getMessage());
  }

  @Test
  void anUnsupportedLayerIsNamedWithItsPosition(@TempDir Path dir) throws IOException {
    Path file = withConfig(dir, "keras3_tiny_conv.keras",
        config -> ((ObjectNode) layer(config, 4)).put("class_name", "UpSampling2D"));
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertTrue(e.getMessage().startsWith(file + ": layer 4 "), e.getMessage());
    assertTrue(e.getMessage().contains("(UpSampling2D): this kind of layer is not supported"), e.getMessage());
  }

  @Test
  void anUnknownOptionThatIsSetIsRefusedNotIgnored(@TempDir Path dir) throws IOException {
    Path file = withConfig(dir, "keras3_tiny_conv.keras",
        config -> ((ObjectNode) layer(config, 5).path("config")).put("lora_rank", 4));
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertTrue(e.getMessage().contains("layer 5 ") && e.getMessage().endsWith("(Dense): option lora_rank 4 is not supported"),
        e.getMessage());
  }

  @Test
  void anUnsupportedActivationIsNamed(@TempDir Path dir) throws IOException {
    Path file = withConfig(dir, "keras3_tiny_conv.keras",
        config -> ((ObjectNode) layer(config, 1).path("config")).put("activation", "mish"));
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertTrue(e.getMessage().endsWith("(Conv2D): activation 'mish' is not supported"), e.getMessage());
  }

  @Test
  void weightsThatDoNotFitTheConfigAreAClearError(@TempDir Path dir) throws IOException {
    Path file = withConfig(dir, "keras3_tiny_conv.keras",
        config -> ((ObjectNode) layer(config, 1).path("config")).put("filters", 5));
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertTrue(e.getMessage().contains("layer 1 ") && e.getMessage().contains(
        "weight 'kernel' has shape [3, 3, 1, 4] in the file, the layer needs [3, 3, 1, 5]"), e.getMessage());
  }

  @Test
  void aSingleInputLayerGivenTwoInputsIsRefused(@TempDir Path dir) throws IOException {
    // Feed the last layer from two layers, as an Add would be.
    Path file = withConfig(dir, "keras3_tiny_batch_norm.keras", config -> {
      var layers = config.path("config").path("layers");
      var args = (com.fasterxml.jackson.databind.node.ArrayNode) layers.get(layers.size() - 1)
          .path("inbound_nodes").get(0).path("args");
      args.add(args.get(0).deepCopy());
    });
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertTrue(e.getMessage().endsWith("(Activation): takes 2 inputs; it takes one"), e.getMessage());
  }

  @Test
  void regularizersAndConstraintsAreReadForTraining(@TempDir Path dir) throws IOException {
    Path file = withConfig(dir, "keras3_tiny_conv.keras", config -> {
      ObjectNode dense = (ObjectNode) layer(config, 5).path("config");
      dense.set("kernel_regularizer", JSON.valueToTree(java.util.Map.of("class_name", "L1L2",
          "config", java.util.Map.of("l1", 0.001, "l2", 0.01))));
      dense.set("bias_constraint", JSON.valueToTree(java.util.Map.of("class_name", "NonNeg", "config", java.util.Map.of())));
    });
    KerasModel m = KerasModel.load(file);
    assertEquals(List.of(), m.unsupportedForTraining());
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      var model = m.create().build(org.tensorflow.op.Ops.create(g));
      assertEquals(1, model.losses(org.tensorflow.op.Ops.create(g)).size(), "the kernel's penalty");
      var bias = model.parameters().all().stream().filter(p -> p.name().endsWith("dense/bias")).findFirst().orElseThrow();
      assertTrue(model.parameters().constraint(bias) instanceof io.digits.model.Constraint.NonNeg);
    }
    Path activity = withConfig(dir.resolve("b"), "keras3_tiny_conv.keras", config -> ((ObjectNode) layer(config, 7)
        .path("config")).set("activity_regularizer", JSON.valueToTree(java.util.Map.of("class_name", "L2",
            "config", java.util.Map.of("l2", 0.01)))));
    KerasModel withActivity = KerasModel.load(activity);
    assertEquals(List.of(), withActivity.unsupportedForTraining());
    // Keras 3: l2 * sum(output^2) / batch size, on the layer's activated output (here the softmax head)
    Dataset images = SyntheticDigits.formula(6);
    try (org.tensorflow.Graph g = new org.tensorflow.Graph();
        org.tensorflow.Session session = new org.tensorflow.Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      var model = withActivity.create().build(tf);
      try (org.tensorflow.types.TFloat32 x = images.images(0, images.size())) {
        var input = tf.constant(x);
        model.logits(tf, input, true);
        assertEquals(1, model.activityLosses().size(), "the head's activity penalty");
        var penalty = model.activityLosses().get(0);
        // the same training pass again (dropout's mask is a function of the fed step seed): its probabilities
        var probabilities = model.output(tf, input, true);
        withActivity.weights().assignTo(session, model.parameters());
        try (org.tensorflow.types.TInt64 seed = org.tensorflow.types.TInt64.vectorOf(3, 0);
            org.tensorflow.Result r = session.runner().feed(model.parameters().stepSeedOrNull(), seed)
                .fetch(penalty).fetch(probabilities).run()) {
          float[][] p = io.digits.scoring.Scores.rows((org.tensorflow.types.TFloat32) r.get(1));
          double expected = 0;
          for (float[] row : p) {
            for (float v : row) {
              expected += 0.01 * v * v;
            }
          }
          expected /= images.size();
          // a float32 sum of 60 squares: a few ulps of its size
          assertEquals(expected, ((org.tensorflow.types.TFloat32) r.get(0)).getFloat(), 1e-6 * expected);
        }
      }
    }
  }

  @Test
  void aSharedLayerAndANestedModelLoadOnceEachAndTheSummaryShowsTheGraph() {
    for (String name : List.of("keras3_tiny_residual.keras", "keras3_tiny_residual.h5", "tfkeras_tiny_residual.h5")) {
      KerasModel m = KerasModel.load(KerasFixtures.path(name));
      // stem 2 + block (conv 1, BN 4, conv 2) + shared 2 (once, though applied twice) + BN 4 + dense 2
      assertEquals(17, m.weights().values().size(), name);
      List<String> summary = m.summary();
      assertTrue(summary.stream().anyMatch(l -> l.contains("shared (Conv2D)") && l.endsWith("<- add | max_pooling2d_2")),
          name + ": " + summary);
      assertTrue(summary.stream().anyMatch(l -> l.contains("block (Sequential)")), name + ": " + summary);
    }
  }

  @Test
  void freshWeightsAreDrawnFromEachLayersConfiguredInitializer(@TempDir Path dir) throws IOException {
    Path file = withConfig(dir, "keras3_tiny_conv.keras", config -> {
      ObjectNode dense = (ObjectNode) layer(config, 5).path("config");
      dense.set("kernel_initializer", JSON.valueToTree(java.util.Map.of("class_name", "VarianceScaling",
          "config", java.util.Map.of("scale", 2.0, "mode", "fan_in", "distribution", "uniform"))));
      dense.set("bias_initializer", JSON.valueToTree(java.util.Map.of("class_name", "Constant",
          "config", java.util.Map.of("value", 0.5))));
    });
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      var model = KerasModel.load(file).create().build(org.tensorflow.op.Ops.create(g));
      var params = model.parameters().all();
      var kernel = params.stream().filter(p -> p.name().endsWith("dense/kernel")).findFirst().orElseThrow();
      var bias = params.stream().filter(p -> p.name().endsWith("dense/bias")).findFirst().orElseThrow();
      assertEquals(new io.digits.model.Initializer.VarianceScaling(2, io.digits.model.Initializer.FanMode.FAN_IN,
          io.digits.model.Initializer.Distribution.UNIFORM), kernel.initializer());
      assertEquals(new io.digits.model.Initializer.Constant(0.5f), bias.initializer());
      var conv = params.stream().filter(p -> p.name().endsWith("conv2d/kernel")).findFirst().orElseThrow();
      assertEquals(io.digits.model.Initializer.GLOROT_UNIFORM, conv.initializer(), "the fixture's own glorot_uniform");
    }
    Path unknown = withConfig(dir.resolve("u"), "keras3_tiny_conv.keras", config -> ((ObjectNode) layer(config, 5)
        .path("config")).put("kernel_initializer", "identity"));
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(unknown));
    assertTrue(e.getMessage().endsWith("(Dense): kernel_initializer 'identity' is not supported"), e.getMessage());
  }

  @Test
  void notAKerasFile(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("model.h5"), "hello");
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertEquals(file + ": not a Keras model file (neither a .keras zip nor HDF5)", e.getMessage());
  }

  /** Layer {@code index} of the config's list (0 is the InputLayer of these fixtures). */
  private static ObjectNode layer(ObjectNode config, int index) {
    return (ObjectNode) config.path("config").path("layers").get(index);
  }

  private static ObjectNode readConfig(Path keras) throws IOException {
    try (ZipFile zip = new ZipFile(keras.toFile())) {
      return (ObjectNode) JSON.readTree(zip.getInputStream(zip.getEntry("config.json")));
    }
  }

  /** A copy of the fixture {@code name} whose config.json is edited by {@code edit}. */
  private static Path withConfig(Path dir, String name, Consumer<ObjectNode> edit) throws IOException {
    Path source = KerasFixtures.path(name);
    ObjectNode config = readConfig(source);
    edit.accept(config);
    Files.createDirectories(dir);
    Path target = dir.resolve(name);
    try (ZipFile zip = new ZipFile(source.toFile());
        OutputStream out = Files.newOutputStream(target);
        ZipOutputStream copy = new ZipOutputStream(out)) {
      for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
        ZipEntry e = it.nextElement();
        copy.putNextEntry(new ZipEntry(e.getName()));
        copy.write(e.getName().equals("config.json") ? JSON.writeValueAsBytes(config)
            : zip.getInputStream(e).readAllBytes());
        copy.closeEntry();
      }
    }
    return target;
  }

  /** A file's own compile settings are what trains it, and --save-keras writes them back as the file had them. */
  @Test
  void aFileWithItsOwnOptimizerTrainsWithItAndIsWrittenBackWithIt(@TempDir Path dir) throws IOException {
    // keras3_tiny_conv.keras compiled as Keras 3 writes SGD(nesterov, ExponentialDecay) with categorical cross-entropy
    Path file = withConfig(dir.resolve("sgd"), "keras3_tiny_conv.keras",
        config -> config.set("compile_config", readJson("{\"optimizer\": {\"module\": \"keras.optimizers\", \"class_name\": \"SGD\", \"config\": {\"name\": \"sgd\", \"learning_rate\": {\"module\": \"keras.optimizers.schedules\", \"class_name\": \"ExponentialDecay\", \"config\": {\"initial_learning_rate\": 0.1, \"decay_steps\": 100, \"decay_rate\": 0.9, \"staircase\": true, \"name\": \"ExponentialDecay\"}, \"registered_name\": null}, \"weight_decay\": null, \"clipnorm\": null, \"global_clipnorm\": null, \"clipvalue\": null, \"use_ema\": false, \"ema_momentum\": 0.99, \"ema_overwrite_frequency\": null, \"loss_scale_factor\": null, \"gradient_accumulation_steps\": null, \"momentum\": 0.9, \"nesterov\": true}, \"registered_name\": null}, \"loss\": \"categorical_crossentropy\", \"loss_weights\": null, \"metrics\": [\"accuracy\"], \"weighted_metrics\": null, \"run_eagerly\": false, \"steps_per_execution\": 1, \"jit_compile\": false}")));
    Path csv = io.digits.testing.CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(100, 4));
    String models = dir.resolve("models").toString();
    var trained = io.digits.testing.CliRunner.digits("train", "--model", file.toString(), "--data", csv.toString(),
        "--epochs", "1", "--output", models);
    assertEquals(0, trained.code(), trained.err());
    assertTrue(trained.out().contains("Compiled with SGD("), "the file's optimizer: " + trained.out());
    Path out = dir.resolve("out.keras");
    var saved = io.digits.testing.CliRunner.digits("train", "--model", file.toString(), "--data", csv.toString(),
        "--epochs", "1", "--output", models, "--overwrite", "--save-keras", out.toString());
    assertEquals(0, saved.code(), saved.err());
    try (ZipFile written = new ZipFile(out.toFile()); ZipFile original = new ZipFile(file.toFile())) {
      assertEquals(JSON.readTree(original.getInputStream(original.getEntry("config.json"))).path("compile_config"),
          JSON.readTree(written.getInputStream(written.getEntry("config.json"))).path("compile_config"));
    }
    // and SGD's state: iterations, then a momentum per weight (two Conv2D and two Dense, kernel and bias; no rate variable)
    try (ZipFile written = new ZipFile(out.toFile());
        io.jhdf.HdfFile h5 = io.jhdf.HdfFile.fromBytes(
            written.getInputStream(written.getEntry("model.weights.h5")).readAllBytes())) {
      assertEquals(1 + 8, ((io.jhdf.api.Group) h5.getByPath("optimizer/vars")).getChildren().size());
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
