package io.digits.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.DigitsException;
import org.junit.jupiter.api.Test;

class SplitTest {

  /** Rows whose first three pixels spell the row index, so a split row tells where it came from. */
  private static Dataset indexed(int n) {
    byte[] pixels = new byte[n * Dataset.PIXELS];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      pixels[i * Dataset.PIXELS] = (byte) (i >>> 16);
      pixels[i * Dataset.PIXELS + 1] = (byte) (i >>> 8);
      pixels[i * Dataset.PIXELS + 2] = (byte) i;
      labels[i] = i % 10;
    }
    return new Dataset(pixels, labels);
  }

  private static int originalRow(Dataset d, int row) {
    byte[] p = d.pixels();
    int o = row * Dataset.PIXELS;
    return (p[o] & 0xff) << 16 | (p[o + 1] & 0xff) << 8 | (p[o + 2] & 0xff);
  }

  @Test
  void notebookSplitSizesOrderAndCoverage() {
    Split split = Split.of(indexed(42000), 0.1, 2);
    assertEquals(37800, split.train().size());
    assertEquals(4200, split.validation().size());
    // validation = permutation[:4200], train = permutation[4200:] (see NumpyRandomTest for the vectors)
    assertEquals(38732, originalRow(split.validation(), 0));
    assertEquals(3686, originalRow(split.validation(), 1));
    assertEquals(23720, originalRow(split.train(), 37799));
    assertEquals(38732 % 10, split.validation().labels()[0]);

    boolean[] seen = new boolean[42000];
    for (Dataset part : new Dataset[] {split.train(), split.validation()}) {
      for (int i = 0; i < part.size(); i++) {
        int row = originalRow(part, i);
        assertTrue(!seen[row], "row " + row + " appears twice");
        seen[row] = true;
      }
    }
    for (int i = 0; i < seen.length; i++) {
      assertTrue(seen[i], "row " + i + " missing");
    }
  }

  @Test
  void roundsValidationSizeUpLikeScikitLearn() {
    Split split = Split.of(indexed(25), 0.1, 0);
    assertEquals(3, split.validation().size());
    assertEquals(22, split.train().size());
  }

  @Test
  void zeroFractionKeepsAllRowsForTraining() {
    Split split = Split.of(indexed(10), 0, 2);
    assertEquals(0, split.validation().size());
    assertEquals(10, split.train().size());
  }

  @Test
  void rejectsFractionsThatLeaveNothing() {
    assertThrows(DigitsException.class, () -> Split.of(indexed(10), 1.0, 2));
    assertThrows(DigitsException.class, () -> Split.of(indexed(10), -0.1, 2));
    assertThrows(DigitsException.class, () -> Split.of(indexed(1), 0.5, 2));
  }

  @Test
  void foldsPartitionTheRowsAsKFoldDoes() {
    Dataset all = indexed(23);
    int[] validatedIn = new int[23];
    int[] trainedIn = new int[23];
    int[] sizes = new int[5];
    for (int fold = 1; fold <= 5; fold++) {
      Split split = Split.fold(all, 5, fold, 2);
      sizes[fold - 1] = split.validation().size();
      assertEquals(23, split.train().size() + split.validation().size());
      for (int i = 0; i < split.validation().size(); i++) {
        validatedIn[originalRow(split.validation(), i)]++;
        assertTrue(i == 0 || originalRow(split.validation(), i) > originalRow(split.validation(), i - 1),
            "rows in file order");
      }
      for (int i = 0; i < split.train().size(); i++) {
        trainedIn[originalRow(split.train(), i)]++;
      }
    }
    assertEquals(java.util.List.of(5, 5, 5, 4, 4), java.util.Arrays.stream(sizes).boxed().toList(),
        "the first n % k folds are one row longer");
    for (int row = 0; row < 23; row++) {
      assertEquals(1, validatedIn[row], "every row validates in exactly one fold");
      assertEquals(4, trainedIn[row], "and trains in the others");
    }
    // fold 1 is permutation[:5] of np.random.RandomState(2).permutation(23), sorted
    int[] permutation = new NumpyRandom(2).permutation(23);
    int[] first = java.util.Arrays.copyOf(permutation, 5);
    java.util.Arrays.sort(first);
    Split one = Split.fold(all, 5, 1, 2);
    for (int i = 0; i < 5; i++) {
      assertEquals(first[i], originalRow(one.validation(), i));
    }
    assertThrows(DigitsException.class, () -> Split.fold(all, 5, 6, 2));
    assertThrows(DigitsException.class, () -> Split.fold(all, 1, 1, 2));
  }
}
