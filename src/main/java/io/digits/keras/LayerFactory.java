package io.digits.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.DigitsException;
import io.digits.model.ActivationLayer;
import io.digits.model.BatchNormalization;
import io.digits.model.Component;
import io.digits.model.Concatenate;
import io.digits.model.Conv2D;
import io.digits.model.Crop2D;
import io.digits.model.Dense;
import io.digits.model.Dropout;
import io.digits.model.Elu;
import io.digits.model.Flatten;
import io.digits.model.GaussianNoise;
import io.digits.model.GlobalPooling2D;
import io.digits.model.Constraint;
import io.digits.model.Initializer;
import io.digits.model.Initializer.VarianceScaling;
import io.digits.model.Model;
import io.digits.model.Regularizer;
import io.digits.model.LayerNormalization;
import io.digits.model.MaxPool2D;
import io.digits.model.Merging;
import io.digits.model.PReLU;
import io.digits.model.Padding;
import io.digits.model.RandomAffine;
import io.digits.model.RandomContrast;
import io.digits.model.ReLU;
import io.digits.model.Rescaling;
import io.digits.model.Reshape;
import io.digits.model.Softmax;
import java.util.Locale;

import io.digits.model.Layer;
import java.util.List;
import java.util.Map;

/**
 * Both directions between Keras layers and this project's layers, side by side so that each layer's
 * Keras class name and option keys are written down once:
 *
 * <ul>
 *   <li>{@link #create}: one Keras layer (class name and config) to this project's layer, reading
 *       every option that changes what the layer computes and refusing values it cannot compute the
 *       same way. Initializers are read (the start weights of {@code --fresh-weights}); regularizers
 *       and constraints are noted for training (see {@link LayerConfig#trainingOnly}); any other
 *       option that is set is refused by {@link LayerConfig#finish}.
 *   <li>{@link #toKeras}: one of this project's layers to the Keras 3 layers that compute the same,
 *       with their options as Keras 3.15 writes them (in its key order, every default spelled out;
 *       the layer's initializers and the regularizers and constraints its model gives it), so that
 *       {@link #create} reads them back to an equal layer. A new layer adds a case to both.
 * </ul>
 */
final class LayerFactory {
  static final String SUPPORTED = "Conv2D, DepthwiseConv2D, SeparableConv2D, MaxPooling2D, AveragePooling2D, "
      + "GlobalAveragePooling2D, GlobalMaxPooling2D, ZeroPadding2D, Cropping2D, Flatten, Dense, Dropout, "
      + "SpatialDropout2D, GaussianNoise, GaussianDropout, BatchNormalization, LayerNormalization, Activation, "
      + "ReLU, LeakyReLU, PReLU, ELU, Softmax, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, "
      + "Rescaling, Reshape, RandomRotation, RandomZoom, RandomTranslation, RandomContrast, nested models";

  private LayerFactory() {}

