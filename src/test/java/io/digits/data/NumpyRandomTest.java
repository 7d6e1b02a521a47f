package io.digits.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.digits.DigitsException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Reference vectors printed by numpy 2.4.6 (Python 3.11); the producing line is above each. */
class NumpyRandomTest {

  @Test
  void rawOutputsMatchCanonicalMt19937() {
    // np.random.RandomState(5489).randint(0, 2**32, size=5, dtype=np.uint64).tolist()
    long[] expected = {3499211612L, 581869302L, 3890346734L, 3586334585L, 545404204L};
    NumpyRandom random = new NumpyRandom(5489);
    for (long e : expected) {
      assertEquals(e, random.nextUint32());
    }
  }

  @Test
  void smallPermutationsMatchNumpy() {
    // np.random.RandomState(0).permutation(10).tolist()
    assertArrayEquals(new int[] {2, 8, 4, 9, 1, 6, 7, 3, 0, 5}, new NumpyRandom(0).permutation(10));
    // np.random.RandomState(2).permutation(10).tolist()
    assertArrayEquals(new int[] {4, 1, 5, 0, 7, 2, 3, 6, 9, 8}, new NumpyRandom(2).permutation(10));
    // np.random.RandomState(4294967295).permutation(10).tolist()
    assertArrayEquals(new int[] {6, 9, 5, 1, 8, 0, 7, 4, 2, 3}, new NumpyRandom(4294967295L).permutation(10));
  }

  @Test
  void notebookPermutationMatchesNumpy() {
    // np.random.RandomState(2).permutation(42000)[:20].tolist(), ...[-5:].tolist()
    int[] head = {38732, 3686, 30090, 31205, 11331, 22883, 26503, 27313, 35521, 40140,
        20865, 11783, 18034, 9397, 38271, 17822, 33874, 21402, 37609, 38737};
    int[] tail = {31019, 30280, 6637, 35343, 23720};
    int[] p = new NumpyRandom(2).permutation(42000);
    assertArrayEquals(head, Arrays.copyOf(p, 20));
    assertArrayEquals(tail, Arrays.copyOfRange(p, 42000 - 5, 42000));
  }

  @Test
  void edgeSizes() {
    assertArrayEquals(new int[0], new NumpyRandom(1).permutation(0));
    assertArrayEquals(new int[] {0}, new NumpyRandom(1).permutation(1));
  }

  @Test
  void rejectsSeedsNumpyRejects() {
    assertThrows(DigitsException.class, () -> new NumpyRandom(-1));
    assertThrows(DigitsException.class, () -> new NumpyRandom(1L << 32));
  }
}
