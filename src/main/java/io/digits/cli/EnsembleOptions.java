package io.digits.cli;

import picocli.CommandLine.Option;

/** The options of {@code train} that make an ensemble; see {@link EnsembleTraining}. */
final class EnsembleOptions {

  @Option(names = "--ensemble", paramLabel = "N",
      description = "Train N models that differ in their seed (member i trains with --seed + i - 1; the split stays"
          + " --seed's) and export ONE SavedModel <output>/<model>-ensemble/<version>/ whose probabilities are the"
          + " members' average, with signatures member_1..member_N for each member's own.")
  Integer members;

  @Option(names = "--folds", paramLabel = "K",
      description = "With --ensemble: member i validates on fold (i-1) %% K + 1 of K (scikit-learn's shuffled KFold,"
          + " seed --seed) and trains on the other folds, instead of all members sharing the --validation-split rows.")
  Integer folds;

  @Option(names = "--member", paramLabel = "I",
      description = "With --ensemble N: train and export member I only (its seed and fold as in the ensemble) to"
          + " <output>/<model>-member-I/<version>/; digits ensemble merge joins such members.")
  Integer member;

  @Option(names = "--tta",
      description = "With --ensemble: test-time augmentation in the exported graph: each image is also scored shifted"
          + " one pixel up, down, left and right, and the five are averaged.")
  boolean tta;

  /** True when any of these options is given (they all need --ensemble, which {@link EnsembleTraining} checks). */
  boolean requested() {
    return members != null || folds != null || member != null || tta;
  }
}
