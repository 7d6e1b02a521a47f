package io.digits.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes a {@code :predict} answer in TF Serving's layout (api_rest.md, "Response format"): a row
 * request gets {@code "predictions"}, one item per instance: the bare value when the signature has
 * one output, else an object keyed by output name. A columnar request gets {@code "outputs"}: the
 * bare tensor for one output, else an object keyed by output name.
 */
final class PredictResponse {
  private PredictResponse() {}

  static byte[] write(PredictRequest.Format format, Map<String, HostTensor> outputs) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = Json.MAPPER.createGenerator(bytes)) {
      g.writeStartObject();
      if (format == PredictRequest.Format.ROW) {
        g.writeFieldName("predictions");
        writeRows(g, outputs);
      } else {
        g.writeFieldName("outputs");
        writeColumns(g, outputs);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void writeRows(JsonGenerator g, Map<String, HostTensor> outputs) throws IOException {
    int batch = batchSize(outputs);
    g.writeStartArray();
    for (int row = 0; row < batch; row++) {
      if (outputs.size() == 1) {
        outputs.values().iterator().next().writeRow(g, row);
      } else {
        g.writeStartObject();
        for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
          g.writeFieldName(e.getKey());
          e.getValue().writeRow(g, row);
        }
        g.writeEndObject();
      }
    }
    g.writeEndArray();
  }

  private static void writeColumns(JsonGenerator g, Map<String, HostTensor> outputs) throws IOException {
    if (outputs.size() == 1) {
      outputs.values().iterator().next().write(g);
      return;
    }
    g.writeStartObject();
    for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
      g.writeFieldName(e.getKey());
      e.getValue().write(g);
    }
    g.writeEndObject();
  }

  /** Row format needs every output to share the 0-th dimension, the number of instances. */
  private static int batchSize(Map<String, HostTensor> outputs) {
    Integer batch = null;
    for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
      long[] shape = e.getValue().shape();
      if (shape.length == 0 || (batch != null && shape[0] != batch)) {
        throw ServingException.badRequest("Tensor name: " + e.getKey() + " has inconsistent batch size "
            + HostTensor.shapeString(shape) + " for row format; use the columnar format ('inputs')");
      }
      batch = Math.toIntExact(shape[0]);
    }
    return batch == null ? 0 : batch;
  }
}
