package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.keras.CompileSettings;
import io.digits.keras.KerasFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Optimizers, schedules and losses against Keras 3's own objects (make interop, check f):
 * scripts/training_settings_parity.py saves a model file compiled with each, and what Keras computed
 * with it; here the settings are read from that file by {@link CompileSettings} and computed in Java.
 * Both sides run the same TensorFlow kernels in the same op order, so they agree to float32 rounding:
 * the bound 1e-6 of max(1, |value|) is ~16 float32 steps.
 *
 * <p>Skipped without {@code -Ddigits.settings.dir} (the plain unit-test run has no Python).
 */
class TrainingSettingsParityTest {
  private static final double TOLERANCE = 1e-6;
  private static Path dir;
  private static JsonNode cases;

  @BeforeAll
  static void load() throws IOException {
    String property = System.getProperty("digits.settings.dir");
    assumeTrue(property != null, "set -Ddigits.settings.dir (make interop) to run");
    dir = Path.of(property);
    cases = new ObjectMapper().readTree(Files.readAllBytes(dir.resolve("cases.json")));
  }

  private static CompileSettings settings(String name) {
    return CompileSettings.read(KerasFile.read(dir.resolve(name + ".keras")));
  }

  /** The largest difference seen, in units of max(1, |value|), printed after each test. */
  private static double worst;

  private static void close(double want, double got, String what) {
    worst = Math.max(worst, Math.abs(want - got) / Math.max(1, Math.abs(want)));
    assertEquals(want, got, TOLERANCE * Math.max(1, Math.abs(want)), what);
  }

  @AfterEach
  void report(TestInfo test) {
    System.out.printf("%s: worst difference %.2e of max(1, |value|)%n", test.getDisplayName(), worst);
    worst = 0;
  }

  @Test
  void everyOptimizerGivesKerassWeightsAfterEachOf20Steps() {
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = cases.get("optimizers").fields(); it.hasNext(); checked++) {
      Map.Entry<String, JsonNode> c = it.next();
      CompileSettings s = settings(c.getKey());
      double before = worst;
      worst = 0;
      try (QuadraticProblem problem = new QuadraticProblem(s.optimizer(), s.schedule())) {
        for (int step = 0; step < c.getValue().size(); step++) {
          float[][] got = problem.step();
          JsonNode want = c.getValue().get(step);
          for (int v = 0; v < got.length; v++) {
            for (int i = 0; i < got[v].length; i++) {
              close(want.get(v).get(i).asDouble(), got[v][i],
                  c.getKey() + " (" + s.describe() + ") step " + (step + 1) + " weight " + v + "[" + i + "]");
            }
          }
        }
      }
      System.out.printf("  %s: %.2e%n", c.getKey(), worst);
      worst = Math.max(before, worst);
    }
    assertTrue(checked >= 10, "only " + checked + " optimizer cases");
  }

  @Test
  void everyScheduleGivesKerassRates() {
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = cases.get("schedules").fields(); it.hasNext(); checked++) {
      Map.Entry<String, JsonNode> c = it.next();
      LearningRateSchedule schedule = settings(c.getKey()).schedule();
      c.getValue().fields().forEachRemaining(e -> close(e.getValue().asDouble(),
          schedule.rate(Long.parseLong(e.getKey())), c.getKey() + " " + schedule + " at step " + e.getKey()));
    }
    assertTrue(checked >= 4, "only " + checked + " schedule cases");
  }

  @Test
  void everyLossGivesTheLossKerasReports() {
    int checked = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = cases.get("losses").fields(); it.hasNext(); checked++) {
      Map.Entry<String, JsonNode> c = it.next();
      Loss loss = settings(c.getKey()).loss();
      JsonNode data = c.getValue();
      float[][] logits = new ObjectMapper().convertValue(data.get("logits"), float[][].class);
      int[] labels = new ObjectMapper().convertValue(data.get("labels"), int[].class);
      String activation = data.get("activation").asText();
      try (Graph g = new Graph(); Session session = new Session(g)) {
        Ops tf = Ops.create(g);
        Operand<TFloat32> z = tf.constant(logits);
        Loss.Prediction prediction = switch (activation) {
          case "softmax", "sigmoid" -> Loss.Prediction.logitsOf(z);
          case "relu" -> Loss.Prediction.of(tf.nn.relu(z));
          default -> Loss.Prediction.of(z);
        };
        try (Result r = session.runner().fetch(loss.mean(tf, prediction, tf.constant(labels))).run()) {
          close(data.get("loss").asDouble(), ((TFloat32) r.get(0)).getFloat(),
              c.getKey() + " (" + activation + " output, " + loss.describe() + ")");
        }
      }
    }
    assertTrue(checked >= 6, "only " + checked + " loss cases");
  }
}
