package io.digits.data;

import io.digits.testing.TinyModels;
import io.digits.testing.CliRunner;
import java.io.IOException;
import java.nio.file.Files;

import static io.digits.data.CsvFiles.bytes;
import static io.digits.data.CsvFiles.file;
import static io.digits.data.CsvFiles.gzip;
import static io.digits.data.CsvFiles.header;
import static io.digits.data.CsvFiles.row;
import static io.digits.data.CsvFiles.withPixel;
import static io.digits.data.CsvFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.DigitsException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DigitCsvTest {
  @TempDir Path dir;

  private static void assertRows(Dataset d, boolean labeled, int firstRow, int rows) {
    assertEquals(rows, d.size());
    assertEquals(labeled, d.labeled());
    for (int r = 0; r < rows; r++) {
      if (labeled) {
        assertEquals(CsvFiles.label(firstRow + r), d.labels()[r], "label of row " + r);
      }
      for (int i = 0; i < Dataset.PIXELS; i++) {
        assertEquals(CsvFiles.pixel(firstRow + r, i), d.pixels()[r * Dataset.PIXELS + i] & 0xff, "row " + r + " pixel " + i);
      }
    }
  }

  static Stream<Arguments> variants() {
    Stream.Builder<Arguments> s = Stream.builder();
    for (boolean labeled : new boolean[] {true, false}) {
      for (boolean gz : new boolean[] {false, true}) {
        for (String eol : new String[] {"\n", "\r\n"}) {
          for (boolean bom : new boolean[] {false, true}) {
            s.add(Arguments.of(labeled, gz, eol, bom));
          }
        }
      }
    }
    return s.build();
  }

  @ParameterizedTest(name = "labeled={0} gzip={1} crlf={2} bom={3}")
  @MethodSource("variants")
  void roundTrip(boolean labeled, boolean gz, String eol, boolean bom) {
    byte[] content = bytes(file(labeled, 7, eol));
    content = bom ? CsvFiles.withBom(content) : content;
    content = gz ? gzip(content) : content;
    Path path = write(dir, gz ? "digits.csv.gz" : "digits.csv", content);
    assertRows(DigitCsv.read(path), labeled, 0, 7);
    if (labeled) {
      assertRows(DigitCsv.readLabeled(path), true, 0, 7);
    }
  }

  @Test
  void gzipIsRecognisedByContentNotName() {
    Path path = write(dir, "train.csv", gzip(bytes(file(true, 3, "\r\n"))));
    assertRows(DigitCsv.readLabeled(path), true, 0, 3);
  }

  @Test
  void toleratesMissingFinalLineBreakAndTrailingEmptyLines() {
    String noBreak = header(true) + "\n" + row(true, 0) + "\n" + row(true, 1);
    assertRows(DigitCsv.read(write(dir, "a.csv", bytes(noBreak))), true, 0, 2);
    assertRows(DigitCsv.read(write(dir, "b.csv", bytes(noBreak + "\r\n\r\n"))), true, 0, 2);
  }

  @Test
  void streamsInBatchesAcrossBufferBoundaries() {
    // About 2.4 MB: many refills of the 128 KiB line buffer.
    Path path = write(dir, "big.csv", bytes(file(false, 2500, "\r\n")));
    try (BatchReader reader = DigitCsv.open(path)) {
      assertFalse(reader.labeled());
      int first = 0;
      for (int expected : new int[] {1000, 1000, 500}) {
        Dataset batch = reader.next(1000);
        assertRows(batch, false, first, expected);
        first += expected;
      }
      assertNull(reader.next(1000));
      assertEquals(2500, reader.rowsRead());
    }
  }

  @Test
  void errorFarIntoTheFileNamesItsLine() {
    StringBuilder text = new StringBuilder(header(true)).append('\n');
    for (int r = 0; r < 3000; r++) {
      text.append(r == 2344 ? withPixel(true, r, 700, "x") : row(true, r)).append('\n');
    }
    Path path = write(dir, "late.csv.gz", gzip(bytes(text.toString())));
    try (BatchReader reader = DigitCsv.open(path)) {
      reader.next(1000);
      reader.next(1000);
      DigitsException e = assertThrows(DigitsException.class, () -> reader.next(1000));
      assertEquals(path + ":2346: pixel700 is not an integer: 'x'", e.getMessage());
    }
  }

  @Test
  void missingFileAndDirectory() {
    Path missing = dir.resolve("nope.csv");
    assertEquals(missing + ": file not found", assertThrows(DigitsException.class, () -> DigitCsv.read(missing)).getMessage());
    assertTrue(assertThrows(DigitsException.class, () -> DigitCsv.read(dir)).getMessage().contains("is a directory"));
  }

  /** One malformed input: its bytes, the reader to use, the line the error must name (0: none) and the fault. */
  private record Bad(String name, byte[] content, Function<Path, Dataset> reader, int line, String fault) {}

  private static final Function<Path, Dataset> READ = DigitCsv::read;
  private static final Function<Path, Dataset> READ_LABELED = DigitCsv::readLabeled;
  private static final String HL = header(true);
  private static final String HU = header(false);

  private static Bad labeled(String name, String text, int line, String fault) {
    return new Bad(name, bytes(text), READ_LABELED, line, fault);
  }

  private static Bad unlabeled(String name, String text, int line, String fault) {
    return new Bad(name, bytes(text), READ, line, fault);
  }

  static Stream<Arguments> malformed() {
    String r0 = row(true, 0) + "\r\n";
    String labelThenPixels = row(true, 1);
    byte[] gz = gzip(bytes(file(true, 200, "\r\n")));
    byte[] corruptGz = gz.clone();
    for (int i = 100; i < 200; i++) {
      corruptGz[i] ^= 0x5a;
    }
    byte[] binary = new byte[5000];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 37 % 251);
    }
    return Stream.of(
        labeled("missing header", r0 + r0, 1, "missing header (line 1 is a data row); expected header 'label,pixel0"),
        labeled("wrong header", "id,value\r\n" + r0, 1, "expected header 'label,pixel0,...,pixel783' (train.csv) or 'pixel0,...,pixel783' (test.csv), found 'id,value' (2 columns)"),
        labeled("extra column", HL + "\r\n" + r0 + labelThenPixels + ",0\r\n", 3, "expected 785 values (label + 784 pixels), found 786"),
        labeled("784 values in a labeled file", HL + "\r\n" + r0 + r0 + row(false, 1) + "\r\n", 4, "expected 785 values (label + 784 pixels), found 784"),
        unlabeled("783 values", HU + "\n" + row(false, 0).substring(2) + "\n", 2, "expected 784 values (784 pixels, no label), found 783"),
        unlabeled("785 values", HU + "\n" + row(false, 0) + ",1\n", 2, "expected 784 values (784 pixels, no label), found 785"),
        labeled("non-integer", HL + "\n" + withPixel(true, 0, 5, "1.5") + "\n", 2, "pixel5 is not an integer: '1.5'"),
        labeled("long non-integer", HL + "\n" + withPixel(true, 0, 5, "abcdefghijklmnopqrstuvwxyz") + "\n", 2, "pixel5 is not an integer: 'abcdefghijklmnopqrst...'"),
        unlabeled("negative", HU + "\n" + withPixel(false, 0, 783, "-1") + "\n", 2, "pixel783 '-1' is outside 0-255"),
        labeled("256", HL + "\n" + r0 + withPixel(true, 1, 0, "256") + "\n", 3, "pixel0 '256' is outside 0-255"),
        labeled("label 10", HL + "\n" + "10" + labelThenPixels.substring(1) + "\n", 2, "label '10' is outside 0-9"),
        labeled("missing label", HL + "\n" + labelThenPixels.substring(1) + "\n", 2, "label is missing"),
        labeled("blank line in the middle", HL + "\r\n" + r0 + "\r\n" + r0, 3, "blank line between rows"),
        labeled("empty file", "", 1, "file is empty; expected header"),
        labeled("header only", HL + "\r\n", 2, "no data rows after the header"),
        new Bad("truncated gzip", Arrays.copyOf(gz, gz.length / 2), READ_LABELED, 0, "truncated or corrupt gzip"),
        new Bad("corrupt gzip", corruptGz, READ_LABELED, 0, "truncated or corrupt gzip"),
        new Bad("binary file", binary, READ_LABELED, 1, "binary data, not a CSV text file"),
        labeled("NUL bytes in a row", HL + "\n" + r0 + "\0\0\0\n", 3, "binary data; not a CSV text file"),
        labeled("huge line", HL + "\n" + "1,".repeat(40_000) + "\n", 2, "line longer than 65536 bytes"),
        labeled("huge line past the buffer, no line break", HL + "\n" + "1,".repeat(200_000), 2, "line longer than 65536 bytes"),
        new Bad("zip archive", bytes("PK\3\4rest"), READ, 0, "is a zip archive"),
        new Bad("test file given to readLabeled", bytes(file(false, 2, "\n")), READ_LABELED, 1, "no label column, this looks like test.csv"))
        .map(bad -> Arguments.of(Named.of(bad.name(), bad)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedInputGetsOneLineErrorWithFileLineAndFault(Bad bad) {
    Path path = write(dir, "input.csv", bad.content());
    DigitsException e = assertThrows(DigitsException.class, () -> bad.reader().apply(path));
    String message = e.getMessage();
    String where = bad.line() > 0 ? path + ":" + bad.line() + ": " : path + ": ";
    assertTrue(message.startsWith(where), () -> "expected '" + where + "' at the start of: " + message);
    assertTrue(message.contains(bad.fault()), () -> "expected '" + bad.fault() + "' in: " + message);
    assertFalse(message.contains("\n") || message.contains("\r"), () -> "not one line: " + message);
    assertTrue(message.length() < 300, () -> "too long: " + message);
  }

  /**
   * The same corpus through the command line: exit 1, one line on stderr with the file, line and
   * fault, and nothing written (no model folder for train, no submission for predict).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void commandLineRejectsMalformedInputAndWritesNothing(Bad bad) throws IOException {
    Path path = write(dir, "input.csv", bad.content());
    String message = assertThrows(DigitsException.class, () -> bad.reader().apply(path)).getMessage();
    Path models = dir.resolve("models");
    Path submission = dir.resolve("submission.csv");
    CliRunner.Run run = bad.reader() == READ
        ? CliRunner.digits("predict", "--model-dir", model().toString(), "--input", path.toString(),
            "--output", submission.toString())
        : CliRunner.digits("train", "--model", "simple", "--data", path.toString(), "--output", models.toString());
    assertEquals(1, run.code(), run.err());
    assertEquals("digits: " + message, run.err().strip());
    assertFalse(Files.exists(models), "no model folder");
    assertFalse(Files.exists(submission), "no submission");
  }

  private static Path model;

  /** One tiny exported model for the predict cases. */
  private static synchronized Path model() throws IOException {
    if (model == null) {
      model = Files.createTempDirectory("digits-model").resolve("simple/1");
      TinyModels.exportSimple(model, 1);
    }
    return model;
  }
}
