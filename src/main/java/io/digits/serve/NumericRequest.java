package io.digits.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorInfo;

/**
 * The common {@code :predict} body streamed straight into a primitive array: a signature of one
 * float input, and {@code "instances"} or {@code "inputs"} holding a dense nested list of numbers
 * (what the drawing page and most clients send). Building Jackson's tree for such a body first,
 * one node per pixel, cost about a sixth of the batched server's CPU per request.
 *
 * <p>It accepts only what {@link PredictRequest#parse} reads to the same tensor; anything else
 * (objects per instance, other keys, ragged or empty lists, non-numbers, values out of float range,
 * malformed JSON) it declines, and the tree parse then answers it, errors included.
 */
final class NumericRequest {
  private NumericRequest() {}

  /** The request, or empty when the body is not of this common kind. */
  static Optional<PredictRequest> parse(byte[] body, ServedModel model) {
    try (JsonParser p = Json.MAPPER.createParser(body)) {
      return Optional.ofNullable(read(p, model));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static PredictRequest read(JsonParser p, ServedModel model) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return null;
    }
    String signatureName = null;
    PredictRequest.Format format = null;
    Values values = null;
    for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
      String key = p.currentName();
      JsonToken value = p.nextToken();
      if (key.equals("signature_name") && signatureName == null && value == JsonToken.VALUE_STRING) {
        signatureName = p.getText();
      } else if ((key.equals("instances") || key.equals("inputs")) && format == null && value == JsonToken.START_ARRAY) {
        format = key.equals("instances") ? PredictRequest.Format.ROW : PredictRequest.Format.COLUMNAR;
        values = Values.read(p);
        if (values == null) {
          return null;
        }
      } else {
        return null;
      }
    }
    if (format == null || p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
      return null;
    }
    String signature = signatureName == null ? ServedModel.DEFAULT_SIGNATURE : signatureName;
    if (!model.signatures().containsKey(signature)) {
      return null;
    }
    Map<String, TensorInfo> infos = model.signature(signature).getInputsMap();
    if (infos.size() != 1) {
      return null;
    }
    Map.Entry<String, TensorInfo> input = infos.entrySet().iterator().next();
    Optional<HostTensor> tensor = values.tensor(input.getValue().getDtype());
    if (tensor.isEmpty()) {
      return null;
    }
    return new PredictRequest(format, signature,
        PredictRequest.checked(Map.of(input.getKey(), tensor.get()), infos, format));
  }

  /** A dense nested list of numbers: its shape and its values, row-major, as doubles (as the tree holds them). */
  private static final class Values {
    private static final int MAX_RANK = 8;
    private final long[] dims = new long[MAX_RANK];
    private int rank = -1;
    private double[] values = new double[1024];
    private int size;

    /** Reads from the list's opening bracket (the current token) to its closing one; null unless dense and numeric. */
    static Values read(JsonParser p) throws IOException {
      Values v = new Values();
      Arrays.fill(v.dims, -1);
      // Each dimension is the size of the first list of its depth, known when that list closes;
      // every later list of that depth must have the same size, and every number be at the deepest one.
      long[] counts = new long[MAX_RANK];
      int depth = 0;
      for (JsonToken t = p.nextToken(); ; t = p.nextToken()) {
        if (t == JsonToken.START_ARRAY) {
          if (++depth == MAX_RANK || (v.rank != -1 && depth >= v.rank)) {
            return null;
          }
          counts[depth] = 0;
        } else if (t == JsonToken.END_ARRAY) {
          long n = counts[depth];
          if (n == 0 || (v.dims[depth] != -1 && v.dims[depth] != n)) {
            return null;
          }
          v.dims[depth] = n;
          if (depth-- == 0) {
            return v;
          }
          counts[depth]++;
        } else if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
          if (v.rank == -1) {
            v.rank = depth + 1;
          } else if (depth + 1 != v.rank) {
            return null;
          }
          v.add(p.getDoubleValue());
          counts[depth]++;
        } else {
          return null;
        }
      }
    }

    private void add(double d) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = d;
    }

    /** The tensor for a float input, each value stored as Dtype.FLOAT stores it; empty for other types or values out of float range. */
    Optional<HostTensor> tensor(DataType type) {
      if (type != Dtype.FLOAT.proto) {
        return Optional.empty();
      }
      float[] floats = new float[size];
      for (int i = 0; i < size; i++) {
        double d = values[i];
        if (Double.isFinite(d) && Math.abs(d) > Float.MAX_VALUE) {
          return Optional.empty();
        }
        floats[i] = (float) d;
      }
      return Optional.of(new HostTensor(Dtype.FLOAT, Arrays.copyOf(dims, rank), floats));
    }
  }
}
