package io.digits.bench.jmh;

import io.digits.data.BatchReader;
import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * batches of 1000 (what {@code predict} does). Run by bench/run.py with -p train=... -p test=....
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
}
