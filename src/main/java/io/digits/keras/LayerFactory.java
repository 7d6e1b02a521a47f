package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.digits.model.ActivationLayer;
import io.digits.model.BatchNormalization;
import io.digits.model.Conv2D;
import io.digits.model.Dense;
import io.digits.model.Dropout;
import io.digits.model.Flatten;
import io.digits.model.Layer;
import io.digits.model.MaxPool2D;
import io.digits.model.Padding;
import io.digits.model.Rescaling;
import io.digits.model.Reshape;
import java.util.Locale;

/**
 * Maps one Keras layer (class name and config) to this project's layer, reading every option that
 * changes what the layer computes and refusing values it cannot compute the same way. Options that
 * only matter while Keras trains (initializers, regularizers, constraints) are ignored; any other
 * option that is set is refused by {@link LayerConfig#finish}.
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
