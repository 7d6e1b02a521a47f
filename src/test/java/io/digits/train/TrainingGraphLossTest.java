package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.digits.data.Dataset;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.testing.SyntheticDigits;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/** The training graph trains on and validates with the loss it is given. */
class TrainingGraphLossTest {
  private static final Dataset TRAIN = SyntheticDigits.labeled(64, 1);
  private static final Dataset VALIDATION = SyntheticDigits.labeled(50, 2);
  private static final int[] BATCH = {0, 3, 5, 8, 13, 21, 34, 55};

  /** The loss of one step, the validation loss after it. */
  private static double[] stepAndValidate(Loss loss) {
    Sequential model = Architecture.SIMPLE.create(0f);
    try (TrainingGraph graph = new TrainingGraph(model, TRAIN, VALIDATION, new Adam(0.001f), loss,
        ConfigProto.getDefaultInstance())) {
      graph.start(Weights.initial(model.parameters(), 7), 7);
      double trained = graph.step(BATCH).loss();
      return new double[] {trained, graph.evaluate(VALIDATION.size(), 20).loss()};
    }
  }

  @Test
  void sparseAndOneHotCrossEntropyTrainAlike() {
    double[] categorical = stepAndValidate(Loss.NOTEBOOK);
    double[] sparse = stepAndValidate(new Loss(Loss.Kind.SPARSE_CATEGORICAL, false, 0));
    // The same formula through two TF kernels: equal to float32 rounding of a sum of 10 terms.
    assertEquals(categorical[0], sparse[0], 1e-6 * categorical[0], "training loss");
    assertEquals(categorical[1], sparse[1], 1e-5 * categorical[1], "validation loss after one Adam step");
  }

  @Test
  void labelSmoothingChangesTheTrainingAndTheValidationLoss() {
    double[] plain = stepAndValidate(Loss.NOTEBOOK);
    double[] smoothed = stepAndValidate(new Loss(Loss.Kind.CATEGORICAL, false, 0.2));
    assertNotEquals(plain[0], smoothed[0], 1e-3, "training loss");
    assertNotEquals(plain[1], smoothed[1], 1e-3, "validation loss");
  }
}
