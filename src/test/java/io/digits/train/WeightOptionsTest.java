package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.model.Activation;
import io.digits.model.Constraint;
import io.digits.model.Dense;
import io.digits.model.Flatten;
import io.digits.model.Model;
import io.digits.model.Regularizer;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.testing.SyntheticDigits;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;

/** Regularizers join the training loss (Keras's model.losses); constraints project the weights after each update. */
class WeightOptionsTest {
  private static final Dataset DATA = SyntheticDigits.labeled(64, 3);
  private static final int[] BATCH = {0, 1, 2, 3, 4, 5, 6, 7};

  private static Model model(Dense head) {
    return new Sequential("m", List.of(new Flatten(), head));
  }

  private static double firstLoss(Model model) {
    try (TrainingGraph g = new TrainingGraph(model, DATA, DATA.head(8), new RmsProp(0.001f), ConfigProto.getDefaultInstance())) {
      g.start(Weights.initial(model.parameters(), 5), 5);
      return g.step(BATCH).loss();
    }
  }

  @Test
  void aRegularizersPenaltyIsAddedToTheLoss() {
    Dense plain = new Dense(10, Activation.SOFTMAX);
    double crossEntropy = firstLoss(model(plain));
    Dense head = new Dense(10, Activation.SOFTMAX);
    Model regularized = model(head).regularize(head, "kernel", new Regularizer(0.001f, 0.01f));
    double loss = firstLoss(regularized);
    float[] kernel = Weights.initial(regularized.parameters(), 5).values().get(0).data();
    double penalty = 0;
    for (float w : kernel) {
      penalty += 0.001 * Math.abs(w) + 0.01 * w * w;
    }
    assertTrue(penalty > 1e-3, "a penalty worth testing: " + penalty);
    // float32 sums of 7,840 terms: relative error well under 1e-5
    assertEquals(crossEntropy + penalty, loss, 1e-5 * (crossEntropy + penalty));
  }

  @Test
  void constraintsHoldAfterEveryStep() {
    Dense head = new Dense(10, Activation.SOFTMAX);
    Model model = model(head).constrain(head, "kernel", new Constraint.MaxNorm(0.05f, java.util.List.of(0)))
        .constrain(head, "bias", new Constraint.NonNeg());
    try (TrainingGraph g = new TrainingGraph(model, DATA, DATA.head(8), new RmsProp(0.01f), ConfigProto.getDefaultInstance())) {
      g.start(Weights.initial(model.parameters(), 5), 5);
      for (int i = 0; i < 3; i++) {
        g.step(BATCH);
      }
      List<Weights.Value> values = g.weights().values();
      float[] kernel = values.get(0).data();
      for (int unit = 0; unit < 10; unit++) {
        double norm = 0;
        for (int in = 0; in < 784; in++) {
          norm += kernel[in * 10 + unit] * kernel[in * 10 + unit];
        }
        assertTrue(Math.sqrt(norm) <= 0.05 + 1e-6, "column " + unit + " norm " + Math.sqrt(norm));
      }
      for (float b : values.get(1).data()) {
        assertTrue(b >= 0, "bias " + b);
      }
    }
  }
}
