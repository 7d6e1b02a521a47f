package io.digits.bench.jmh;

import io.digits.data.BatchReader;
import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The CSV reader on the real files: train.csv whole (what {@code train} does) and test.csv streamed in
 * batches of 1000 (what {@code predict} does); and, for scale, train.csv read whole with commons-csv,
 * the general-purpose parser the byte-level reader replaced. Run by bench/run.py with -p train=...
 * -p test=....
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CsvReaderBenchmark {
  @Param("data/train.csv")
  public String train;

  @Param("data/test.csv")
  public String test;

  @Benchmark
  public Dataset readTrainWhole() {
    return DigitCsv.readLabeled(Path.of(train));
  }

  @Benchmark
  public void streamTestInBatches(Blackhole sink) {
    try (BatchReader reader = DigitCsv.open(Path.of(test))) {
      for (Dataset batch; (batch = reader.next(1000)) != null; ) {
        sink.consume(batch);
      }
    }
  }

  /** train.csv (its 42,000 rows) through commons-csv's parser and Integer.parseInt into the same arrays. */
  @Benchmark
  public Dataset readTrainWithCommonsCsv() throws IOException {
    byte[] pixels = new byte[42_000 * Dataset.PIXELS];
    int[] labels = new int[42_000];
    int row = 0;
    try (Reader in = Files.newBufferedReader(Path.of(train));
        CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
      for (CSVRecord record : parser) {
        labels[row] = Integer.parseInt(record.get(0));
        for (int i = 0; i < Dataset.PIXELS; i++) {
          pixels[row * Dataset.PIXELS + i] = (byte) Integer.parseInt(record.get(i + 1));
        }
        row++;
      }
    }
    return new Dataset(pixels, labels);
  }
}
