package io.digits.testing;

import io.digits.data.Dataset;
import java.util.SplittableRandom;

/**
 * Small generated data sets for tests: class k is a bright 6x6 square at a position that depends on
 * k, on light noise, so that a model learns it in a few steps. No real data is needed.
 */
public final class SyntheticDigits {
  private SyntheticDigits() {}

  public static Dataset labeled(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] pixels = new byte[n * Dataset.PIXELS];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int label = random.nextInt(10);
      labels[i] = label;
      int top = 2 + (label / 5) * 12 + random.nextInt(3);
      int left = 2 + (label % 5) * 5 + random.nextInt(2);
      for (int p = 0; p < Dataset.PIXELS; p++) {
        int r = p / 28;
        int c = p % 28;
        boolean on = r >= top && r < top + 6 && c >= left && c < Math.min(28, left + 4);
        pixels[i * Dataset.PIXELS + p] = (byte) (on ? 200 + random.nextInt(56) : random.nextInt(30));
      }
    }
    return new Dataset(pixels, labels);
  }

  /** The formula the committed Keras fixtures were scored on: pixel[i][k] = (i*37 + k*11) % 256. */
  public static Dataset formula(int n) {
    byte[] pixels = new byte[n * Dataset.PIXELS];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < Dataset.PIXELS; k++) {
        pixels[i * Dataset.PIXELS + k] = (byte) ((i * 37 + k * 11) % 256);
      }
    }
    return new Dataset(pixels, null);
  }
}
