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

  /**
   * Fold {@code fold} (1..folds) of scikit-learn's {@code KFold(n_splits=folds, shuffle=True,
   * random_state=seed)} as validation, the other folds as training: the rows are permuted by
   * {@code np.random.RandomState(seed).permutation(n)} and cut into {@code folds} runs, the first
   * {@code n % folds} one row longer; both parts keep the file's row order, as KFold returns them.
   */
  public static Split fold(Dataset all, int folds, int fold, long seed) {
    int n = all.size();
    if (folds < 2 || fold < 1 || fold > folds || n < folds) {
      throw new DigitsException("need 2 <= folds <= rows (" + n + ") and 1 <= fold <= folds, got fold " + fold
          + " of " + folds);
    }
    int[] permutation = new NumpyRandom(seed).permutation(n);
    int start = 0;
    for (int f = 1; f < fold; f++) {
      start += n / folds + (f <= n % folds ? 1 : 0);
    }
    int end = start + n / folds + (fold <= n % folds ? 1 : 0);
    boolean[] held = new boolean[n];
    for (int i = start; i < end; i++) {
      held[permutation[i]] = true;
    }
    int[] validation = new int[end - start];
    int[] train = new int[n - validation.length];
    for (int row = 0, v = 0, t = 0; row < n; row++) {
      if (held[row]) {
        validation[v++] = row;
      } else {
        train[t++] = row;
      }
    }
    return new Split(all.subset(train), all.subset(validation));
  }
}
