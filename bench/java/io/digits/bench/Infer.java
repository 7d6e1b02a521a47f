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
 * and scored through {@link Predictor} (what {@code digits predict} calls). One whole pass is
 * warm-up and the next is timed, as keras_bench.py's {@code infer} does: steady state on both sides
 * (a few batches of warm-up left the JVM compiling in the timed pass, on the same two cores).
 *
 * <p>Usage: Infer MODEL_DIR FLOATS_FILE BATCH [PRECISION]
 */
public final class Infer {
  public static void main(String[] args) throws IOException {
    float[][] batches = batches(readFloats(Path.of(args[1])), Integer.parseInt(args[2]) * 784);
    Precision precision = args.length > 3
        ? Precision.valueOf(args[3].toUpperCase(Locale.ROOT).replace('-', '_')) : Precision.FLOAT32;
    try (Predictor predictor = Predictor.open(Path.of(args[0]), Predictor.DEFAULT_INPUT_SCALE, precision)) {
      onePass(predictor, batches);
      long start = System.nanoTime();
      int scored = onePass(predictor, batches);
      Report.print(Map.of("img_s", scored / Report.seconds(start)));
    }
  }

  private static int onePass(Predictor predictor, float[][] batches) {
    int scored = 0;
    for (float[] batch : batches) {
      scored += predictor.predictScaled(batch).length;
    }
    return scored;
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