  /** {@code salt}: what tells this layer's random draws (dropout masks, augmentation) from others'. */
  static Component create(LayerConfig c, long salt) {
    c.expectFloat32();
    Component layer = switch (c.className()) {
      case "Conv2D", "Convolution2D" -> conv2d(c);
      case "DepthwiseConv2D" -> depthwise(c);
      case "SeparableConv2D", "SeparableConvolution2D" -> separable(c);
      case "MaxPooling2D", "MaxPool2D" -> {
        int pool = pool(c);
        yield new MaxPool2D(pool, c.square("strides", pool), padding(c));
      }
      case "AveragePooling2D", "AvgPool2D" -> {
        int pool = pool(c);
        yield MaxPool2D.average(pool, c.square("strides", pool), padding(c));
      }
      case "GlobalAveragePooling2D", "GlobalAvgPool2D", "GlobalMaxPooling2D", "GlobalMaxPool2D" -> {
        c.expect("data_format", "\"channels_last\"");
        yield new GlobalPooling2D(c.className().contains("Max"), c.flag("keepdims", false));
      }
      case "ZeroPadding2D" -> {
        long[] p = sides(c, "padding");
        yield Crop2D.zeroPadding(p[0], p[1], p[2], p[3]);
      }
      case "Cropping2D" -> {
        long[] p = sides(c, "cropping");
        yield Crop2D.cropping(p[0], p[1], p[2], p[3]);
      }
      case "Flatten" -> {
        c.expect("data_format", "\"channels_last\"");
        yield new Flatten();
      }
      case "Dense" -> new Dense(c.integer("units"), c.activation(), c.flag("use_bias", true),
          c.initializer("kernel_initializer", Initializer.GLOROT_UNIFORM),
          c.initializer("bias_initializer", Initializer.ZEROS));
      case "Dropout" -> {
        c.expect("noise_shape");
        yield new Dropout(c.number("rate", 0f), salt);
      }
      case "SpatialDropout2D" -> {
        c.expect("data_format", "\"channels_last\"");
        yield Dropout.spatial(c.number("rate", 0f), salt);
      }
      case "GaussianNoise" -> GaussianNoise.additive(c.number("stddev", 0f), salt);
      case "GaussianDropout" -> GaussianNoise.dropout(c.number("rate", 0f), salt);
      case "BatchNormalization" -> batchNormalization(c);
      case "LayerNormalization" -> layerNormalization(c);
      case "Activation" -> new ActivationLayer(c.activation());
      case "ReLU" -> new ReLU(c.number("negative_slope", 0f), c.get("max_value") == null ? null : c.number("max_value", 0f),
          c.number("threshold", 0f));
      case "LeakyReLU" -> ReLU.leaky(c.get("negative_slope") != null ? c.number("negative_slope", 0.3f)
          : c.number("alpha", 0.3f)); // tf-keras calls it alpha
      case "PReLU" -> {
        JsonNode shared = c.get("shared_axes");
        int[] axes = shared == null ? new int[0] : shared.isArray()
            ? java.util.stream.StreamSupport.stream(shared.spliterator(), false).mapToInt(JsonNode::asInt).toArray()
            : new int[] {shared.asInt()};
        yield new PReLU(axes, c.initializer("alpha_initializer", Initializer.ZEROS));
      }
      case "ELU" -> new Elu(c.number("alpha", 1f));
      case "Softmax" -> {
        c.expect("axis", "-1", "[-1]");
        yield new Softmax();
      }
      case "Add" -> new Merging(Merging.Op.ADD);
      case "Subtract" -> new Merging(Merging.Op.SUBTRACT);
      case "Multiply" -> new Merging(Merging.Op.MULTIPLY);
      case "Average" -> new Merging(Merging.Op.AVERAGE);
      case "Maximum" -> new Merging(Merging.Op.MAXIMUM);
      case "Minimum" -> new Merging(Merging.Op.MINIMUM);
      case "Concatenate" -> new Concatenate(c.get("axis") == null ? -1 : c.integer("axis"));
      case "Rescaling" -> new Rescaling(c.number("scale", 1f), c.number("offset", 0f));
      case "Reshape" -> new Reshape(c.longs("target_shape"));
      case "RandomRotation" -> {
        float factor = symmetric(c, "factor");
        yield augmentation(c, factor * 360f, 0f, Float.NaN, 0f, 0f, salt);
      }
      case "RandomZoom" -> {
        float height = symmetric(c, "height_factor");
        float width = c.get("width_factor") == null ? Float.NaN : symmetric(c, "width_factor");
        yield augmentation(c, 0f, height, width, 0f, 0f, salt);
      }
      case "RandomTranslation" -> augmentation(c, 0f, 0f, Float.NaN, symmetric(c, "height_factor"),
          symmetric(c, "width_factor"), salt);
      case "RandomContrast" -> {
        // Keras 3 saves (lower, upper) for a factor in [1 - lower, 1 + upper] (0.2 becomes (0, 0.2));
        // tf-keras saves the number f for [1 - f, 1 + f].
        c.expect("data_format", "\"channels_last\"");
        JsonNode factor = c.get("factor");
        boolean pair = factor != null && factor.isArray() && factor.size() == 2;
        if (!pair && (factor == null || !factor.isNumber())) {
          throw c.error("factor " + LayerConfig.show(factor) + " is not supported");
        }
        JsonNode range = c.get("value_range");
        float min = range == null ? 0f : range.path(0).floatValue();
        float max = range == null ? 255f : range.path(1).floatValue();
        yield new RandomContrast(pair ? factor.get(0).floatValue() : factor.floatValue(),
            pair ? factor.get(1).floatValue() : factor.floatValue(), min, max, salt);
      }
      default -> throw c.error("this kind of layer is not supported; supported: " + SUPPORTED);
    };
    c.finish();
    return layer;
  }

