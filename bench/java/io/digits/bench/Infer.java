package io.digits.bench;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.scoring.Predictor;
import java.nio.file.Path;
import java.util.Map;

/**
 * Row 4, inference speed: test.csv in memory, scored through {@link Predictor} (what
 * {@code digits predict} calls) in batches; the first {@link #WARMUP_BATCHES} are warm-up (JIT
 * compilation), the rest of the file is timed, as bench/keras_bench.py does on its side.
 *
 * <p>Usage: Infer MODEL_DIR TEST_CSV BATCH
 */
public final class Infer {
  static final int WARMUP_BATCHES = 3;

  public static void main(String[] args) {
    Dataset test = DigitCsv.read(Path.of(args[1]));
    int batch = Integer.parseInt(args[2]);
    try (Predictor predictor = Predictor.open(Path.of(args[0]), Predictor.DEFAULT_INPUT_SCALE)) {
      for (int i = 0; i < WARMUP_BATCHES; i++) {
        predictor.predict(test.subset(range(i * batch, (i + 1) * batch)));
      }
      long start = System.nanoTime();
      int scored = 0;
      for (int from = WARMUP_BATCHES * batch; from < test.size(); from += batch) {
        int to = Math.min(test.size(), from + batch);
        scored += predictor.predict(test.subset(range(from, to))).length;
      }
      Report.print(Map.of("img_s", scored / Report.seconds(start)));
    }
  }

  private static int[] range(int from, int to) {
    return java.util.stream.IntStream.range(from, to).toArray();
  }
}
