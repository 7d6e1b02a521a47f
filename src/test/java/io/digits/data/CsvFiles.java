package io.digits.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Generated digit CSVs for tests: row r has label r % 10 and pixel i = (r * 7919 + i * 31) % 256. */
final class CsvFiles {
  private CsvFiles() {}

  static int pixel(int row, int i) {
    return (row * 7919 + i * 31) % 256;
  }

  static int label(int row) {
    return row % 10;
  }

  static String header(boolean labeled) {
    StringBuilder s = new StringBuilder(labeled ? "label" : "");
    for (int i = 0; i < Dataset.PIXELS; i++) {
      s.append(i == 0 && !labeled ? "" : ",").append("pixel").append(i);
    }
    return s.toString();
  }

  /** Data row r (without line break); labeled rows start with the label. */
  static String row(boolean labeled, int r) {
    StringBuilder s = new StringBuilder(labeled ? label(r) + "," : "");
    for (int i = 0; i < Dataset.PIXELS; i++) {
      s.append(i == 0 ? "" : ",").append(pixel(r, i));
    }
    return s.toString();
  }

  /** Header plus rows 0..rows-1, each line ended by eol. */
  static String file(boolean labeled, int rows, String eol) {
    StringBuilder s = new StringBuilder(header(labeled)).append(eol);
    for (int r = 0; r < rows; r++) {
      s.append(row(labeled, r)).append(eol);
    }
    return s.toString();
  }

  /** The same with pixel `index` of row r replaced by `value` (any text). */
  static String withPixel(boolean labeled, int r, int index, String value) {
    String[] fields = row(labeled, r).split(",");
    fields[labeled ? index + 1 : index] = value;
    return String.join(",", fields);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] withBom(byte[] data) {
    byte[] out = new byte[data.length + 3];
    out[0] = (byte) 0xef;
    out[1] = (byte) 0xbb;
    out[2] = (byte) 0xbf;
    System.arraycopy(data, 0, out, 3, data.length);
    return out;
  }

  static Path write(Path dir, String name, byte[] content) {
    try {
      return Files.write(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
