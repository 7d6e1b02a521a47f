package io.digits.data;

import io.digits.DigitsException;
import java.nio.file.Path;

/**
 * Reads the Kaggle digit CSVs: {@code label,pixel0,...,pixel783} (train.csv) or
 * {@code pixel0,...,pixel783} (test.csv), plain or gzip'd, LF or CRLF, with or without a UTF-8
 * BOM. The header decides the kind. A byte-level parser rather than a CSV library: the files are
 * plain integers, and a library costs 10x the time (MEASUREMENTS.md). Every malformed input ends
 * in a one-line {@link DigitsException} naming file, line and fault.
 */
public final class DigitCsv {
  /** One batch for the whole file: BatchReader grows its arrays as rows arrive. */
  private static final int WHOLE_FILE = Integer.MAX_VALUE;

  private DigitCsv() {}

  /** A streaming reader over the file's rows; the caller closes it. */
  public static BatchReader open(Path path) {
    LineScanner lines = LineScanner.open(path);
    try {
      return new BatchReader(lines);
    } catch (RuntimeException e) {
      lines.close();
      throw e;
    }
  }

  /** The whole file, labeled or not ({@link Dataset#labels()} is null for a test.csv-like file). */
  public static Dataset read(Path path) {
    try (BatchReader reader = open(path)) {
      return reader.next(WHOLE_FILE);
    }
  }

  /** The whole file, which must have a label column (training, evaluation). */
  public static Dataset readLabeled(Path path) {
    try (BatchReader reader = open(path)) {
      if (!reader.labeled()) {
        throw new DigitsException(path + ":1: no label column, this looks like test.csv; "
            + "training and evaluation need a labeled file like train.csv");
      }
      return reader.next(WHOLE_FILE);
    }
  }
}
