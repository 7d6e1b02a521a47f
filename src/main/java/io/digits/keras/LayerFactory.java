package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.DigitsException;
import io.digits.model.ActivationLayer;
import io.digits.model.BatchNormalization;
import io.digits.model.Conv2D;
import io.digits.model.Dense;
import io.digits.model.Dropout;
import io.digits.model.Flatten;
import io.digits.model.Layer;
import io.digits.model.MaxPool2D;
import io.digits.model.Padding;
import io.digits.model.RandomAffine;
import io.digits.model.Rescaling;
import io.digits.model.Reshape;
import java.util.List;
import java.util.Locale;

/**
 * Both directions between Keras layers and this project's layers, side by side so that each layer's
 * Keras class name and option keys are written down once:
 *
 * <ul>
 *   <li>{@link #create}: one Keras layer (class name and config) to this project's layer, reading
 *       every option that changes what the layer computes and refusing values it cannot compute the
 *       same way. Options that only matter while Keras trains (initializers, regularizers,
 *       constraints) are ignored; any other option that is set is refused by {@link LayerConfig#finish}.
 *   <li>{@link #toKeras}: one of this project's layers to the Keras 3 layers that compute the same,
 *       with their options as Keras 3.15 writes them (in its key order, every default spelled out),
 *       so that {@link #create} reads them back to an equal layer. A new layer adds a case to both.
 * </ul>
 */
final class LayerFactory {
  static final String SUPPORTED = "Conv2D, MaxPooling2D, Flatten, Dense, Dropout, BatchNormalization, Activation, "
      + "Rescaling, Reshape (after one InputLayer)";

  private LayerFactory() {}

  /** {@code dropoutSeed}: the seed of a Dropout layer's masks, should the model be trained. */
  static Layer create(LayerConfig c, long dropoutSeed) {
    c.expectFloat32();
    Layer layer = switch (c.className()) {
      case "Conv2D", "Convolution2D" -> conv2d(c);
      case "MaxPooling2D", "MaxPool2D" -> maxPool(c);
      case "Flatten" -> {
        c.expect("data_format", "\"channels_last\"");
        yield new Flatten();
      }
      case "Dense" -> new Dense(c.integer("units"), c.activation(), c.flag("use_bias", true));
      case "Dropout" -> {
        c.expect("noise_shape");
        yield new Dropout(c.number("rate", 0f), dropoutSeed);
      }
      case "BatchNormalization" -> batchNormalization(c);
      case "Activation" -> new ActivationLayer(c.activation());
      case "Rescaling" -> new Rescaling(c.number("scale", 1f), c.number("offset", 0f));
      case "Reshape" -> new Reshape(c.longs("target_shape"));
      default -> throw c.error("this kind of layer is not supported; supported: " + SUPPORTED);
    };
    c.finish();
    return layer;
  }

  private static Conv2D conv2d(LayerConfig c) {
    c.expect("data_format", "\"channels_last\"");
    c.expect("dilation_rate", "1", "[1, 1]");
    c.expect("groups", "1");
    int filters = c.integer("filters");
    int kernel = c.square("kernel_size", -1);
    if (kernel < 1) {
      throw c.error("kernel_size is missing");
    }
    return new Conv2D(filters, kernel, c.square("strides", 1), padding(c), c.activation(), c.flag("use_bias", true));
  }

  private static MaxPool2D maxPool(LayerConfig c) {
    c.expect("data_format", "\"channels_last\"");
    int pool = c.square("pool_size", 2);
    return new MaxPool2D(pool, c.square("strides", pool), padding(c));
  }

  private static BatchNormalization batchNormalization(LayerConfig c) {
    c.expect("renorm", "false");
    c.expect("virtual_batch_size");
    c.expect("adjustment");
    JsonNode axis = c.get("axis");
    JsonNode single = axis != null && axis.isArray() && axis.size() == 1 ? axis.get(0) : axis;
    if (single != null && !single.canConvertToInt()) {
      throw c.error("axis " + LayerConfig.show(axis) + " is not supported, only the last (channels) axis");
    }
    return new BatchNormalization(single == null ? -1 : single.intValue(),
        c.number("momentum", BatchNormalization.KERAS_MOMENTUM), c.number("epsilon", BatchNormalization.KERAS_EPSILON),
        c.flag("center", true), c.flag("scale", true));
  }

  /** A Keras 3 layer: its class, its own options (after name, trainable and dtype), and whether Keras records its build shape. */
  record KerasLayer(String className, ObjectNode options, boolean recordsBuildShape) {}

