package io.digits.train;

import io.digits.testing.ResidentMemory;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.testing.SyntheticDigits;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/**
 * Native memory stays flat across epochs (issue 6): a tensor or session result left open per step,
 * or a graph that grows per call, would show as resident memory rising from epoch 2 to epoch 10.
 * Epochs are run here as Trainer runs them (steps over the shuffled rows, then validation), because
 * Trainer has no per-epoch hook to read memory from.
 */
class NativeMemoryTest {
  private static final int ROWS = 3200;
  private static final int BATCH = 32;

  @Test
  void residentMemoryAfterEpoch10IsWithin5PercentOfEpoch2() throws IOException {
    Dataset train = SyntheticDigits.labeled(ROWS, 1);
    Dataset validation = SyntheticDigits.labeled(500, 2);
    Sequential model = Architecture.SIMPLE.create();
    try (TrainingGraph graph = new TrainingGraph(model, train, validation,
        new RmsProp(RmsProp.NOTEBOOK_LEARNING_RATE), ConfigProto.getDefaultInstance())) {
      graph.start(Weights.initial(model.parameters(), 2), 2);
      long afterEpoch2 = 0;
      double firstLoss = 0;
      double lastLoss = 0;
      for (int epoch = 1; epoch <= 10; epoch++) {
        lastLoss = epoch(graph, epoch);
        firstLoss = epoch == 1 ? lastLoss : firstLoss;
        graph.evaluate(validation.size(), 100);
        if (epoch == 2) {
          System.gc();
          afterEpoch2 = ResidentMemory.kib();
        }
      }
      System.gc();
      long afterEpoch10 = ResidentMemory.kib();
      assertTrue(lastLoss < firstLoss, "the steps really trained: loss " + firstLoss + " -> " + lastLoss);
      // A leak only grows; memory that earlier tests in this JVM leave to the collector may shrink it.
      assertTrue(afterEpoch10 <= afterEpoch2 * 1.05,
          "VmRSS after epoch 2: " + afterEpoch2 + " kB, after epoch 10: " + afterEpoch10 + " kB");
    }
  }

  /** One pass over the rows in a shuffled order; returns the mean loss of its steps. */
  private static double epoch(TrainingGraph graph, long seed) {
    // a permutation of the rows: distinct draws until every row has come up once
    int[] order = new java.util.SplittableRandom(seed).ints(0, ROWS).distinct().limit(ROWS).toArray();
    double lossSum = 0;
    int steps = 0;
    for (int from = 0; from < ROWS; from += BATCH) {
      lossSum += graph.step(Arrays.copyOfRange(order, from, Math.min(ROWS, from + BATCH))).loss();
      steps++;
    }
    return lossSum / steps;
  }
}
