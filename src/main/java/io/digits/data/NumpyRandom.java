package io.digits.data;

import io.digits.DigitsException;

/**
 * numpy's legacy {@code np.random.RandomState(seed)}: MT19937 seeded with {@code init_genrand},
 * and the legacy {@code shuffle}/{@code permutation} on top of it. Only what the validation split
 * needs, reproduced bit for bit so that a seed picks the same validation rows as the reference
 * notebook's {@code train_test_split(..., random_state=seed)}.
 */
public final class NumpyRandom {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  /** The largest seed numpy's RandomState accepts: seeds are unsigned 32-bit. */
  public static final long MAX_SEED = 0xffffffffL;

  private final int[] mt = new int[N];
  private int mti;

  /** Seeds as {@code np.random.RandomState(seed)} does for an integer seed in 0..2^32-1. */
  public NumpyRandom(long seed) {
    if (seed < 0 || seed > MAX_SEED) {
      throw new DigitsException("seed must be between 0 and " + MAX_SEED + " (numpy RandomState), got " + seed);
    }
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      // int arithmetic wraps modulo 2^32, exactly the reference's "& 0xffffffff".
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    mti = N;
  }

  /** The next raw MT19937 output as an unsigned 32-bit value. */
  public long nextUint32() {
    return nextInt() & 0xffffffffL;
  }

  private int nextInt() {
    if (mti >= N) {
      twist();
    }
    int y = mt[mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  private void twist() {
    for (int kk = 0; kk < N; kk++) {
      int y = (mt[kk] & UPPER_MASK) | (mt[(kk + 1) % N] & LOWER_MASK);
      mt[kk] = mt[(kk + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
    }
    mti = 0;
  }

  /**
   * A uniform value in 0..max inclusive, as numpy's {@code random_interval}: draw 32 bits, keep
   * the smallest all-ones mask covering max, reject values above max. The 64-bit branch numpy
   * has for max > 2^32-1 is never needed for Java arrays.
   */
  int randomInterval(int max) {
    if (max == 0) {
      return 0;
    }
    int mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    int value;
    do {
      value = nextInt() & mask;
    } while (value > max);
    return value;
  }

  /** Shuffles in place as numpy's legacy {@code RandomState.shuffle} does for a 1-D array. */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i >= 1; i--) {
      int j = randomInterval(i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** {@code RandomState.permutation(n)}: a shuffled {@code arange(n)}. */
  public int[] permutation(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    shuffle(a);
    return a;
  }
}
