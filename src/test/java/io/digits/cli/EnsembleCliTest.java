package io.digits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.data.Dataset;
import io.digits.scoring.Predictor;
import io.digits.testing.CliRunner;
import io.digits.testing.SyntheticDigits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.types.TFloat32;

/**
 * {@code train --ensemble} and {@code digits ensemble merge} end to end on generated data. Models
 * trained twice from the same seed are compared within 1e-5, as InterruptTest does: training is
 * the same computation, but oneDNN may reduce in another order from run to run.
 */
class EnsembleCliTest {
  private static final Dataset IMAGES = SyntheticDigits.labeled(32, 10);

  private static Path data(Path dir, int rows) {
    return CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(rows, 3));
  }

  private static CliRunner.Run ok(String... args) {
    CliRunner.Run r = CliRunner.digits(args);
    assertEquals(0, r.code(), r.err() + r.out());
    return r;
  }

  private static float[][] scores(Path dir, String signature) {
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve");
        TFloat32 in = IMAGES.images(0, IMAGES.size());
        Result r = b.function(signature).call(Map.of("image", in))) {
      return io.digits.scoring.Scores.rows((TFloat32) r.get("probabilities").orElseThrow());
    }
  }

  private static double maxDifference(float[][] a, float[][] b) {
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < a[i].length; k++) {
        worst = Math.max(worst, Math.abs(a[i][k] - b[i][k]));
      }
    }
    return worst;
  }

  private static JsonNode extra(Path version, String file) throws IOException {
    return new ObjectMapper().readTree(version.resolve("assets.extra").resolve(file).toFile());
  }

  @Test
  void anEnsembleIsOneModelWhoseFirstMemberIsWhatTrainAloneGives(@TempDir Path dir) throws IOException {
    Path data = data(dir, 300);
    Path out = dir.resolve("out");
    CliRunner.Run t = ok("train", "--model", "simple", "--ensemble", "3", "--epochs", "2", "--data", data.toString(),
        "--output", out.toString());
    assertTrue(t.out().contains("Member 2/3 (seed 3): training on 270 rows, validating on 30"), t.out());
    assertTrue(t.out().matches("(?s).*Member 3/3: 6 of 6 ensemble epochs done, about \\d+ (s|min) left.*"), t.out());
    assertTrue(t.out().contains("ensemble val_accuracy"), t.out());
    Path ensemble = out.resolve("simple-ensemble/1");
    JsonNode info = extra(ensemble, "ensemble.json");
    assertEquals(3, info.get("members").size());
    assertEquals(4, info.get("members").get(2).get("member_seed").asLong(), "member i trains with --seed + i - 1");
    assertEquals(2, info.get("seed").asLong(), "the split's seed, shared");

    ok("train", "--model", "simple", "--epochs", "2", "--data", data.toString(), "--output", out.toString());
    float[][] alone = scores(out.resolve("simple/1"), "serving_default");
    assertTrue(maxDifference(alone, scores(ensemble, "member_1")) < 1e-5, "member 1 = train with --seed 2");
    assertTrue(maxDifference(scores(ensemble, "member_1"), scores(ensemble, "member_2")) > 1e-3, "seeds differ");
    try (Predictor p = Predictor.open(out.resolve("simple-ensemble"), 255f)) {
      assertTrue(maxDifference(p.predict(IMAGES), scores(ensemble, "serving_default")) == 0,
          "predict scores with serving_default, the average");
    }

    CliRunner.Run e = ok("evaluate", "--model-dir", ensemble.toString());
    assertTrue(e.out().matches("(?s).*member_1 +loss: [0-9.]+ - accuracy: [0-9.]+\\s+member_2 .*member_3 .*ensemble .*"),
        e.out());
    JsonNode json = new ObjectMapper().readTree(ok("evaluate", "--model-dir", ensemble.toString(), "--json").out());
    assertEquals(3, json.get("members").size());
    assertEquals("member_3", json.get("members").get(2).get("signature").asText());
  }

  @Test
  void mergedMembersEqualTheSingleCommandEnsemble(@TempDir Path dir) throws IOException {
    Path data = data(dir, 160);
    Path out = dir.resolve("out");
    List<String> common = List.of("train", "--model", "bn-cnn", "--ensemble", "2", "--epochs", "1", "--data",
        data.toString(), "--output", out.toString());
    ok(args(common, "--tta"));
    List<String> members = new ArrayList<>();
    for (int m = 2; m >= 1; m--) { // any order: merge orders by member number
      ok(args(common, "--member", Integer.toString(m)));
      members.add(out.resolve("bn-cnn-member-" + m).toString());
    }
    assertEquals(3, extra(out.resolve("bn-cnn-member-2/1"), "ensemble_member.json").get("member_seed").asLong());
    assertEquals(3, extra(out.resolve("bn-cnn-member-2/1"), "training.json").get("config").get("seed").asLong(),
        "the member's run, with its own seed");
    Path merged = out.resolve("merged/1");
    List<String> merge = new ArrayList<>(List.of("ensemble", "merge"));
    merge.addAll(members);
    merge.addAll(List.of("--output", merged.toString(), "--tta"));
    ok(merge.toArray(String[]::new));

    Path single = out.resolve("bn-cnn-ensemble/1");
    for (String signature : List.of("serving_default", "member_1", "member_2")) {
      assertTrue(maxDifference(scores(single, signature), scores(merged, signature)) < 1e-5, signature);
    }
    assertEquals(extra(single, "ensemble.json").get("members").get(1).get("run"),
        extra(merged, "ensemble.json").get("members").get(1).get("run"));

    CliRunner.Run twice = CliRunner.digits("ensemble", "merge", members.get(0), members.get(0), "--output",
        out.resolve("bad/1").toString());
    assertEquals(1, twice.code());
    assertTrue(twice.err().contains("are both member 2"), twice.err());
  }

  private static String[] args(List<String> common, String... more) {
    List<String> all = new ArrayList<>(common);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void foldMembersValidateOnTheirOwnFold(@TempDir Path dir) throws IOException {
    Path data = data(dir, 200);
    Path out = dir.resolve("out");
    CliRunner.Run t = ok("train", "--model", "simple", "--ensemble", "2", "--folds", "4", "--epochs", "1", "--data",
        data.toString(), "--output", out.toString());
    assertTrue(t.out().contains("validating on 50 (fold 2 of 4)"), t.out());
    assertFalse(t.out().contains("ensemble val_accuracy"), "no honest shared split with folds: " + t.out());
    CliRunner.Run e = CliRunner.digits("evaluate", "--model-dir", out.resolve("simple-ensemble").toString());
    assertEquals(1, e.code());
    assertTrue(e.err().contains("every row trained some member; pass --data"), e.err());

    ok("train", "--model", "simple", "--ensemble", "2", "--folds", "4", "--member", "2", "--epochs", "1", "--data",
        data.toString(), "--output", out.toString());
    CliRunner.Run m = ok("evaluate", "--model-dir", out.resolve("simple-member-2").toString());
    assertTrue(m.out().contains("fold 2 of 4"), m.out());
  }

  @Test
  void ensembleOptionsNeedAnEnsemble(@TempDir Path dir) {
    CliRunner.Run folds = CliRunner.digits("train", "--folds", "5", "--output", dir.toString());
    assertEquals(1, folds.code());
    assertTrue(folds.err().contains("need --ensemble N"), folds.err());
    CliRunner.Run member = CliRunner.digits("train", "--ensemble", "3", "--member", "4", "--output", dir.toString());
    assertEquals(1, member.code());
    assertTrue(member.err().contains("--member must lie in 1..3"), member.err());
  }
}
