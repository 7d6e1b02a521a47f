package io.digits.data;

import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Digit images in memory: {@code size} rows of 784 unsigned pixels (row-major 28x28) and, for a
 * labeled file, one label 0-9 per row. Pixels stay bytes (a quarter of float32) until a batch is
 * turned into a tensor. The arrays are shared, not copied: treat them as read-only.
 */
public final class Dataset {
  public static final int HEIGHT = 28;
  public static final int WIDTH = 28;
  public static final int PIXELS = HEIGHT * WIDTH;
  public static final int CLASSES = 10;

  /**
   * pixel/255 for every byte value, computed in float32. This equals Keras/numpy's
   * {@code float32(x / 255.0)} (float64 division, then rounding to float32) for all 256 values:
   * rounding a float64 quotient to float32 never differs from the correctly rounded float32
   * quotient, because 53 >= 2*24 + 2 (double rounding is innocuous for division); DatasetTest
   * checks all 256 values.
   */
  private static final float[] SCALED = new float[256];

  static {
    for (int x = 0; x < 256; x++) {
      SCALED[x] = x / 255f;
    }
  }

  private final int size;
  private final byte[] pixels;
  private final int[] labels;

  /**
   * @param pixels size*784 unsigned bytes, row-major
   * @param labels one label 0-9 per row, or null for unlabeled data
   */
  public Dataset(byte[] pixels, int[] labels) {
    if (pixels.length % PIXELS != 0) {
      throw new IllegalArgumentException("pixels length " + pixels.length + " is not a multiple of " + PIXELS);
    }
    this.size = pixels.length / PIXELS;
    if (labels != null && labels.length != size) {
      throw new IllegalArgumentException(labels.length + " labels for " + size + " images");
    }
    this.pixels = pixels;
    this.labels = labels;
  }

  public int size() {
    return size;
  }

  /** size*784 unsigned bytes (read with {@code & 0xff}), row-major 28x28 per image. */
  public byte[] pixels() {
    return pixels;
  }

  /** One label 0-9 per image, or null for unlabeled data (test.csv). */
  public int[] labels() {
    return labels;
  }

  public boolean labeled() {
    return labels != null;
  }

  /** Rows from..to-1 as float32 [n,28,28,1], values pixel/255 as the notebook feeds Keras. The caller closes it. */
  public TFloat32 images(int from, int to) {
    Objects.checkFromToIndex(from, to, size);
    int n = to - from;
    float[] values = new float[n * PIXELS];
    int offset = from * PIXELS;
    for (int i = 0; i < values.length; i++) {
      values[i] = SCALED[pixels[offset + i] & 0xff];
    }
    return TFloat32.tensorOf(Shape.of(n, HEIGHT, WIDTH, 1), DataBuffers.of(values, true, false));
  }

  /**
   * Every pixel divided by {@code scale}, row-major (a table of the 256 quotients, looked up per
   * pixel); {@code 255} gives the notebook's pixel/255 bit for bit.
   */
  public float[] scaled(float scale) {
    float[] quotient = new float[256];
    for (int x = 0; x < 256; x++) {
      quotient[x] = x / scale;
    }
    float[] scaled = new float[pixels.length];
    for (int i = 0; i < scaled.length; i++) {
      scaled[i] = quotient[pixels[i] & 0xff];
    }
    return scaled;
  }

  /** Labels of rows from..to-1 one-hot as float32 [n,10]. The caller closes it. */
  public TFloat32 oneHot(int from, int to) {
    if (labels == null) {
      throw new IllegalStateException("unlabeled data has no one-hot labels");
    }
    Objects.checkFromToIndex(from, to, size);
    int n = to - from;
    float[] values = new float[n * CLASSES];
    for (int i = 0; i < n; i++) {
      values[i * CLASSES + labels[from + i]] = 1f;
    }
    return TFloat32.tensorOf(Shape.of(n, CLASSES), DataBuffers.of(values, true, false));
  }

  /** The given rows, in the given order (copied). */
  public Dataset subset(int[] indices) {
    byte[] p = new byte[indices.length * PIXELS];
    int[] l = labels == null ? null : new int[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int row = Objects.checkIndex(indices[i], size);
      System.arraycopy(pixels, row * PIXELS, p, i * PIXELS, PIXELS);
      if (l != null) {
        l[i] = labels[row];
      }
    }
    return new Dataset(p, l);
  }

  /** The first min(n, size) rows (copied), e.g. for a quick run on part of the data. */
  public Dataset head(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative row count " + n);
    }
    int rows = Math.min(n, size);
    return new Dataset(
        Arrays.copyOf(pixels, rows * PIXELS),
        labels == null ? null : Arrays.copyOf(labels, rows));
  }
}
