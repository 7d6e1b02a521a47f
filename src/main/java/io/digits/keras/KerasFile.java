package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.DigitsException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.tensorflow.ndarray.Shape;

/**
 * The contents of a Keras model file, read into memory: the model config (JSON) and every layer's
 * weight arrays. Two containers, three writers:
 *
 * <ul>
 *   <li>{@code .keras} (Keras 3): a zip of {@code config.json} and {@code model.weights.h5}, whose
 *       arrays are {@code layers/<key>/vars/0, 1, ...} in the layer's variable order; the
 *       {@code vars} group names its layer (attribute {@code name}), older writers only by key.
 *   <li>{@code .h5} (legacy HDF5, by tf-keras or Keras 3): attribute {@code model_config} on the root,
 *       arrays under {@code model_weights/<layer>/}, listed in order by the layer group's
 *       {@code weight_names} attribute ({@code dense/kernel:0} by tf-keras, {@code dense/kernel} or
 *       {@code sequential/dense/kernel} by Keras 3).
 * </ul>
 */
public final class KerasFile {

  /**
   * One weight array; {@code name} is the variable's own name (kernel, bias, ...) or null where the
   * file stores only positions; {@code layer} the layer its weight name gives (HDF5), else null.
   */
  public record Array(String layer, String name, Shape shape, float[] data) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path path;
  private final String format;
  private final JsonNode config;
  /** Weights by layer name, or by Keras 3 saving key where {@code keyed}. */
  private final Map<String, List<Array>> arrays;
  private final boolean keyed;
  private final String compileKey;
  private final JsonNode compileConfig;

  private KerasFile(Path path, String format, JsonNode config, Map<String, List<Array>> arrays, boolean keyed,
      String compileKey, JsonNode compileConfig) {
    this.path = path;
    this.format = format;
    this.config = config;
    this.arrays = arrays;
    this.keyed = keyed;
    this.compileKey = compileKey;
    this.compileConfig = compileConfig;
  }

