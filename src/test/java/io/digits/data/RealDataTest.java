package io.digits.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads the real Kaggle train.csv.gz where it lies beside the project: ../shared/data from the main
 * checkout, ../../shared/data from a git worktree under wt/. Skipped where neither exists.
 */
class RealDataTest {

  @Test
  void readsKaggleTrainCsvGzQuickly() {
    Path root = Path.of(System.getProperty("user.dir"));
    Path path = Stream.of("../shared/data/train.csv.gz", "../../shared/data/train.csv.gz")
        .map(root::resolve)
        .filter(Files::isReadable)
        .findFirst()
        .orElse(null);
    assumeTrue(path != null, "no ../shared/data/train.csv.gz");
    long start = System.nanoTime();
    Dataset train = DigitCsv.readLabeled(path);
    double seconds = (System.nanoTime() - start) / 1e9;

    assertEquals(42_000, train.size());
    int[] counts = new int[Dataset.CLASSES];
    for (int label : train.labels()) {
      counts[label]++;
    }
    int sum = 0;
    for (int c : counts) {
      assertTrue(c > 3_000, "every digit is well represented");
      sum += c;
    }
    assertEquals(42_000, sum);
    // About 0.5 s on a 2-core machine; the bound leaves room for a busy build machine.
    assertTrue(seconds < 10, "read took " + seconds + " s");
  }
}
