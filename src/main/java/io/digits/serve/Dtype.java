package io.digits.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Arrays;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The tensor types the REST API carries, each with its JSON and TensorFlow conversions. Values
 * live in a primitive array of the type's own width, so float32 outputs are written as floats
 * (0.1, not 0.10000000149011612) and int64 values keep every bit. JSON rules follow TF Serving's
 * util/json_tensor.cc (AddValueToTensor): floats take any JSON number that fits the type,
 * NaN and Infinity included; integers take whole numbers in range only.
 */
enum Dtype {
  FLOAT(DataType.DT_FLOAT) {
    @Override Object allocate(int n) { return new float[n]; }

    @Override void set(Object values, int i, JsonNode v) {
      double d = real(v, this);
      if (Double.isFinite(d) && Math.abs(d) > Float.MAX_VALUE) {
        throw ServingException.badRequest("Cannot convert JSON value: " + v + " to float without loss of precision.");
      }
      ((float[]) values)[i] = (float) d;
    }

    @Override void write(JsonGenerator g, Object values, int i) throws IOException { g.writeNumber(((float[]) values)[i]); }

    @Override Tensor toTensor(Shape shape, Object values) {
      return TFloat32.tensorOf(shape, DataBuffers.of((float[]) values, true, false));
    }

    @Override Object read(Tensor t) {
      float[] a = new float[Math.toIntExact(t.shape().size())];
      ((TFloat32) t).copyTo(DataBuffers.of(a, false, false));
      return a;
    }
  },
  DOUBLE(DataType.DT_DOUBLE) {
    @Override Object allocate(int n) { return new double[n]; }

    @Override void set(Object values, int i, JsonNode v) { ((double[]) values)[i] = real(v, this); }

    @Override void write(JsonGenerator g, Object values, int i) throws IOException { g.writeNumber(((double[]) values)[i]); }

    @Override Tensor toTensor(Shape shape, Object values) {
      return TFloat64.tensorOf(shape, DataBuffers.of((double[]) values, true, false));
    }

    @Override Object read(Tensor t) {
      double[] a = new double[Math.toIntExact(t.shape().size())];
      ((TFloat64) t).copyTo(DataBuffers.of(a, false, false));
      return a;
    }
  },
  INT32(DataType.DT_INT32) {
    @Override Object allocate(int n) { return new int[n]; }

    @Override void set(Object values, int i, JsonNode v) {
      if (!v.canConvertToInt() || !v.isIntegralNumber()) {
        throw typeError(v, this);
      }
      ((int[]) values)[i] = v.intValue();
    }

    @Override void write(JsonGenerator g, Object values, int i) throws IOException { g.writeNumber(((int[]) values)[i]); }

    @Override Tensor toTensor(Shape shape, Object values) {
      return TInt32.tensorOf(shape, DataBuffers.of((int[]) values, true, false));
    }

    @Override Object read(Tensor t) {
      int[] a = new int[Math.toIntExact(t.shape().size())];
      ((TInt32) t).copyTo(DataBuffers.of(a, false, false));
      return a;
    }
  },
  INT64(DataType.DT_INT64) {
    @Override Object allocate(int n) { return new long[n]; }

    @Override void set(Object values, int i, JsonNode v) {
      if (!v.canConvertToLong() || !v.isIntegralNumber()) {
        throw typeError(v, this);
      }
      ((long[]) values)[i] = v.longValue();
    }

    @Override void write(JsonGenerator g, Object values, int i) throws IOException { g.writeNumber(((long[]) values)[i]); }

    @Override Tensor toTensor(Shape shape, Object values) {
      return TInt64.tensorOf(shape, DataBuffers.of((long[]) values, true, false));
    }

    @Override Object read(Tensor t) {
      long[] a = new long[Math.toIntExact(t.shape().size())];
      ((TInt64) t).copyTo(DataBuffers.of(a, false, false));
      return a;
    }
  };

  final DataType proto;

  Dtype(DataType proto) {
    this.proto = proto;
  }

  /** A zeroed primitive array of {@code n} values of this type. */
  abstract Object allocate(int n);

  /** Stores JSON value {@code v} at {@code values[i]}, or fails with a 400 naming the value. */
  abstract void set(Object values, int i, JsonNode v);

  abstract void write(JsonGenerator g, Object values, int i) throws IOException;

  /** A new tensor over a copy of {@code values}; the caller closes it. */
  abstract Tensor toTensor(Shape shape, Object values);

  /** The tensor's values, row-major. */
  abstract Object read(Tensor t);

  /** The type for a signature's dtype, or a 400 saying which types the server feeds. */
  static Dtype of(DataType type, String tensorName) {
    return Arrays.stream(values()).filter(d -> d.proto == type).findFirst()
        .orElseThrow(() -> ServingException.badRequest("tensor '" + tensorName + "' has type " + type
            + "; this server carries DT_FLOAT, DT_DOUBLE, DT_INT32 and DT_INT64 only"));
  }

  private static double real(JsonNode v, Dtype type) {
    if (!v.isNumber()) {
      throw typeError(v, type);
    }
    return v.doubleValue();
  }

  private static ServingException typeError(JsonNode v, Dtype type) {
    return ServingException.badRequest("JSON Value: " + v + " Type: " + v.getNodeType()
        + " is not of expected type: " + type.name().toLowerCase());
  }
}
