package io.digits.serve;

import io.digits.scoring.Scores;
import static io.digits.serve.ServeFixture.get;
import static io.digits.serve.ServeFixture.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.data.Dataset;
import io.digits.scoring.Predictor;
import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinyModels;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST contract of TF Serving's api_rest.md, over HTTP on loopback, against a tiny export of
 * our simple model (input image [-1,28,28,1]; outputs class int64 [-1], probabilities [-1,10]).
 */
class RestApiTest {
  @TempDir static Path dir;
  static ModelVersions versions;
  static ModelServer server;
  static URI base;
  static Dataset images = SyntheticDigits.labeled(3, 11);
  static float[][] expected;

  @BeforeAll
  static void start() {
    Path model = dir.resolve("digits");
    TinyModels.exportSimple(model.resolve("1"), 4);
    try (Predictor p = Predictor.open(model, 255f)) {
      expected = p.predict(images);
    }
    versions = ModelVersions.open("digits", model, Duration.ofHours(1), line -> { });
    server = ModelServer.start(versions, ServerOptions.loopback(4, null), System.err::println);
    base = server.url();
  }

  @AfterAll
  static void stop() {
    server.close();
    versions.close();
  }

  @Test
  void statusIsTfServingsGetModelStatusResponse() throws Exception {
    ServeFixture.Reply r = get(base, "/v1/models/digits");
    assertEquals(200, r.status());
    assertEquals("application/json", r.contentType());
    assertEquals(Json.MAPPER.readTree("{\"model_version_status\": [{\"version\": \"1\", \"state\": \"AVAILABLE\","
        + " \"status\": {\"error_code\": \"OK\", \"error_message\": \"\"}}]}"), r.json());
    assertEquals(r.json(), get(base, "/v1/models/digits/versions/1").json());
    assertEquals(404, get(base, "/v1/models/digits/versions/7").status());
  }

  @Test
  void metadataHasTheSignatureInTfServingsLayout() throws Exception {
    ServeFixture.Reply r = get(base, "/v1/models/digits/metadata");
    assertEquals(200, r.status());
    JsonNode body = r.json();
    assertEquals(Json.MAPPER.readTree("{\"name\": \"digits\", \"signature_name\": \"\", \"version\": \"1\"}"),
        body.get("model_spec"));
    JsonNode sig = body.at("/metadata/signature_def/signature_def/serving_default");
    assertEquals("tensorflow/serving/predict", sig.get("method_name").asText());
    JsonNode image = sig.at("/inputs/image");
    assertEquals("DT_FLOAT", image.get("dtype").asText());
    assertEquals(List.of("-1", "28", "28", "1"), sizes(image));
    assertEquals(false, image.at("/tensor_shape/unknown_rank").asBoolean());
    assertTrue(image.get("name").asText().startsWith("image"), image.toString());
    assertEquals(List.of("-1", "10"), sizes(sig.at("/outputs/probabilities")));
    assertEquals("DT_INT64", sig.at("/outputs/class/dtype").asText());
    assertEquals(List.of("-1"), sizes(sig.at("/outputs/class")));
    assertEquals(body, get(base, "/v1/models/digits/versions/1/metadata").json());
  }

  @Test
  void rowFormatGivesOneObjectPerInstanceWithEveryOutput() throws Exception {
    ObjectNode request = Json.MAPPER.createObjectNode();
    request.set("instances", ServeFixture.instances(images));
    for (String path : List.of("/v1/models/digits:predict", "/v1/models/digits/versions/1:predict")) {
      ServeFixture.Reply r = post(base, path, request.toString());
      assertEquals(200, r.status(), r.body());
      JsonNode predictions = r.json().get("predictions");
      assertEquals(images.size(), predictions.size());
      for (int i = 0; i < images.size(); i++) {
        assertEquals(List.of("class", "probabilities"), fieldNames(predictions.get(i)));
        assertClose(expected[i], predictions.get(i).get("probabilities"));
        assertEquals(Scores.argMax(expected[i]), predictions.get(i).get("class").asInt());
      }
    }
  }

