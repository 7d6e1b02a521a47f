package io.digits.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KerasConfigTest {

  @Test
  void snakeCaseIsKerasNaming() {
    assertEquals(List.of("conv2d", "max_pooling2d", "batch_normalization", "input_layer", "dense"),
        List.of("Conv2D", "MaxPooling2D", "BatchNormalization", "InputLayer", "Dense").stream()
            .map(KerasConfig.SavingKeys::snakeCase).toList());
  }

  /**
   * Where a .keras file does not name its layer groups, weights are found by the key Keras 3 saved
   * them under: check the computed keys against real Keras 3 files, whose groups are also named.
   */
  @ParameterizedTest
  @ValueSource(strings = {"keras3_tiny_conv.keras", "keras3_tiny_batch_norm.keras"})
  void savingKeysAreTheGroupsKeras3Wrote(String name) throws IOException {
    Path file = KerasFixtures.path(name);
    try (ZipFile zip = new ZipFile(file.toFile());
        HdfFile h5 = HdfFile.fromBytes(zip.getInputStream(zip.getEntry("model.weights.h5")).readAllBytes())) {
      KerasConfig config = KerasConfig.parse(name, new ObjectMapper().readTree(zip.getInputStream(zip.getEntry("config.json"))));
      for (LayerConfig layer : config.layers()) {
        Group vars = (Group) h5.getByPath("layers/" + layer.savingKey() + "/vars");
        assertEquals(layer.name(), vars.getAttribute("name").getData(), "group layers/" + layer.savingKey());
      }
    }
  }

  @Test
  void inputShapesOfBothWritersAreRead() {
    assertArrayEquals(new long[] {-1, 28, 28},
        KerasModel.load(KerasFixtures.path("tfkeras_tiny_batch_norm.h5")).create().inputShape().asArray());
    assertArrayEquals(new long[] {-1, 28, 28, 1},
        KerasModel.load(KerasFixtures.path("keras3_tiny_conv.h5")).create().inputShape().asArray());
  }
}
