package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.testing.CliRunner;
import io.digits.testing.ResidentMemory;
import io.digits.testing.SyntheticDigits;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every graph, session, bundle and tensor is closed: many train + predict cycles in one JVM leave
 * resident memory where it was after the first few (leaks in native memory would grow it by the
 * size of a model or a batch per cycle).
 */
class RepeatedRunsMemoryTest {

  @Test
  void trainAndPredictCyclesKeepResidentMemoryFlat(@TempDir Path dir) throws Exception {
    Path train = dir.resolve("train.csv");
    CliRunner.writeCsv(train, SyntheticDigits.labeled(640, 1));
    Path test = dir.resolve("test.csv");
    CliRunner.writeCsv(test, new Dataset(SyntheticDigits.labeled(2000, 2).pixels(), null));
    // Resident memory wobbles by ~15 MB between cycles (allocator arenas), so compare medians of
    // four cycles just after warm-up with four cycles at the end: a leak would add up in between.
    long[] early = new long[4];
    long[] late = new long[4];
    int cycles = 20;
    for (int cycle = 1; cycle <= cycles; cycle++) {
      assertEquals(0, CliRunner.digits("train", "--model", "double-conv", "--data", train.toString(), "--epochs", "1",
          "--output", dir.resolve("m").toString(), "--model-version", "1", "--overwrite").code());
      assertEquals(0, CliRunner.digits("predict", "--model-dir", dir.resolve("m/double-conv").toString(),
          "--input", test.toString(), "--output", dir.resolve("s.csv").toString(), "--batch-size", "500").code());
      System.gc();
      if (cycle > 4 && cycle <= 8) {
        early[cycle - 5] = ResidentMemory.kib();
      } else if (cycle > cycles - 4) {
        late[cycle - (cycles - 3)] = ResidentMemory.kib();
      }
    }
    long before = median(early);
    long after = median(late);
    System.out.printf("resident memory, median of cycles 5-8: %,d KiB; of cycles %d-%d: %,d KiB%n",
        before, cycles - 3, cycles, after);
    assertTrue(after < before * 1.05, "resident memory grew from " + before + " to " + after + " KiB");
  }

  private static long median(long[] values) {
    long[] v = values.clone();
    java.util.Arrays.sort(v);
    return (v[1] + v[2]) / 2;
  }
}