  private static Conv2D conv2d(LayerConfig c) {
    c.expect("data_format", "\"channels_last\"");
    return Conv2D.of(c.integer("filters"), kernel(c), c.square("strides", 1), c.square("dilation_rate", 1),
        c.get("groups") == null ? 1 : c.integer("groups"), padding(c),
        c.activation(), c.flag("use_bias", true), c.initializer("kernel_initializer", Initializer.GLOROT_UNIFORM),
        c.initializer("bias_initializer", Initializer.ZEROS));
  }

  private static Conv2D depthwise(LayerConfig c) {
    c.expect("data_format", "\"channels_last\"");
    c.expect("groups", "1");
    return Conv2D.depthwise(c.get("depth_multiplier") == null ? 1 : c.integer("depth_multiplier"), kernel(c),
        c.square("strides", 1), c.square("dilation_rate", 1), padding(c), c.activation(), c.flag("use_bias", true),
        c.initializer("depthwise_initializer", Initializer.GLOROT_UNIFORM),
        c.initializer("bias_initializer", Initializer.ZEROS));
  }

  private static Conv2D separable(LayerConfig c) {
    c.expect("data_format", "\"channels_last\"");
    c.expect("groups", "1");
    Initializer depthwise = c.initializer("depthwise_initializer", Initializer.GLOROT_UNIFORM);
    Initializer pointwise = c.initializer("pointwise_initializer", Initializer.GLOROT_UNIFORM);
    if (!depthwise.equals(pointwise)) {
      throw c.error("different depthwise and pointwise initializers are not supported");
    }
    return Conv2D.separable(c.integer("filters"), c.get("depth_multiplier") == null ? 1 : c.integer("depth_multiplier"),
        kernel(c), c.square("strides", 1), c.square("dilation_rate", 1), padding(c), c.activation(),
        c.flag("use_bias", true), depthwise, c.initializer("bias_initializer", Initializer.ZEROS));
  }

  private static int kernel(LayerConfig c) {
    int kernel = c.square("kernel_size", -1);
    if (kernel < 1) {
      throw c.error("kernel_size is missing");
    }
    return kernel;
  }

  private static int pool(LayerConfig c) {
    c.expect("data_format", "\"channels_last\"");
    return c.square("pool_size", 2);
  }

  /** {@code p}, {@code (h, w)} or {@code ((top, bottom), (left, right))} as [top, bottom, left, right]. */
  private static long[] sides(LayerConfig c, String key) {
    c.expect("data_format", "\"channels_last\"");
    JsonNode v = c.get(key);
    if (v != null && v.canConvertToInt()) {
      long p = v.asLong();
      return new long[] {p, p, p, p};
    }
    if (v == null || !v.isArray() || v.size() != 2) {
      throw c.error(key + " " + LayerConfig.show(v) + " is not supported");
    }
    JsonNode h = v.get(0);
    JsonNode w = v.get(1);
    return new long[] {h.isArray() ? h.get(0).asLong() : h.asLong(), h.isArray() ? h.get(1).asLong() : h.asLong(),
        w.isArray() ? w.get(0).asLong() : w.asLong(), w.isArray() ? w.get(1).asLong() : w.asLong()};
  }

  /** A factor {@code f} or {@code (-f, f)}: a range symmetric about 0 (other ranges are refused). */
  private static float symmetric(LayerConfig c, String key) {
    JsonNode v = c.get(key);
    if (v != null && v.isNumber()) {
      return Math.abs(v.floatValue());
    }
    if (v != null && v.isArray() && v.size() == 2 && v.get(0).floatValue() == -v.get(1).floatValue()) {
      return Math.abs(v.get(1).floatValue());
    }
    throw c.error(key + " " + LayerConfig.show(v) + " is not supported (a number, or a range symmetric about 0)");
  }

