package io.digits.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.DigitsException;
import io.digits.data.Dataset;
import io.digits.scoring.Predictor;
import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version switching: a newer folder is picked up, and an old version lives until its last request ends. */
class ModelVersionsTest {
  private static final Dataset IMAGE = SyntheticDigits.labeled(1, 3);
  private final List<String> log = new CopyOnWriteArrayList<>();

  @Test
  void aNewerVersionFolderIsServedWithinAPoll(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m");
    TinyModels.exportSimple(model.resolve("1"), 1);
    try (ModelVersions versions = ModelVersions.open("m", model, Duration.ofMillis(100), log::add);
        ModelServer server = ModelServer.start(versions, ServerOptions.loopback(2, null), log::add)) {
      float[] v1 = predictOverHttp(server);
      TinyModels.exportSimple(model.resolve("2"), 2);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!versionServed(server).equals("2") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals("2", versionServed(server));
      float[] v2 = predictOverHttp(server);
      try (Predictor p = Predictor.open(model.resolve("2"), 255f)) {
        float[] want = p.predict(IMAGE)[0];
        for (int k = 0; k < want.length; k++) {
          assertEquals(want[k], v2[k], 1e-6);
        }
      }
      assertNotEquals(v1[0], v2[0], "other weights, other answer");
      assertEquals(404, ServeFixture.get(server.url(), "/v1/models/m/versions/1").status());
      assertTrue(log.stream().anyMatch(l -> l.contains("version 2")), log.toString());
    }
  }

  @Test
  void theReplacedVersionClosesWhenItsLastRequestEnds(@TempDir Path dir) {
    Path model = dir.resolve("m");
    TinyModels.exportSimple(model.resolve("1"), 1);
    ModelVersions versions = ModelVersions.open("m", model, Duration.ofHours(1), log::add);
    ModelVersions.Lease inFlight = versions.lease();
    TinyModels.exportSimple(model.resolve("2"), 2);
    versions.reloadIfChanged();

    ModelVersions.Lease next = versions.lease();
    assertEquals(2, next.model().version());
    ServedModel old = inFlight.model();
    assertEquals(1, old.version());
    assertFalse(old.closed(), "a request still holds version 1");
    assertArrayEquals(new long[] {1, 10}, probabilitiesShape(old), "and can still run it");
    inFlight.close();
    assertTrue(old.closed());

    versions.close();
    assertFalse(next.model().closed(), "shut down, but a request still holds version 2");
    next.close();
    assertTrue(next.model().closed());
    assertThrows(ServingException.class, versions::lease);
  }

  @Test
  void aVersionThatFailsToLoadLeavesTheOldOneServed(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m");
    TinyModels.exportSimple(model.resolve("1"), 1);
    Files.createDirectories(model.resolve("5"));
    Files.writeString(model.resolve("5/saved_model.pb"), "half-copied");
    // Version 5 is the newest at start, and broken: opening fails with the loader's one-line error.
    assertThrows(DigitsException.class, () -> ModelVersions.open("m", model, Duration.ofHours(1), log::add));
    Files.move(model.resolve("5"), model.resolve(".5"));
    try (ModelVersions versions = ModelVersions.open("m", model, Duration.ofHours(1), log::add)) {
      Files.move(model.resolve(".5"), model.resolve("5"));
      versions.reloadIfChanged();
      versions.reloadIfChanged();
      try (ModelVersions.Lease lease = versions.lease()) {
        assertEquals(1, lease.model().version());
      }
      assertEquals(1, log.stream().filter(l -> l.startsWith("Cannot load version 5")).count(), log.toString());
    }
  }

  @Test
  void aVersionFolderIsNotABasePath(@TempDir Path dir) {
    TinyModels.exportSimple(dir.resolve("m/1"), 1);
    DigitsException e = assertThrows(DigitsException.class,
        () -> ModelVersions.open("m", dir.resolve("m/1"), Duration.ofHours(1), log::add));
    assertTrue(e.getMessage().contains("takes the folder above it"), e.getMessage());
  }

  private static long[] probabilitiesShape(ServedModel model) {
    ObjectNode request = Json.MAPPER.createObjectNode();
    request.set("instances", ServeFixture.instances(IMAGE));
    PredictRequest parsed = PredictRequest.parse(request.toString().getBytes(), model);
    Map<String, HostTensor> out = model.predict(parsed.signatureName(), parsed.inputs());
    return out.get("probabilities").shape();
  }

  private static float[] predictOverHttp(ModelServer server) throws Exception {
    ObjectNode request = Json.MAPPER.createObjectNode();
    request.set("instances", ServeFixture.instances(IMAGE));
    JsonNode p = ServeFixture.post(server.url(), "/v1/models/m:predict", request.toString()).json()
        .at("/predictions/0/probabilities");
    float[] values = new float[p.size()];
    for (int k = 0; k < values.length; k++) {
      values[k] = p.get(k).floatValue();
    }
    return values;
  }

  private static String versionServed(ModelServer server) throws Exception {
    return ServeFixture.get(server.url(), "/v1/models/m").json().at("/model_version_status/0/version").asText();
  }
}
