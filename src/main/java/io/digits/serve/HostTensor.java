package io.digits.serve;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;

/**
 * A dense tensor in Java memory, row-major: what a JSON request becomes before it is fed, and what
 * a model's output becomes before it is written. JSON nesting is the tensor's shape, as in TF
 * Serving's REST API ("Tensors are expressed naturally in nested notation").
 */
final class HostTensor {
  private final Dtype dtype;
  private final long[] shape;
  private final Object values;

  HostTensor(Dtype dtype, long[] shape, Object values) {
    this.dtype = dtype;
    this.shape = shape;
    this.values = values;
  }

  /**
   * Reads a (nested) JSON list or a scalar. The shape is taken from the first element at each
   * depth, as TF Serving does (GetDenseTensorShape); every other list must then match it.
   */
  static HostTensor fromJson(String name, JsonNode node, Dtype dtype) {
    List<Long> dims = new ArrayList<>();
    for (JsonNode n = node; n.isArray(); n = n.get(0)) {
      dims.add((long) n.size());
      if (n.isEmpty()) {
        break;
      }
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    // The structure is checked before anything is allocated: then the element count is the number
    // of values the request really holds, not what a first list claims for all the others.
    new Filler(name, shape, dtype, null).fill(node, 0);
    Object values = dtype.allocate(Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b)));
    new Filler(name, shape, dtype, values).fill(node, 0);
    return new HostTensor(dtype, shape, values);
  }

  /** Copies a model output out of TensorFlow's memory. */
  static HostTensor of(Tensor t, String name) {
    Dtype dtype = Dtype.of(t.dataType(), name);
    return new HostTensor(dtype, t.shape().asArray(), dtype.read(t));
  }

  /** A new TensorFlow tensor holding these values; the caller closes it. */
  Tensor toTensor() {
    return dtype.toTensor(Shape.of(shape), values);
  }

  long[] shape() {
    return shape.clone();
  }

  Dtype dtype() {
    return dtype;
  }

  /**
   * Tensors of one dtype and one shape past the 0-th dimension, stacked along it: the rows of
   * several requests as one batch.
   */
  static HostTensor concat(List<HostTensor> parts) {
    HostTensor first = parts.get(0);
    long[] shape = first.shape.clone();
    shape[0] = parts.stream().mapToLong(t -> t.shape[0]).sum();
    Object values = first.dtype.allocate(Math.toIntExact(shape[0] * first.stride(1)));
    int at = 0;
    for (HostTensor part : parts) {
      int n = Array.getLength(part.values);
      System.arraycopy(part.values, 0, values, at, n);
      at += n;
    }
    return new HostTensor(first.dtype, shape, values);
  }

  /** Rows {@code from} to {@code from + count - 1} of the 0-th dimension, copied. */
  HostTensor rows(int from, int count) {
    int stride = stride(1);
    long[] s = shape.clone();
    s[0] = count;
    Object v = dtype.allocate(count * stride);
    System.arraycopy(values, from * stride, v, 0, count * stride);
    return new HostTensor(dtype, s, v);
  }

  /** The tensor as nested JSON lists (a bare value for a scalar). */
  void write(JsonGenerator g) throws IOException {
    write(g, 0, 0);
  }

  /** Element {@code row} of the 0-th dimension as nested JSON lists. */
  void writeRow(JsonGenerator g, int row) throws IOException {
    write(g, 1, row * stride(1));
  }

  static String shapeString(long[] shape) {
    return Arrays.toString(shape).replace(" ", "");
  }

  private void write(JsonGenerator g, int level, int offset) throws IOException {
    if (level == shape.length) {
      dtype.write(g, values, offset);
      return;
    }
    g.writeStartArray();
    int stride = stride(level + 1);
    for (int i = 0; i < shape[level]; i++) {
      write(g, level + 1, offset + i * stride);
    }
    g.writeEndArray();
  }

  private int stride(int fromLevel) {
    long s = 1;
    for (int d = fromLevel; d < shape.length; d++) {
      s *= shape[d];
    }
    return Math.toIntExact(s);
  }

  /**
   * Walks the JSON tree in row-major order, checking it is as dense as {@code shape} says, and
   * stores the values (when {@code values} is not null).
   */
  private static final class Filler {
    private final String name;
    private final long[] shape;
    private final Dtype dtype;
    private final Object values;
    private int next;

    Filler(String name, long[] shape, Dtype dtype, Object values) {
      this.name = name;
      this.shape = shape;
      this.dtype = dtype;
      this.values = values;
    }

    void fill(JsonNode node, int level) {
      if (level == shape.length) {
        if (node.isContainerNode()) {
          throw ServingException.badRequest("input '" + name + "': " + kind(node) + " at depth " + (level + 1)
              + " where a value was expected (the first element gives the shape " + shapeString(shape) + ")");
        }
        if (values != null) {
          dtype.set(values, next++, node);
        }
        return;
      }
      if (!node.isArray() || node.size() != shape[level]) {
        throw ServingException.badRequest("input '" + name + "': " + kind(node) + " at depth " + (level + 1)
            + " where a list of " + shape[level] + " was expected (the first element gives the shape "
            + shapeString(shape) + ")");
      }
      for (JsonNode child : node) {
        fill(child, level + 1);
      }
    }

    private static String kind(JsonNode node) {
      return node.isArray() ? "a list of " + node.size() : node.isObject() ? "an object" : "the value " + node;
    }
  }
}
