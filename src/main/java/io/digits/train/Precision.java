package io.digits.train;

import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * {@code train --precision}: the arithmetic of the training graph.
 *
 * <p>{@code float32} is Keras's default and the one that keeps Keras parity. {@code mixed-bfloat16}
 * is the counterpart of Keras's {@code mixed_bfloat16} policy: TF's oneDNN graph rewrite runs the
 * convolutions and matrix products in bfloat16 (variables, the optimizer and the loss stay float32),
 * about 1.9x faster per step on CPUs with AVX512_BF16 or AMX; on other CPUs TF leaves the graph as
 * it is. The exported model is float32 either way.
 */
public enum Precision {
  FLOAT32,
  MIXED_BFLOAT16;

  /** {@code config} with this precision's graph rewrite switched on. */
  public ConfigProto apply(ConfigProto config) {
    if (this == FLOAT32) {
      return config;
    }
    ConfigProto.Builder b = config.toBuilder();
    GraphOptions.Builder graph = b.getGraphOptionsBuilder();
    RewriterConfig.Builder rewrites = graph.getRewriteOptionsBuilder();
    rewrites.setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
    return b.build();
  }

  /** By option value, as {@link #toString} writes it. */
  @com.fasterxml.jackson.annotation.JsonCreator
  public static Precision byName(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
  }

  /** The option value: {@code float32}, {@code mixed-bfloat16}. */
  @com.fasterxml.jackson.annotation.JsonValue
  @Override
  public String toString() {
    return name().toLowerCase().replace('_', '-');
  }
}