  @Test
  void columnarFormatGivesOneTensorPerOutput() throws Exception {
    ArrayNode batch = ServeFixture.instances(images);
    ObjectNode named = Json.MAPPER.createObjectNode();
    named.putObject("inputs").set("image", batch);
    ObjectNode bare = Json.MAPPER.createObjectNode();
    bare.set("inputs", batch);
    for (ObjectNode request : List.of(named, bare)) {
      ServeFixture.Reply r = post(base, "/v1/models/digits:predict", request.toString());
      assertEquals(200, r.status(), r.body());
      JsonNode outputs = r.json().get("outputs");
      assertEquals(List.of("class", "probabilities"), fieldNames(outputs));
      for (int i = 0; i < images.size(); i++) {
        assertClose(expected[i], outputs.get("probabilities").get(i));
        assertEquals(Scores.argMax(expected[i]), outputs.get("class").get(i).asInt());
      }
    }
  }

  @Test
  void rowFormatAcceptsNamedInstancesAndTheSignatureName() throws Exception {
    ObjectNode request = Json.MAPPER.createObjectNode().put("signature_name", "serving_default");
    request.putArray("instances").addObject().set("image", ServeFixture.instance(images, 0));
    ServeFixture.Reply r = post(base, "/v1/models/digits:predict", request.toString());
    assertEquals(200, r.status(), r.body());
    assertClose(expected[0], r.json().at("/predictions/0/probabilities"));
  }

  /** The requests of api_rest.md's "Example" section, sent to this model. */
  @Test
  void theDocumentationsExampleRequestsGetTfServingsAnswers() throws Exception {
    ServeFixture.Reply wrongModel = post(base, "/v1/models/half:predict", "{\"instances\": [1.0,5.0]}");
    assertEquals(404, wrongModel.status());
    assertEquals("application/json", wrongModel.contentType());
    assertEquals("Servable not found for request: Latest(half)", wrongModel.json().get("error").asText());

    // half_plus_three takes scalars; this model takes images: a shape error, not a crash.
    ServeFixture.Reply scalars = post(base, "/v1/models/digits:predict", "{\"instances\": [1.0,2.0,5.0]}");
    assertError(400, "input 'image' takes shape [-1,28,28,1]", scalars);
    assertTrue(scalars.json().get("error").asText().contains("gives [3]"), scalars.body());

    assertError(400, "needs a tensorflow/serving/regress signature", post(base, "/v1/models/digits:regress",
        "{\"signature_name\": \"tensorflow/serving/regress\", \"examples\": [{\"x\": 1.0}, {\"x\": 2.0}]}"));
  }

  @Test
  void unknownModelsAndVersionsAre404() throws Exception {
    assertError(404, "Servable not found for request: Latest(other)", get(base, "/v1/models/other"));
    assertError(404, "Servable not found for request: Latest(other)", get(base, "/v1/models/other/metadata"));
    assertError(404, "Servable not found for request: Specific(digits, 2)",
        post(base, "/v1/models/digits/versions/2:predict", "{\"instances\": []}"));
  }

  @Test
  void malformedJsonIs400() throws Exception {
    assertError(400, "JSON Parse error", post(base, "/v1/models/digits:predict", "{\"instances\": [[1.0, 2"));
    assertError(400, "JSON Parse error: The document is empty", post(base, "/v1/models/digits:predict", ""));
    assertError(400, "JSON Parse error", post(base, "/v1/models/digits:predict", "{\"instances\": []} trailing"));
    assertError(400, "Is not object", post(base, "/v1/models/digits:predict", "[1, 2]"));
    assertError(400, "Missing 'inputs' or 'instances' key", post(base, "/v1/models/digits:predict", "{}"));
    assertError(400, "only one of 'inputs' or 'instances'",
        post(base, "/v1/models/digits:predict", "{\"instances\": [1], \"inputs\": [1]}"));
    assertError(400, "No values in 'instances' array", post(base, "/v1/models/digits:predict", "{\"instances\": []}"));
    assertError(400, "'signature_name' key must be a string",
        post(base, "/v1/models/digits:predict", "{\"signature_name\": 3, \"instances\": [1]}"));
  }

