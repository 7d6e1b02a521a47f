package io.digits.data;

import io.digits.DigitsException;
import java.util.Arrays;

/**
 * Training/validation split with exactly the rows scikit-learn's
 * {@code train_test_split(X, Y, test_size=fraction, random_state=seed)} picks, as the reference
 * notebook splits with (0.1, seed 2): n_test = ceil(fraction*n), permutation =
 * {@code np.random.RandomState(seed).permutation(n)}, validation = permutation[:n_test] and
 * train = permutation[n_test:], each in permutation order.
 */
public record Split(Dataset train, Dataset validation) {

  /**
   * @param validationFraction in [0, 1); 0 gives an empty validation set and all rows (shuffled) for training
   * @param seed 0..2^32-1, as numpy accepts
   */
  public static Split of(Dataset all, double validationFraction, long seed) {
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new DigitsException("validation split must be at least 0 and below 1, got " + validationFraction);
    }
    int n = all.size();
    int nTest = (int) Math.ceil(validationFraction * n);
    if (n - nTest < 1) {
      throw new DigitsException("validation split " + validationFraction + " of " + n + " rows leaves no rows for training");
    }
    int[] permutation = new NumpyRandom(seed).permutation(n);
    return new Split(
        all.subset(Arrays.copyOfRange(permutation, nTest, n)),
        all.subset(Arrays.copyOfRange(permutation, 0, nTest)));
  }
}
