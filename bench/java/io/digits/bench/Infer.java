package io.digits.bench;

import io.digits.scoring.Predictor;
import io.digits.train.Precision;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Row 4, inference speed: test.csv's pixels already divided by 255, read from the raw float32 file
 * that bench/keras_bench.py wrote for both sides (so neither side's CSV parsing or scaling is in the
 * timed loop), cut into batches before the clock starts (numpy slices are views on the other side),
 * and scored through {@link Predictor} (what {@code digits predict} calls). The first
 * {@link #WARMUP_BATCHES} are warm-up (JIT compilation), the rest is timed, as keras_bench.py does.
 *
 * <p>Usage: Infer MODEL_DIR FLOATS_FILE BATCH [PRECISION]
 */
public final class Infer {
  static final int WARMUP_BATCHES = 3;

  public static void main(String[] args) throws IOException {
    float[][] batches = batches(readFloats(Path.of(args[1])), Integer.parseInt(args[2]) * 784);
    Precision precision = args.length > 3
        ? Precision.valueOf(args[3].toUpperCase(Locale.ROOT).replace('-', '_')) : Precision.FLOAT32;
    try (Predictor predictor = Predictor.open(Path.of(args[0]), Predictor.DEFAULT_INPUT_SCALE, precision)) {
      for (int i = 0; i < WARMUP_BATCHES; i++) {
        predictor.predictScaled(batches[i]);
      }
      long start = System.nanoTime();
      int scored = 0;
      for (int i = WARMUP_BATCHES; i < batches.length; i++) {
        scored += predictor.predictScaled(batches[i]).length;
      }
      Report.print(Map.of("img_s", scored / Report.seconds(start)));
    }
  }

  /** A raw little-endian float32 file (numpy's {@code tofile}). */
  static float[] readFloats(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[bytes.remaining() / Float.BYTES];
    bytes.asFloatBuffer().get(values);
    return values;
  }

  private static float[][] batches(float[] all, int size) {
    float[][] out = new float[(all.length + size - 1) / size][];
    for (int i = 0; i < out.length; i++) {
      out[i] = Arrays.copyOfRange(all, i * size, Math.min(all.length, (i + 1) * size));
    }
    return out;
  }
}