  public static KerasFile read(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new DigitsException(path + ": no such file");
    }
    try {
      byte[] magic = new byte[4];
      try (InputStream in = Files.newInputStream(path)) {
        in.readNBytes(magic, 0, 4);
      }
      if (magic[0] == 'P' && magic[1] == 'K') {
        return readZip(path);
      }
      if ((magic[0] & 0xff) == 0x89 && magic[1] == 'H' && magic[2] == 'D' && magic[3] == 'F') {
        return readLegacyH5(path);
      }
      throw new DigitsException(path + ": not a Keras model file (neither a .keras zip nor HDF5)");
    } catch (IOException | RuntimeException e) {
      if (e instanceof DigitsException d) {
        throw d;
      }
      throw new DigitsException(path + ": cannot read the Keras file: " + e.getMessage(), e);
    }
  }

  private static KerasFile readZip(Path path) throws IOException {
    try (ZipFile zip = new ZipFile(path.toFile())) {
      JsonNode config = JSON.readTree(entry(zip, path, "config.json"));
      try (HdfFile h5 = HdfFile.fromBytes(entry(zip, path, "model.weights.h5"))) {
        Map<String, List<Array>> byName = new HashMap<>();
        Map<String, List<Array>> byKey = new HashMap<>();
        if (h5.getChild("layers") instanceof Group layers) {
          collect(layers, "", byName, byKey);
        }
        boolean named = !byName.isEmpty() && byName.size() == byKey.size();
        return new KerasFile(path, "Keras 3 .keras (" + keras(zip) + ")", config, named ? byName : byKey, !named,
            "compile_config", config.path("compile_config"));
      }
    }
  }

  /** Every layer group's {@code vars}, by key path ({@code sequential/layers/conv2d} in a nested model) and by name. */
  private static void collect(Group layers, String prefix, Map<String, List<Array>> byName,
      Map<String, List<Array>> byKey) {
    for (Node layer : layers) {
      if (layer instanceof Group g && g.getChild("vars") instanceof Group vars) {
        List<Array> values = positional(vars);
        byKey.put(prefix + g.getName(), values);
        if (vars.getAttribute("name") != null) {
          byName.put(string(vars.getAttribute("name")), values);
        }
      }
      if (layer instanceof Group g && g.getChild("layers") instanceof Group inner) {
        collect(inner, prefix + g.getName() + "/layers/", byName, byKey);
      }
    }
  }

  /** {@code vars/0, vars/1, ...} in numeric order. */
  private static List<Array> positional(Group vars) {
    return vars.getChildren().values().stream()
        .filter(n -> n instanceof Dataset && n.getName().matches("\\d+"))
        .sorted(Comparator.comparingInt(n -> Integer.parseInt(n.getName())))
        .map(n -> array(null, null, (Dataset) n))
        .toList();
  }

  private static String keras(ZipFile zip) throws IOException {
    ZipEntry metadata = zip.getEntry("metadata.json");
    if (metadata == null) {
      return "no metadata";
    }
    try (InputStream in = zip.getInputStream(metadata)) {
      return "keras " + JSON.readTree(in).path("keras_version").asText("unknown");
    }
  }

  private static byte[] entry(ZipFile zip, Path path, String name) throws IOException {
    ZipEntry e = zip.getEntry(name);
    if (e == null) {
      throw new DigitsException(path + ": not a Keras 3 model file: the zip holds no " + name);
    }
    try (InputStream in = zip.getInputStream(e)) {
      return in.readAllBytes();
    }
  }

  private static KerasFile readLegacyH5(Path path) throws IOException {
    try (HdfFile h5 = new HdfFile(path)) {
      Attribute modelConfig = h5.getAttribute("model_config");
      if (modelConfig == null) {
        throw new DigitsException(path + ": an HDF5 file without a model config (weights only?); "
            + "save the whole model with model.save(\"model.h5\") or model.save(\"model.keras\")");
      }
      JsonNode config = JSON.readTree(string(modelConfig));
      Group weights = h5.getChild("model_weights") instanceof Group g ? g : h5;
      Map<String, List<Array>> byName = new HashMap<>();
      for (Node layer : weights) {
        if (layer instanceof Group g && g.getAttribute("weight_names") != null) {
          List<Array> values = new ArrayList<>();
          for (String weightName : strings(g.getAttribute("weight_names"))) {
            values.add(array(layerName(weightName), localName(weightName), g.getDatasetByPath(weightName)));
          }
          byName.put(g.getName(), values);
        }
      }
      Attribute version = h5.getAttribute("keras_version");
      Attribute training = h5.getAttribute("training_config");
      return new KerasFile(path, "HDF5 (keras " + (version == null ? "unknown" : string(version)) + ")", config, byName,
          false, "training_config", training == null ? JSON.missingNode() : JSON.readTree(string(training)));
    }
  }

  /** {@code sequential/dense_1/kernel:0} -> {@code kernel}. */
  static String localName(String weightName) {
    String last = weightName.substring(weightName.lastIndexOf('/') + 1);
    return last.replaceFirst(":\\d+$", "");
  }

  /** {@code sequential/dense_1/kernel:0} -> {@code dense_1}; null for a bare {@code kernel:0}. */
  static String layerName(String weightName) {
    String[] parts = weightName.split("/");
    return parts.length < 2 ? null : parts[parts.length - 2];
  }

  private static Array array(String layer, String name, Dataset dataset) {
    Object flat = dataset.getDataFlat();
    float[] data;
    if (flat instanceof float[] f) {
      data = f;
    } else if (flat instanceof double[] d) {
      data = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        data[i] = (float) d[i];
      }
    } else {
      throw new DigitsException(dataset.getPath() + ": weights of type " + dataset.getJavaType().getSimpleName()
          + " are not supported (float32 or float64 only)");
    }
    return new Array(layer, name, Shape.of(dataset.getDimensionsAsLong()), data);
  }

  private static String string(Attribute attribute) {
    Object data = attribute.getData();
    return data instanceof String[] a && a.length == 1 ? a[0] : String.valueOf(data);
  }

  /** A string-array attribute; h5py writes an empty one as an empty float64 array. */
  private static List<String> strings(Attribute attribute) {
    return attribute.getData() instanceof String[] a ? List.of(a) : List.of();
  }

  public Path path() {
    return path;
  }

  /** Container and writer, e.g. {@code HDF5 (keras 2.21.0)}. */
  public String format() {
    return format;
  }

  /** The model config: {@code {"class_name": "Sequential" | "Functional", "config": {...}}}. */
  public JsonNode config() {
    return config;
  }

  /**
   * The compile settings saved with the model: Keras 3's {@code compile_config} (in config.json of a
   * .keras file) or tf-keras's {@code training_config} (an attribute of an .h5 file); a missing or
   * null node when the model was saved uncompiled.
   */
  public JsonNode compileConfig() {
    return compileConfig;
  }

  /** Where {@link #compileConfig} is in the file: {@code compile_config} or {@code training_config}. */
  public String compileConfigKey() {
    return compileKey;
  }

  /**
   * The weight arrays of one layer in Keras's order (empty for a layer without weights): looked up
   * by the layer's name, or, in a .keras file that does not name its layer groups, by the saving key
   * Keras 3 stored them under. {@code names} and {@code savingKeys} are paths: the enclosing models'
   * (outermost first), then the layer's own. An HDF5 file keeps a nested model's weights in the
   * outermost model layer's group, each named after its layer.
   */
  public List<Array> arrays(List<String> names, List<String> savingKeys) {
    String name = names.get(names.size() - 1);
    if (format.startsWith("HDF5") && names.size() > 1) {
      return arrays.getOrDefault(names.get(0), List.of()).stream().filter(a -> name.equals(a.layer())).toList();
    }
    return arrays.getOrDefault(keyed ? String.join("/layers/", savingKeys) : name, List.of());
  }
}