  private static RandomAffine augmentation(LayerConfig c, float degrees, float zoom, float zoomWidth, float shiftHeight,
      float shiftWidth, long salt) {
    c.expect("data_format", "\"channels_last\"");
    c.get("value_range"); // the geometric layers do not rescale values
    JsonNode fill = c.get("fill_mode");
    String fillMode = fill == null ? "REFLECT" : fill.asText().toUpperCase(Locale.ROOT);
    JsonNode interpolation = c.get("interpolation");
    String method = interpolation == null ? "BILINEAR" : interpolation.asText().toUpperCase(Locale.ROOT);
    if (!java.util.Set.of("REFLECT", "WRAP", "CONSTANT", "NEAREST").contains(fillMode)
        || !java.util.Set.of("BILINEAR", "NEAREST").contains(method)) {
      throw c.error("fill_mode " + LayerConfig.show(fill) + " / interpolation " + LayerConfig.show(interpolation)
          + " is not supported");
    }
    return new RandomAffine(degrees, zoom, zoomWidth, shiftHeight, shiftWidth, fillMode, method,
        c.number("fill_value", 0f), salt);
  }

  private static BatchNormalization batchNormalization(LayerConfig c) {
    c.expect("renorm", "false");
    c.expect("virtual_batch_size");
    c.expect("adjustment");
    defaultInitializers(c, "beta_initializer", "moving_mean_initializer", Initializer.ZEROS);
    defaultInitializers(c, "gamma_initializer", "moving_variance_initializer", Initializer.ONES);
    return new BatchNormalization(axis(c), c.number("momentum", BatchNormalization.KERAS_MOMENTUM),
        c.number("epsilon", BatchNormalization.KERAS_EPSILON), c.flag("center", true), c.flag("scale", true));
  }

  private static LayerNormalization layerNormalization(LayerConfig c) {
    c.expect("rms_scaling", "false");
    defaultInitializers(c, "beta_initializer", null, Initializer.ZEROS);
    defaultInitializers(c, "gamma_initializer", null, Initializer.ONES);
    return new LayerNormalization(axis(c), c.number("epsilon", 1e-3f), c.flag("center", true), c.flag("scale", true));
  }

  /** A normalization axis: {@code -1}, {@code 3} or {@code [3]}; the layer checks at build that it is the last. */
  private static int axis(LayerConfig c) {
    JsonNode axis = c.get("axis");
    JsonNode single = axis != null && axis.isArray() && axis.size() == 1 ? axis.get(0) : axis;
    if (single != null && !single.canConvertToInt()) {
      throw c.error("axis " + LayerConfig.show(axis) + " is not supported, only the last (channels) axis");
    }
    return single == null ? -1 : single.intValue();
  }

  /** Normalization layers start from Keras's default initializers only; another is refused, not ignored. */
  private static void defaultInitializers(LayerConfig c, String key, String other, Initializer expected) {
    for (String k : other == null ? new String[] {key} : new String[] {key, other}) {
      if (!c.initializer(k, expected).equals(expected)) {
        throw c.error(k + " other than " + (expected == Initializer.ZEROS ? "zeros" : "ones") + " is not supported");
      }
    }
  }

  /** A Keras 3 layer: its class, its own options (after name, trainable and dtype), and whether Keras records its build shape. */
  record KerasLayer(String className, ObjectNode options, boolean recordsBuildShape) {}

  /**
   * The Keras 3 layers that compute what {@code layer} computes. One layer each, except
   * {@link RandomAffine}: Keras has no single layer for it, so it becomes RandomRotation, RandomZoom
   * and RandomTranslation with the same ranges and black fill. At inference all three are the
   * identity, as RandomAffine is; in training each draws and warps on its own (three bilinear
   * resamplings where RandomAffine does one), so the distribution of ranges is the same but
   * augmented images are not bit-equal. No regularizers or constraints: see
   * {@link #toKeras(Component, WeightOptions)}.
   */
  static List<KerasLayer> toKeras(Component layer) {
    return toKeras(layer, WeightOptions.NONE);
  }

