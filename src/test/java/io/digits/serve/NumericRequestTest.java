package io.digits.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import io.digits.scoring.SessionSettings;
import io.digits.testing.TinyModels;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streamed parse of the common request gives exactly what the tree parse gives, value for
 * value, and declines everything else so that the tree parse answers it (errors included).
 */
class NumericRequestTest {
  @TempDir static Path dir;
  static ServedModel model;

  @BeforeAll
  static void load() {
    TinyModels.exportSimple(dir.resolve("1"), 3);
    model = ServedModel.load(dir.resolve("1"), SessionSettings.DEFAULT);
  }

  @AfterAll
  static void close() {
    model.release();
  }

  @Test
  void theCommonRequestsAreStreamedToTheTreesValues() {
    Random random = new Random(7);
    List<String> bodies = List.of(
        "{\"instances\": " + images(2, random) + "}",
        "{\"signature_name\": \"serving_default\", \"inputs\": " + images(3, random) + "}",
        "{\"inputs\": " + images(1, random) + ", \"signature_name\": \"serving_default\"}",
        // Spellings of numbers whose double, then float, must come out as the tree's: integers, exponents,
        // a decimal just above a float midpoint (straight to float it rounds up, through double to even), NaN and the infinities, -0.
        "{\"instances\": " + images(1, random, "1.0000000596046447753906250000000001", "255", "-2.5E+1", "1e-45",
            "NaN", "-Infinity", "Infinity", "-0.0", "3.4028234663852886e38", "123456789012345678901234567890") + "}");
    for (String body : bodies) {
      Optional<PredictRequest> streamed = NumericRequest.parse(bytes(body), model);
      assertTrue(streamed.isPresent(), "streamed: " + body.substring(0, 80));
      PredictRequest tree = PredictRequest.parseTree(bytes(body), model);
      assertEquals(tree.format(), streamed.get().format());
      assertEquals(tree.signatureName(), streamed.get().signatureName());
      assertEquals(tree.inputs().keySet(), streamed.get().inputs().keySet());
      assertEquals(json(tree.inputs().get("image")), json(streamed.get().inputs().get("image")), body.substring(0, 80));
    }
  }

  @Test
  void everythingElseIsLeftToTheTree() {
    String image = images(1, new Random(1));
    String second = ",[" + image.split(",\\[", 3)[1]; // the second pixel, as written
    String row = image.substring(1, image.length() - 1);
    List<String> bodies = List.of(
        "",
        "[1, 2]",
        "{}",
        "{\"instances\": []}",
        "{\"instances\": " + image + "} trailing",
        "{\"instances\": " + image + ", \"inputs\": " + image + "}",
        "{\"instances\": [[1.0, 2]]}".replace("2]]", "2"),
        "{\"instances\": " + image.replace(second, ",[\"0\"]") + "}",
        "{\"instances\": " + image.replace(second, "") + "}",
        "{\"instances\": " + image.replace(second, ",[1,2]") + "}",
        "{\"instances\": " + image.replace(second, ",[[1]]") + "}",
        "{\"instances\": " + image.replace(second, ",[]") + "}",
        "{\"instances\": " + image.replace(second, ",[1e39]") + "}",
        "{\"instances\": " + image.replace(second, ",[null]") + "}",
        "{\"signature_name\": 3, \"instances\": " + image + "}",
        "{\"signature_name\": \"predict\", \"instances\": " + image + "}");
    for (String body : bodies) {
      assertTrue(NumericRequest.parse(bytes(body), model).isEmpty(), "declined: " + body);
      ServingException tree = assertThrows(ServingException.class, () -> PredictRequest.parseTree(bytes(body), model),
          body.length() > 80 ? body.substring(0, 80) : body);
      ServingException answer = assertThrows(ServingException.class, () -> PredictRequest.parse(bytes(body), model));
      assertEquals(tree.getMessage(), answer.getMessage());
    }
    // Declined but valid, the tree reads them: inputs by name, an object per instance, a key twice, a key unknown.
    for (String body : List.of("{\"inputs\": {\"image\": " + image + "}}", "{\"instances\": [{\"image\": " + row + "}]}",
        "{\"instances\": " + image + ", \"instances\": " + image + "}", "{\"instances\": " + image + ", \"extra\": 1}")) {
      assertTrue(NumericRequest.parse(bytes(body), model).isEmpty(), body.substring(0, 30));
      assertEquals(List.of(1L, 28L, 28L, 1L), shape(PredictRequest.parse(bytes(body), model).inputs().get("image")));
    }
  }

  @Test
  void aWrongShapeFailsAsTheTreeSaysIt() {
    String body = "{\"instances\": [[1, 2, 3]]}";
    ServingException tree = assertThrows(ServingException.class, () -> PredictRequest.parseTree(bytes(body), model));
    ServingException streamed = assertThrows(ServingException.class, () -> NumericRequest.parse(bytes(body), model));
    assertEquals(tree.getMessage(), streamed.getMessage());
  }

  private static List<Long> shape(HostTensor t) {
    return java.util.Arrays.stream(t.shape()).boxed().toList();
  }

  /** {@code n} random 28x28x1 images of pixel/255, nested as a request writes them; the first values spelled as given. */
  private static String images(int n, Random random, String... first) {
    int at = 0;
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "[" : ",[");
      for (int r = 0; r < 28; r++) {
        s.append(r == 0 ? "[" : ",[");
        for (int c = 0; c < 28; c++) {
          String value = at < first.length ? first[at++] : Float.toString(random.nextInt(256) / 255f);
          s.append(c == 0 ? "[" : ",[").append(value).append(']');
        }
        s.append(']');
      }
      s.append(']');
    }
    return s.append(']').toString();
  }

  private static String json(HostTensor t) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
      t.write(g);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return HostTensor.shapeString(t.shape()) + out;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
