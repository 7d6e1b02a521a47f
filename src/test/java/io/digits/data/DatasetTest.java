package io.digits.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

class DatasetTest {

  /** Three rows: row r has pixel i = (r * 100 + i) % 256 and label r + 3. */
  private static Dataset threeRows() {
    byte[] pixels = new byte[3 * Dataset.PIXELS];
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < Dataset.PIXELS; i++) {
        pixels[r * Dataset.PIXELS + i] = (byte) ((r * 100 + i) % 256);
      }
    }
    return new Dataset(pixels, new int[] {3, 4, 5});
  }

  @Test
  void float32DivisionEqualsNumpysFloat64DivisionRoundedToFloat32() {
    for (int x = 0; x < 256; x++) {
      // Keras/numpy: float32(x / 255.0); Dataset.images: x / 255f
      assertEquals(Float.floatToIntBits((float) (x / 255.0)), Float.floatToIntBits(x / 255f), "x=" + x);
    }
  }

  @Test
  void imagesAreScaledNhwcFloat32() {
    try (TFloat32 images = threeRows().images(1, 3)) {
      assertEquals(Shape.of(2, 28, 28, 1), images.shape());
      // row 1, pixel 0 -> 100; row 2, pixel 28*1+5=33 -> (200+33)%256 = 233
      assertEquals(100 / 255f, images.getFloat(0, 0, 0, 0));
      assertEquals(233 / 255f, images.getFloat(1, 1, 5, 0));
      // row 2, pixel 56 -> (200+56)%256 = 0; row 1, pixel 155 -> 255 (unsigned byte)
      assertEquals(0f, images.getFloat(1, 2, 0, 0));
      assertEquals(1f, images.getFloat(0, 155 / 28, 155 % 28, 0));
    }
  }

  @Test
  void oneHotLabels() {
    try (TFloat32 oneHot = threeRows().oneHot(0, 2)) {
      assertEquals(Shape.of(2, 10), oneHot.shape());
      for (int c = 0; c < 10; c++) {
        assertEquals(c == 3 ? 1f : 0f, oneHot.getFloat(0, c));
        assertEquals(c == 4 ? 1f : 0f, oneHot.getFloat(1, c));
      }
    }
  }

  @Test
  void subsetAndHeadCopyRowsInOrder() {
    Dataset d = threeRows();
    Dataset s = d.subset(new int[] {2, 0});
    assertArrayEquals(new int[] {5, 3}, s.labels());
    assertEquals((byte) 200, s.pixels()[0]);
    assertEquals((byte) 0, s.pixels()[Dataset.PIXELS]);
    Dataset h = d.head(2);
    assertEquals(2, h.size());
    assertArrayEquals(new int[] {3, 4}, h.labels());
    assertEquals(3, d.head(10).size());
  }

  @Test
  void unlabeledDataHasNoOneHot() {
    Dataset d = new Dataset(new byte[Dataset.PIXELS], null);
    assertNull(d.labels());
    assertThrows(IllegalStateException.class, () -> d.oneHot(0, 1));
    assertThrows(IndexOutOfBoundsException.class, () -> d.images(0, 2));
  }
}
