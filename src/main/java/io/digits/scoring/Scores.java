package io.digits.scoring;

import java.util.Arrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Rows of class scores: reading them out of a tensor, and the class each row picks. */
public final class Scores {
  private Scores() {}

  /** The index of the highest score (the first one on ties, as numpy's argmax). */
  public static int argMax(float[] row) {
    int best = 0;
    for (int k = 1; k < row.length; k++) {
      if (row[k] > row[best]) {
        best = k;
      }
    }
    return best;
  }

  /** A float32 [n, classes] tensor as one array per row. */
  public static float[][] rows(TFloat32 scores) {
    int n = (int) scores.shape().size(0);
    int classes = (int) scores.shape().size(1);
    float[] flat = new float[n * classes];
    scores.copyTo(DataBuffers.of(flat, false, false));
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = Arrays.copyOfRange(flat, i * classes, (i + 1) * classes);
    }
    return rows;
  }
}