  /**
   * What a model adds to one of its layers for training, which Keras keeps in the layer's config:
   * regularizers and constraints by variable (kernel, bias, gamma, ...), and the activity
   * regularizer (null: none).
   */
  record WeightOptions(Map<String, Regularizer> regularizers, Map<String, Constraint> constraints, Regularizer activity) {
    static final WeightOptions NONE = new WeightOptions(Map.of(), Map.of(), null);

    static WeightOptions of(Model model, Component layer) {
      return new WeightOptions(model.regularizers(layer), model.constraints(layer), model.activityRegularizer(layer));
    }
  }

  /**
   * {@link #toKeras(Component)} with the layer's initializers, regularizers and constraints as
   * Keras 3 writes them. An activity regularizer comes right after the dtype, where Keras 3's base
   * layer config puts it (on the last of several Keras layers: it penalizes their output).
   */
  static List<KerasLayer> toKeras(Component layer, WeightOptions options) {
    List<KerasLayer> keras = kerasLayers(layer, options);
    if (options.activity() == null) {
      return keras;
    }
    KerasLayer last = keras.get(keras.size() - 1);
    if (layer instanceof Elu || last.className().equals("SpatialDropout2D")) {
      // SpatialDropout2D's constructor refuses one; ELU's get_config fails on one
      throw new DigitsException("Keras's " + last.className() + " cannot save an activity regularizer");
    }
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("activity_regularizer", regularizer(options.activity()));
    last.options().fields().forEachRemaining(e -> o.putIfAbsent(e.getKey(), e.getValue()));
    List<KerasLayer> all = new java.util.ArrayList<>(keras.subList(0, keras.size() - 1));
    all.add(new KerasLayer(last.className(), o, last.recordsBuildShape()));
    return all;
  }

