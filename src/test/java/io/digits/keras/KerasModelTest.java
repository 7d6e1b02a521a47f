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
        config -> ((ObjectNode) layer(config, 3).path("config")).set("dilation_rate", JSON.valueToTree(new int[] {2, 2})));
    String name = layer(readConfig(KerasFixtures.path("keras3_tiny_conv.keras")), 3).path("config").path("name").asText();
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertEquals(file + ": layer 3 '" + name + "' (Conv2D): dilation_rate (2, 2) is not supported", e.getMessage());
  }

  @Test
  void anUnsupportedLayerIsNamedWithItsPosition(@TempDir Path dir) throws IOException {
    Path file = withConfig(dir, "keras3_tiny_conv.keras",
        config -> ((ObjectNode) layer(config, 4)).put("class_name", "GlobalAveragePooling2D"));
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertTrue(e.getMessage().startsWith(file + ": layer 4 "), e.getMessage());
    assertTrue(e.getMessage().contains("(GlobalAveragePooling2D): this kind of layer is not supported"), e.getMessage());
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
        config -> ((ObjectNode) layer(config, 1).path("config")).put("activation", "gelu"));
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertTrue(e.getMessage().endsWith("(Conv2D): activation 'gelu' is not supported"), e.getMessage());
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
  void aModelThatIsNotAChainIsRefused(@TempDir Path dir) throws IOException {
    // Feed the last layer from two layers, as an Add would be.
    Path file = withConfig(dir, "keras3_tiny_batch_norm.keras", config -> {
      var layers = config.path("config").path("layers");
      var args = (com.fasterxml.jackson.databind.node.ArrayNode) layers.get(layers.size() - 1)
          .path("inbound_nodes").get(0).path("args");
      args.add(args.get(0).deepCopy());
    });
    DigitsException e = assertThrows(DigitsException.class, () -> KerasModel.load(file));
    assertTrue(e.getMessage().contains("takes 2 inputs"), e.getMessage());
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
}
