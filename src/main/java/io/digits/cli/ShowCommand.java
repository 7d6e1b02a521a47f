package io.digits.cli;

import io.digits.AtomicFile;
import io.digits.DigitsException;
import io.digits.data.BatchReader;
import io.digits.data.DigitCsv;
import io.digits.data.Dataset;
import io.digits.report.DigitGrid;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code digits show}: the notebook's first figure, the first digits of a CSV with their labels, as a PNG. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Draw the first digits of a CSV with their labels (or ImageIds, for test.csv) into a PNG.")
final class ShowCommand implements Callable<Integer> {

  @Option(names = "--data", defaultValue = "data/train.csv", description = "CSV (.csv or .csv.gz; default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--rows", defaultValue = "4", description = "Rows of digits in the picture (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--columns", defaultValue = "10", description = "Digits per row (default: ${DEFAULT-VALUE}).")
  int columns;

  @Option(names = "--output", defaultValue = "samples.png", description = "PNG to write (default: ${DEFAULT-VALUE}).")
  Path output;

  @Override
  public Integer call() {
    if (rows < 1 || columns < 1 || (long) rows * columns > 10_000) {
      throw new DigitsException("need --rows >= 1 and --columns >= 1, at most 10,000 digits in all");
    }
    Dataset digits;
    try (BatchReader reader = DigitCsv.open(data)) {
      digits = reader.next(rows * columns);
    }
    if (digits == null) {
      throw new DigitsException(data + ": no rows to show");
    }
    int[] labels = digits.labels();
    List<String> captions = IntStream.range(0, digits.size())
        .mapToObj(i -> labels != null ? "label " + labels[i] : "ImageId " + (i + 1))
        .toList();
    AtomicFile.write(output, DigitGrid.png("First " + digits.size() + " rows of " + data.getFileName(), digits,
        captions, columns));
    System.out.println("Wrote " + output + " (" + digits.size() + " digits)");
    return 0;
  }
}