  private static List<KerasLayer> kerasLayers(Component layer, WeightOptions options) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (layer instanceof Conv2D c) {
      return List.of(new KerasLayer(c.kerasClass(), conv(c, options), true));
    }
    if (layer instanceof Dense d) {
      o.put("units", d.units());
      o.put("activation", d.activation().keras());
      o.put("use_bias", d.useBias());
      List<Weight> weights = List.of(new Weight("kernel", "kernel", d.kernelInitializer()),
          new Weight("bias", "bias", d.biasInitializer()));
      weightOptions(o, options, weights, weights, false);
      o.putNull("quantization_config");
      return List.of(new KerasLayer("Dense", o, true));
    }
    if (layer instanceof MaxPool2D m) {
      o.set("pool_size", pair(m.poolSize()));
      o.put("padding", m.padding().keras());
      o.set("strides", pair(m.stride()));
      o.put("data_format", "channels_last");
      return List.of(new KerasLayer(m.average() ? "AveragePooling2D" : "MaxPooling2D", o, false));
    }
    if (layer instanceof GlobalPooling2D g) {
      o.put("data_format", "channels_last");
      o.put("keepdims", g.keepDims());
      return List.of(new KerasLayer(g.max() ? "GlobalMaxPooling2D" : "GlobalAveragePooling2D", o, false));
    }
    if (layer instanceof Crop2D c) {
      long[] p = c.sides();
      var sides = o.putArray(c.padding() ? "padding" : "cropping");
      sides.addArray().add(p[0]).add(p[1]);
      sides.addArray().add(p[2]).add(p[3]);
      o.put("data_format", "channels_last");
      return List.of(new KerasLayer(c.padding() ? "ZeroPadding2D" : "Cropping2D", o, true));
    }
    if (layer instanceof Flatten) {
      o.put("data_format", "channels_last");
      return List.of(new KerasLayer("Flatten", o, true));
    }
    if (layer instanceof Dropout d) {
      o.put("rate", exact(d.rate()));
      o.putNull("seed");
      if (d.spatial()) {
        o.put("data_format", "channels_last");
        return List.of(new KerasLayer("SpatialDropout2D", o, false));
      }
      o.putNull("noise_shape");
      return List.of(new KerasLayer("Dropout", o, false));
    }
    if (layer instanceof GaussianNoise g) {
      o.put(g.multiplicative() ? "rate" : "stddev", exact(g.multiplicative() ? g.rate() : g.stddev()));
      o.putNull("seed");
      return List.of(new KerasLayer(g.multiplicative() ? "GaussianDropout" : "GaussianNoise", o, false));
    }
    if (layer instanceof LayerNormalization n) {
      o.putArray("axis").add(n.axis()); // a list, as Keras writes it once the layer is built
      o.put("epsilon", exact(n.epsilon()));
      o.put("center", n.center());
      o.put("scale", n.scale());
      o.put("rms_scaling", false);
      List<Weight> weights = List.of(BETA, GAMMA);
      weightOptions(o, options, weights, weights, false);
      return List.of(new KerasLayer("LayerNormalization", o, true));
    }
    if (layer instanceof ReLU r) {
      if (r.maxValue() == null && r.threshold() == 0f && r.negativeSlope() != 0f) {
        o.put("negative_slope", exact(r.negativeSlope()));
        return List.of(new KerasLayer("LeakyReLU", o, false));
      }
      if (r.maxValue() == null) {
        o.putNull("max_value");
      } else {
        o.put("max_value", exact(r.maxValue()));
      }
      o.put("negative_slope", exact(r.negativeSlope()));
      o.put("threshold", exact(r.threshold()));
      return List.of(new KerasLayer("ReLU", o, false));
    }
    if (layer instanceof PReLU p) {
      List<Weight> weights = List.of(new Weight("alpha", "alpha", p.alphaInitializer()));
      weightOptions(o, options, weights, weights, false);
      var axes = o.putArray("shared_axes");
      for (int axis : p.sharedAxes()) {
        axes.add(axis);
      }
      return List.of(new KerasLayer("PReLU", o, true));
    }
    if (layer instanceof Elu e) {
      o.put("alpha", exact(e.alpha()));
      return List.of(new KerasLayer("ELU", o, false));
    }
    if (layer instanceof Softmax) {
      o.put("axis", -1);
      return List.of(new KerasLayer("Softmax", o, false));
    }
    if (layer instanceof Merging m) {
      String name = m.op().name().toLowerCase(Locale.ROOT);
      return List.of(new KerasLayer(Character.toUpperCase(name.charAt(0)) + name.substring(1), o, true));
    }
    if (layer instanceof Concatenate c) {
      o.put("axis", c.axis());
      return List.of(new KerasLayer("Concatenate", o, true));
    }
    if (layer instanceof RandomContrast r) {
      o.put("data_format", "channels_last");
      o.putArray("factor").add(exact(r.lower())).add(exact(r.upper()));
      o.putArray("value_range").add(exact(r.min())).add(exact(r.max()));
      o.putNull("seed");
      return List.of(new KerasLayer("RandomContrast", o, true));
    }
    if (layer instanceof BatchNormalization b) {
      o.put("axis", b.axis());
      o.put("momentum", exact(b.momentum()));
      o.put("epsilon", exact(b.epsilon()));
      o.put("center", b.center());
      o.put("scale", b.scale());
      // the moving statistics have initializers but are not trained: no regularizer or constraint
      weightOptions(o, options, List.of(BETA, GAMMA, new Weight("moving_mean", "moving_mean", Initializer.ZEROS),
          new Weight("moving_variance", "moving_variance", Initializer.ONES)), List.of(BETA, GAMMA), false);
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
    throw new DigitsException("no Keras counterpart here; supported: " + SUPPORTED);
  }

