package io.digits.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.ndarray.Shape;

/** Reads numpy's {@code .npy} files of little-endian float32 in C order: what the Keras scripts write. */
public final class Npy {
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** One array. */
  public record Array(Shape shape, float[] data) {}

  private Npy() {}

  public static Array read(Path file) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int major = in.get(6);
    in.position(8);
    int headerLength = major == 1 ? Short.toUnsignedInt(in.getShort()) : in.getInt();
    byte[] h = new byte[headerLength];
    in.get(h);
    String header = new String(h, StandardCharsets.ISO_8859_1);
    if (!header.contains("'descr': '<f4'") || header.contains("'fortran_order': True")) {
      throw new IOException(file + ": expected little-endian float32 in C order, header " + header.strip());
    }
    Matcher m = SHAPE.matcher(header);
    if (!m.find()) {
      throw new IOException(file + ": no shape in header " + header.strip());
    }
    String[] parts = m.group(1).split(",");
    long[] dims = java.util.Arrays.stream(parts).map(String::strip).filter(s -> !s.isEmpty())
        .mapToLong(Long::parseLong).toArray();
    Shape shape = Shape.of(dims);
    float[] data = new float[(int) shape.size()];
    in.asFloatBuffer().get(data);
    return new Array(shape, data);
  }
}
