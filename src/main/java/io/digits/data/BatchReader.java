package io.digits.data;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Streams the rows of a digits CSV in batches, so a file of any length is scored with bounded
 * memory. Opened by {@link DigitCsv#open}, which has read and checked the header. Every row is
 * checked; the first bad one ends the read with a one-line {@link io.digits.DigitsException}.
 */
public final class BatchReader implements AutoCloseable {
  private static final List<String> PIXEL_NAMES =
      IntStream.range(0, Dataset.PIXELS).mapToObj(i -> "pixel" + i).collect(Collectors.toList());
  private static final List<String> LABELED_HEADER =
      Stream.concat(Stream.of("label"), PIXEL_NAMES.stream()).collect(Collectors.toList());
  static final String EXPECTED_HEADER =
      "expected header 'label,pixel0,...,pixel783' (train.csv) or 'pixel0,...,pixel783' (test.csv)";
  /** The most rows one byte[] can hold. */
  private static final int MAX_ROWS = (Integer.MAX_VALUE - 8) / Dataset.PIXELS;

  private final LineScanner lines;
  private final boolean labeled;
  private final int columns;
  private long rowsRead;
  private long blankLine;

  BatchReader(LineScanner lines) {
    this.lines = lines;
    this.labeled = readHeader(lines);
    this.columns = labeled ? Dataset.PIXELS + 1 : Dataset.PIXELS;
  }

  /** True for train.csv-like files (a label column), false for test.csv-like ones. */
  public boolean labeled() {
    return labeled;
  }

  /** Rows returned so far by {@link #next(int)}. */
  public long rowsRead() {
    return rowsRead;
  }

  /**
   * Up to maxRows further rows, or null at the end of the file. Arrays grow as rows arrive, so a
   * large maxRows costs memory only for rows that exist.
   */
  public Dataset next(int maxRows) {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be positive, got " + maxRows);
    }
    int capacity = Math.min(Math.min(maxRows, MAX_ROWS), 1024);
    byte[] pixels = new byte[capacity * Dataset.PIXELS];
    int[] labels = labeled ? new int[capacity] : null;
    int rows = 0;
    while (rows < maxRows && lines.next()) {
      if (lines.lineIsBlank()) {
        if (blankLine == 0) {
          blankLine = lines.lineNumber();
        }
        continue;
      }
      if (blankLine != 0) {
        throw lines.errorAt(blankLine, "blank line between rows (only empty lines at the end of the file are allowed)");
      }
      if (rows == capacity) {
        if (capacity == MAX_ROWS) {
          throw lines.error("more than " + MAX_ROWS + " rows in one batch; read the file in smaller batches");
        }
        capacity = (int) Math.min(Math.min(maxRows, MAX_ROWS), 2L * capacity);
        pixels = Arrays.copyOf(pixels, capacity * Dataset.PIXELS);
        labels = labeled ? Arrays.copyOf(labels, capacity) : null;
      }
      if (!parseRow(lines.buffer(), lines.lineStart(), lines.lineEnd(), pixels, rows * Dataset.PIXELS, labels, rows)) {
        throw lines.error(RowDiagnosis.fault(lines, labeled));
      }
      rows++;
    }
    rowsRead += rows;
    if (rowsRead == 0) {
      throw lines.errorAt(2, "no data rows after the header");
    }
    if (rows == 0) {
      return null;
    }
    return new Dataset(
        rows == capacity ? pixels : Arrays.copyOf(pixels, rows * Dataset.PIXELS),
        labels == null || rows == capacity ? labels : Arrays.copyOf(labels, rows));
  }

  /**
   * The hot loop: plain unsigned decimals separated by commas, written straight into the batch.
   * Returns false on anything else, and {@link RowDiagnosis} then works out what is wrong; keeping
   * diagnosis out of here keeps this loop small.
   */
  private boolean parseRow(byte[] b, int i, int end, byte[] pixels, int offset, int[] labels, int row) {
    int column = 0;
    while (true) {
      int start = i;
      int value = 0;
      while (i < end) {
        int digit = b[i] - '0';
        if (digit < 0 || digit > 9) {
          break;
        }
        value = Math.min(value * 10 + digit, 1000); // saturates: any value above 255 is out of range
        i++;
      }
      if (i == start || (i < end && b[i] != ',')) {
        return false;
      }
      if (labeled && column == 0) {
        if (value >= Dataset.CLASSES) {
          return false;
        }
        labels[row] = value;
      } else {
        if (value > 255) {
          return false;
        }
        pixels[offset++] = (byte) value;
      }
      column++;
      if (i == end) {
        return column == columns;
      }
      if (column == columns) {
        return false;
      }
      i++;
    }
  }

  /** Reads line 1 and tells the file's kind from it: true for labeled. */
  private static boolean readHeader(LineScanner lines) {
    if (!lines.next()) {
      throw lines.errorAt(1, "file is empty; " + EXPECTED_HEADER);
    }
    String text = lines.lineText();
    if (text == null) {
      throw lines.error("binary data, not a CSV text file; " + EXPECTED_HEADER);
    }
    List<String> names = Arrays.stream(text.split(",", -1)).map(BatchReader::unquote).collect(Collectors.toList());
    if (names.equals(LABELED_HEADER)) {
      return true;
    }
    if (names.equals(PIXEL_NAMES)) {
      return false;
    }
    if (names.get(0).matches("-?[0-9]+")) {
      throw lines.error("missing header (line 1 is a data row); " + EXPECTED_HEADER);
    }
    throw lines.error(EXPECTED_HEADER + ", found " + RowDiagnosis.quote(text, 40) + " (" + names.size() + " columns)");
  }

  /** Header names as other tools may write them: with spaces or in double quotes. */
  private static String unquote(String name) {
    String s = name.strip();
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
  }

  @Override
  public void close() {
    lines.close();
  }
}
