package io.digits.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.data.Dataset;
import io.digits.scoring.SessionSettings;
import io.digits.testing.CpuFeatures;
import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinyModels;
import io.digits.train.Precision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --precision mixed-bfloat16}: the same answers' classes, computed by TF's bfloat16 rewrite. */
class ServePrecisionTest {

  private static JsonNode predictions(Path model, Precision precision, String body) throws Exception {
    try (ModelVersions versions = ModelVersions.open("digits", model, Duration.ofHours(1), line -> { },
        SessionSettings.DEFAULT.with(precision));
        ModelServer server = ModelServer.start(versions, ServerOptions.loopback(2, null), System.err::println)) {
      ServeFixture.Reply reply = ServeFixture.post(server.url(), "/v1/models/digits:predict", body);
      assertEquals(200, reply.status(), reply.body());
      return Json.MAPPER.readTree(reply.body()).get("predictions");
    }
  }

  @Test
  void bfloat16AnswersKeepFloat32sClearClasses(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("digits");
    TinyModels.exportSimple(model.resolve("1"), 5);
    Dataset images = SyntheticDigits.labeled(20, 3);
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.set("instances", ServeFixture.instances(images));
    JsonNode exact = predictions(model, Precision.FLOAT32, body.toString());
    JsonNode mixed = predictions(model, Precision.MIXED_BFLOAT16, body.toString());
    for (int i = 0; i < images.size(); i++) {
      double[] p = probabilities(exact.get(i));
      double[] sorted = p.clone();
      Arrays.sort(sorted);
      // bfloat16 keeps 8 bits of mantissa: a class that leads by a clear margin keeps the lead.
      if (sorted[sorted.length - 1] - sorted[sorted.length - 2] > 0.1) {
        assertEquals(exact.get(i).get("class").asInt(), mixed.get(i).get("class").asInt(), "row " + i);
      }
    }
    if (CpuFeatures.hasBfloat16()) {
      assertNotEquals(exact.toString(), mixed.toString(), "no bfloat16 rewrite ran on a CPU that has bfloat16");
    }
  }

  private static double[] probabilities(JsonNode prediction) {
    JsonNode p = prediction.get("probabilities");
    double[] values = new double[p.size()];
    for (int k = 0; k < values.length; k++) {
      values[k] = p.get(k).asDouble();
    }
    assertTrue(values.length == 10, prediction.toString());
    return values;
  }

}