  /** Conv2D's, DepthwiseConv2D's or SeparableConv2D's options, in Keras's order for each. */
  private static ObjectNode conv(Conv2D c, WeightOptions options) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    String kind = c.kerasClass();
    if (!kind.equals("Conv2D")) {
      o.put("depth_multiplier", c.multiplier());
    }
    if (!kind.equals("DepthwiseConv2D")) {
      o.put("filters", c.filters());
    }
    o.set("kernel_size", pair(c.kernelSize()));
    o.set("strides", pair(c.stride()));
    o.put("padding", c.padding().keras());
    o.put("data_format", "channels_last");
    o.set("dilation_rate", pair(c.dilation()));
    if (kind.equals("Conv2D")) {
      o.put("groups", c.groups());
    }
    o.put("activation", c.activation().keras());
    o.put("use_bias", c.useBias());
    // Keras's option prefix for each kernel, and the name the layer gives its variable
    Initializer kernel = c.kernelInitializer();
    List<Weight> weights = switch (kind) {
      case "Conv2D" -> List.of(new Weight("kernel", "kernel", kernel));
      case "DepthwiseConv2D" -> List.of(new Weight("depthwise", "kernel", kernel));
      default -> List.of(new Weight("depthwise", "depthwise_kernel", kernel),
          new Weight("pointwise", "pointwise_kernel", kernel));
    };
    weights = new java.util.ArrayList<>(weights);
    weights.add(new Weight("bias", "bias", c.biasInitializer()));
    weightOptions(o, options, weights, weights, true);
    return o;
  }

  private static List<KerasLayer> randomAffine(RandomAffine a) {
    List<KerasLayer> layers = new java.util.ArrayList<>();
    if (a.maxDegrees() > 0) {
      ObjectNode rotation = augmentation();
      double turn = exact(a.maxDegrees()) / 360; // Keras gives rotations in fractions of a full turn
      rotation.putArray("factor").add(-turn).add(turn);
      fill(rotation, a, true);
      layers.add(new KerasLayer("RandomRotation", rotation, true));
    }
    if (a.zoom() > 0) {
      ObjectNode zoom = augmentation();
      zoom.put("height_factor", exact(a.zoom()));
      if (Float.isNaN(a.zoomWidth())) {
        zoom.putNull("width_factor"); // the same factor on both axes
      } else {
        zoom.put("width_factor", exact(a.zoomWidth()));
      }
      fill(zoom, a, false);
      layers.add(new KerasLayer("RandomZoom", zoom, true));
    }
    if (a.shiftHeight() > 0 || a.shiftWidth() > 0) {
      ObjectNode shift = augmentation();
      shift.put("height_factor", exact(a.shiftHeight()));
      shift.put("width_factor", exact(a.shiftWidth()));
      fill(shift, a, false);
      layers.add(new KerasLayer("RandomTranslation", shift, true));
    }
    return layers;
  }

  /**
   * Keras's fill and interpolation options, and no seed: draws come from the run. In Keras's option
   * order: RandomRotation has fill_value second, RandomZoom and RandomTranslation last.
   */
  private static void fill(ObjectNode o, RandomAffine a, boolean valueSecond) {
    o.put("fill_mode", a.fillMode().toLowerCase(Locale.ROOT));
    if (valueSecond) {
      o.put("fill_value", exact(a.fillValue()));
    }
    o.put("interpolation", a.interpolation().toLowerCase(Locale.ROOT));
    o.putNull("seed");
    if (!valueSecond) {
      o.put("fill_value", exact(a.fillValue()));
    }
  }

  private static ObjectNode augmentation() {
    return JsonNodeFactory.instance.objectNode().put("data_format", "channels_last");
  }

  /** One weight of a layer: Keras's option prefix (kernel, depthwise, ...), the layer's name for its variable, its initializer. */
  private record Weight(String prefix, String variable, Initializer initializer) {}

  private static final Weight BETA = new Weight("beta", "beta", Initializer.ZEROS);
  private static final Weight GAMMA = new Weight("gamma", "gamma", Initializer.ONES);

  /**
   * Keras's per-weight options in its order: the initializers of {@code initialized}, the
   * regularizers of {@code trained}, the Conv layers' {@code activity_regularizer} slot (null: one
   * that is set goes first, see {@link #toKeras(Component, WeightOptions)}), their constraints.
   */
  private static void weightOptions(ObjectNode o, WeightOptions options, List<Weight> initialized, List<Weight> trained,
      boolean activitySlot) {
    initialized.forEach(w -> o.set(w.prefix() + "_initializer", initializer(w.initializer())));
    trained.forEach(w -> o.set(w.prefix() + "_regularizer", regularizer(options.regularizers().get(w.variable()))));
    if (activitySlot) {
      o.putNull("activity_regularizer");
    }
    trained.forEach(w -> o.set(w.prefix() + "_constraint", constraint(options.constraints().get(w.variable()))));
  }

  /** Keras 3's classes for {@link VarianceScaling}'s named cases. */
  private static final Map<Initializer, String> NAMED_SCALINGS = Map.of(VarianceScaling.glorotUniform(), "GlorotUniform",
      VarianceScaling.glorotNormal(), "GlorotNormal", VarianceScaling.heUniform(), "HeUniform",
      VarianceScaling.heNormal(), "HeNormal", VarianceScaling.lecunUniform(), "LecunUniform",
      VarianceScaling.lecunNormal(), "LecunNormal");

  /** An initializer as Keras 3.15 serializes it (no seed: this project draws its own, see {@link Initializer}). */
  static ObjectNode initializer(Initializer init) {
    ObjectNode config = JsonNodeFactory.instance.objectNode();
    String className;
    if (init instanceof Initializer.Constant c) {
      className = c.value() == 0f ? "Zeros" : c.value() == 1f ? "Ones" : "Constant";
      if (className.equals("Constant")) {
        config.put("value", exact(c.value()));
      }
    } else if (init instanceof VarianceScaling v) {
      className = NAMED_SCALINGS.getOrDefault(v, "VarianceScaling");
      config.putNull("seed");
      if (className.equals("VarianceScaling")) {
        config.put("scale", v.scale()).put("mode", v.mode().name().toLowerCase(Locale.ROOT))
            .put("distribution", v.distribution().name().toLowerCase(Locale.ROOT));
      }
      config.putNull("input_axes").putNull("output_axes");
    } else if (init instanceof Initializer.RandomUniform u) {
      className = "RandomUniform";
      config.putNull("seed").put("minval", u.min()).put("maxval", u.max());
    } else if (init instanceof Initializer.RandomNormal n) {
      className = n.truncated() ? "TruncatedNormal" : "RandomNormal";
      config.putNull("seed").put("mean", n.mean()).put("stddev", n.stddev());
    } else if (init instanceof Initializer.Orthogonal g) {
      className = "Orthogonal";
      config.putNull("seed").put("gain", g.gain());
    } else {
      throw new DigitsException("its initializer " + init + " has no Keras counterpart");
    }
    return serialized("keras.initializers", className, config);
  }

  /**
   * A regularizer as Keras 3.15 serializes it: L1, L2 or L1L2 (the one that reads back as the
   * same factors); L1 keeps its factor as a float32 tensor, so its config holds the float32 value.
   */
  static JsonNode regularizer(Regularizer r) {
    if (r == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    ObjectNode config = JsonNodeFactory.instance.objectNode();
    String className = r.l2() == 0f ? "L1" : r.l1() == 0f ? "L2" : "L1L2";
    switch (className) {
      case "L1" -> config.put("l1", (double) r.l1());
      case "L2" -> config.put("l2", exact(r.l2()));
      default -> config.put("l1", exact(r.l1())).put("l2", exact(r.l2()));
    }
    return serialized("keras.regularizers", className, config);
  }

  /** A constraint as Keras 3.15 serializes it (an axis list of one is written as the number). */
  static JsonNode constraint(Constraint c) {
    if (c == null) {
      return JsonNodeFactory.instance.nullNode();
    }
    ObjectNode config = JsonNodeFactory.instance.objectNode();
    String className;
    if (c instanceof Constraint.MaxNorm m) {
      className = "MaxNorm";
      float max = m.maxValue();
      if (max == Math.rint(max)) {
        config.put("max_value", (long) max); // MaxNorm(3), as Keras users write it
      } else {
        config.put("max_value", exact(max));
      }
      config.set("axis", axes(m.axes()));
    } else if (c instanceof Constraint.UnitNorm u) {
      className = "UnitNorm";
      config.set("axis", axes(u.axes()));
    } else if (c instanceof Constraint.NonNeg) {
      className = "NonNeg";
    } else {
      throw new DigitsException("its constraint " + c + " has no Keras counterpart");
    }
    return serialized("keras.constraints", className, config);
  }

  private static JsonNode axes(List<Integer> axes) {
    if (axes.size() == 1) {
      return JsonNodeFactory.instance.numberNode(axes.get(0));
    }
    var list = JsonNodeFactory.instance.arrayNode();
    axes.forEach(list::add);
    return list;
  }

  private static ObjectNode serialized(String module, String className, ObjectNode config) {
    ObjectNode o = JsonNodeFactory.instance.objectNode().put("module", module).put("class_name", className);
    o.set("config", config);
    return o.putNull("registered_name");
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