  /**
   * The Keras 3 layers that compute what {@code layer} computes. One layer each, except
   * {@link RandomAffine}: Keras has no single layer for it, so it becomes RandomRotation, RandomZoom
   * and RandomTranslation with the same ranges and black fill. At inference all three are the
   * identity, as RandomAffine is; in training each draws and warps on its own (three bilinear
   * resamplings where RandomAffine does one), so the distribution of ranges is the same but
   * augmented images are not bit-equal.
   */
  static List<KerasLayer> toKeras(Layer layer) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (layer instanceof Conv2D c) {
      o.put("filters", c.filters());
      o.set("kernel_size", pair(c.kernelSize()));
      o.set("strides", pair(c.stride()));
      o.put("padding", c.padding().keras());
      o.put("data_format", "channels_last");
      o.set("dilation_rate", pair(1));
      o.put("groups", 1);
      o.put("activation", c.activation().keras());
      o.put("use_bias", c.useBias());
      weightOptions(o, "kernel", "GlorotUniform", "bias", "Zeros");
      o.putNull("activity_regularizer");
      constraints(o, "kernel", "bias");
      return List.of(new KerasLayer("Conv2D", o, true));
    }
    if (layer instanceof Dense d) {
      o.put("units", d.units());
      o.put("activation", d.activation().keras());
      o.put("use_bias", d.useBias());
      weightOptions(o, "kernel", "GlorotUniform", "bias", "Zeros");
      constraints(o, "kernel", "bias");
      o.putNull("quantization_config");
      return List.of(new KerasLayer("Dense", o, true));
    }
    if (layer instanceof MaxPool2D m) {
      o.set("pool_size", pair(m.poolSize()));
      o.put("padding", m.padding().keras());
      o.set("strides", pair(m.stride()));
      o.put("data_format", "channels_last");
      return List.of(new KerasLayer("MaxPooling2D", o, false));
    }
    if (layer instanceof Flatten) {
      o.put("data_format", "channels_last");
      return List.of(new KerasLayer("Flatten", o, true));
    }
    if (layer instanceof Dropout d) {
      o.put("rate", exact(d.rate()));
      o.putNull("seed");
      o.putNull("noise_shape");
      return List.of(new KerasLayer("Dropout", o, false));
    }
    if (layer instanceof BatchNormalization b) {
      o.put("axis", b.axis());
      o.put("momentum", exact(b.momentum()));
      o.put("epsilon", exact(b.epsilon()));
      o.put("center", b.center());
      o.put("scale", b.scale());
      o.set("beta_initializer", initializer("Zeros"));
      o.set("gamma_initializer", initializer("Ones"));
      o.set("moving_mean_initializer", initializer("Zeros"));
      o.set("moving_variance_initializer", initializer("Ones"));
      o.putNull("beta_regularizer");
      o.putNull("gamma_regularizer");
      constraints(o, "beta", "gamma");
      o.put("synchronized", false);
      o.put("renorm", false);
      o.putNull("renorm_clipping");
      o.put("renorm_momentum", 0.99);
      return List.of(new KerasLayer("BatchNormalization", o, true));
    }
    if (layer instanceof ActivationLayer a) {
      o.put("activation", a.activation().keras());
      return List.of(new KerasLayer("Activation", o, false));
    }
    if (layer instanceof Rescaling r) {
      o.put("scale", exact(r.scale()));
      o.put("offset", exact(r.offset()));
      return List.of(new KerasLayer("Rescaling", o, true));
    }
    if (layer instanceof Reshape r) {
      var target = o.putArray("target_shape");
      for (long d : r.target()) {
        target.add(d);
      }
      return List.of(new KerasLayer("Reshape", o, false));
    }
    if (layer instanceof RandomAffine a) {
      return randomAffine(a);
    }
    throw new DigitsException(layer.describe() + " has no Keras counterpart here; supported: " + SUPPORTED);
  }

  private static List<KerasLayer> randomAffine(RandomAffine a) {
    ObjectNode rotation = augmentation();
    double turn = exact(a.maxDegrees()) / 360; // Keras gives rotations in fractions of a full turn
    rotation.putArray("factor").add(-turn).add(turn);
    rotation.put("fill_mode", "constant");
    rotation.put("fill_value", 0.0);
    rotation.put("interpolation", "bilinear");
    rotation.putNull("seed");
    ObjectNode zoom = augmentation();
    zoom.put("height_factor", exact(a.zoom()));
    zoom.putNull("width_factor"); // the same factor on both axes, as RandomAffine zooms
    fillAndSeed(zoom);
    ObjectNode shift = augmentation();
    shift.put("height_factor", exact(a.shift()));
    shift.put("width_factor", exact(a.shift()));
    fillAndSeed(shift);
    return List.of(new KerasLayer("RandomRotation", rotation, true), new KerasLayer("RandomZoom", zoom, true),
        new KerasLayer("RandomTranslation", shift, true));
  }

  private static ObjectNode augmentation() {
    return JsonNodeFactory.instance.objectNode().put("data_format", "channels_last");
  }

  private static void fillAndSeed(ObjectNode o) {
    o.put("fill_mode", "constant");
    o.put("interpolation", "bilinear");
    o.putNull("seed");
    o.put("fill_value", 0.0);
  }

  private static void weightOptions(ObjectNode o, String kernel, String kernelInit, String bias, String biasInit) {
    o.set(kernel + "_initializer", initializer(kernelInit));
    o.set(bias + "_initializer", initializer(biasInit));
    o.putNull(kernel + "_regularizer");
    o.putNull(bias + "_regularizer");
  }

  private static void constraints(ObjectNode o, String first, String second) {
    o.putNull(first + "_constraint");
    o.putNull(second + "_constraint");
  }

  /** A Keras 3 initializer with its default config (what this project's layers draw from). */
  private static ObjectNode initializer(String className) {
    ObjectNode init = JsonNodeFactory.instance.objectNode().put("module", "keras.initializers").put("class_name", className);
    ObjectNode config = init.putObject("config");
    if (className.equals("GlorotUniform")) {
      config.putNull("seed").putNull("input_axes").putNull("output_axes");
    }
    init.putNull("registered_name");
    return init;
  }

  private static com.fasterxml.jackson.databind.node.ArrayNode pair(int n) {
    return JsonNodeFactory.instance.arrayNode().add(n).add(n);
  }

  /** A float option as the decimal Keras's config holds (0.99, not 0.9900000095367432). */
  static double exact(float value) {
    return Double.parseDouble(Float.toString(value));
  }

  private static Padding padding(LayerConfig c) {
    JsonNode v = c.get("padding");
    String padding = v == null ? "valid" : v.asText().toLowerCase(Locale.ROOT);
    return switch (padding) {
      case "valid" -> Padding.VALID;
      case "same" -> Padding.SAME;
      default -> throw c.error("padding " + LayerConfig.show(v) + " is not supported (valid or same)");
    };
  }
}