  @Test
  void wrongShapesTypesAndNamesAre400() throws Exception {
    ArrayNode image = ServeFixture.instance(images, 0);
    ArrayNode noChannel = Json.MAPPER.createArrayNode();
    image.forEach(row -> {
      ArrayNode flat = noChannel.addArray();
      row.forEach(pixel -> flat.add(pixel.get(0)));
    });
    assertError(400, "takes shape [-1,28,28,1] (-1: any size); the request gives [1,28,28]",
        predict("instances", Json.MAPPER.createArrayNode().add(noChannel)));

    ArrayNode ragged = image.deepCopy();
    ((ArrayNode) ragged.get(5)).remove(0);
    assertError(400, "a list of 27 at depth 3 where a list of 28 was expected",
        predict("instances", Json.MAPPER.createArrayNode().add(image).add(ragged)));

    ArrayNode text = image.deepCopy();
    ((ArrayNode) text.get(0).get(0)).set(0, "white");
    assertError(400, "is not of expected type: float", predict("inputs", Json.MAPPER.createArrayNode().add(text)));

    // The first item claims 50,000 x 50,000 values; the others are bare numbers: refused before allocating.
    String claim = "[" + "0,".repeat(49_999) + "0]";
    assertError(400, "the value 0 at depth 2 where a list of 50000 was expected",
        post(base, "/v1/models/digits:predict", "{\"inputs\": [" + claim + ",0".repeat(49_999) + "]}"));

    ObjectNode misnamed = Json.MAPPER.createObjectNode();
    misnamed.putArray("instances").addObject().set("images", image);
    assertError(400, "must be equal to: [image]", post(base, "/v1/models/digits:predict", misnamed.toString()));
    assertError(400, "Missing named input: image in 'inputs' object.",
        post(base, "/v1/models/digits:predict", "{\"inputs\": {\"images\": [1]}}"));
    assertError(400, "Serving signature name: \"predict\" not found in signature def",
        post(base, "/v1/models/digits:predict", "{\"signature_name\": \"predict\", \"instances\": [1]}"));
  }

  @Test
  void wrongMethodsAndPathsAre400AsInTfServing() throws Exception {
    assertError(400, "Malformed request: GET /v1/models/digits:predict", get(base, "/v1/models/digits:predict"));
    assertError(400, "Malformed request: POST /v1/models/digits", post(base, "/v1/models/digits", "{}"));
    assertError(400, "Missing model name in request.", get(base, "/v1/models"));
  }

  @Test
  void thePageIsServedWithTheModelName() throws Exception {
    ServeFixture.Reply page = get(base, "/");
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("const MODEL = \"digits\";"), "model name written into the script");
    assertTrue(page.body().contains("<canvas id=\"pad\" width=\"280\" height=\"280\""));
    assertEquals(404, get(base, "/favicon.ico").status());
  }

  private static ServeFixture.Reply predict(String key, JsonNode value) throws Exception {
    ObjectNode request = Json.MAPPER.createObjectNode();
    request.set(key, value);
    return post(base, "/v1/models/digits:predict", request.toString());
  }

  private static void assertError(int status, String fragment, ServeFixture.Reply r) throws Exception {
    assertEquals(status, r.status(), r.body());
    assertEquals("application/json", r.contentType());
    JsonNode body = r.json();
    assertEquals(List.of("error"), fieldNames(body), r.body());
    assertTrue(body.get("error").asText().contains(fragment), "'" + fragment + "' in " + r.body());
  }

  private static void assertClose(float[] want, JsonNode got) {
    assertEquals(want.length, got.size());
    for (int k = 0; k < want.length; k++) {
      assertEquals(want[k], got.get(k).floatValue(), 1e-6, "probability of class " + k);
    }
  }

  private static List<String> sizes(JsonNode tensorInfo) {
    List<String> sizes = new ArrayList<>();
    tensorInfo.at("/tensor_shape/dim").forEach(d -> sizes.add(d.get("size").asText()));
    return sizes;
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
