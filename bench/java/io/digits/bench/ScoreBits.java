package io.digits.bench;

import io.digits.data.DigitCsv;
import io.digits.scoring.Predictor;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the raw bits of every score {@link Predictor} gives a CSV's images (row by row, big-endian
 * int32 per float), so that two builds or settings can be compared to the bit with {@code cmp}.
 *
 * <p>Usage: ScoreBits MODEL_DIR CSV OUT
 */
public final class ScoreBits {
  public static void main(String[] args) throws IOException {
    float[][] scores;
    try (Predictor predictor = Predictor.open(Path.of(args[0]), Predictor.DEFAULT_INPUT_SCALE)) {
      scores = predictor.predict(DigitCsv.read(Path.of(args[1])));
    }
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(Path.of(args[2]))))) {
      for (float[] row : scores) {
        for (float v : row) {
          out.writeInt(Float.floatToRawIntBits(v));
        }
      }
    }
  }
}
