package io.digits.cli;

import io.digits.testing.TinyModels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.testing.CliRunner;
import io.digits.testing.SyntheticDigits;
import io.digits.testing.TinySavedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/** Model folders that cannot score digits: a clear one-line error, exit 1, no output, no stack trace. */
class BadModelTest {
  @TempDir Path dir;
  Path input;
  Path output;

  @BeforeEach
  void writeInput() throws IOException {
    input = dir.resolve("test.csv");
    CliRunner.writeCsv(input, new io.digits.data.Dataset(SyntheticDigits.labeled(5, 1).pixels(), null));
    output = dir.resolve("submission.csv");
  }

  private String predictFails(Path model) {
    CliRunner.Run r = CliRunner.digits("predict", "--model-dir", model.toString(), "--input", input.toString(),
        "--output", output.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace");
    assertTrue(r.err().contains(model.toString()), "names the folder: " + r.err());
    assertFalse(Files.exists(output), "no submission left behind");
    return r.err();
  }

  @Test
  void notASavedModel() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertTrue(predictFails(empty).contains("not a SavedModel"));
    assertTrue(predictFails(dir.resolve("missing")).contains("no such model folder"));
  }

  @Test
  void noServeTag() throws IOException {
    Path m = dir.resolve("train-only");
    TinySavedModels.write(m, "train", "image", Shape.of(-1, 28, 28, 1));
    String err = predictFails(m);
    assertTrue(err.contains("no MetaGraph tagged 'serve' (tag-sets: [train])"), err);
  }

  @Test
  void noInputThatTakesAnImage() throws IOException {
    Path m = dir.resolve("features");
    TinySavedModels.write(m, "serve", "features", Shape.of(-1, 10));
    String err = predictFails(m);
    assertTrue(err.contains("features") && err.contains("28x28"), err);
  }

  @Test
  void imageInputOfTheWrongSize() throws IOException {
    Path m = dir.resolve("cifar");
    TinySavedModels.write(m, "serve", "pixels", Shape.of(-1, 32, 32, 3));
    String err = predictFails(m);
    assertTrue(err.contains("pixels") && err.contains("32, 32, 3"), err);
  }

  @Test
  void corruptedVariables() throws IOException {
    Path m = dir.resolve("simple/1");
    TinyModels.exportSimple(m, 1);
    Path data;
    try (var files = Files.list(m.resolve("variables"))) {
      data = files.filter(p -> p.getFileName().toString().startsWith("variables.data")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(data);
    Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    String err = predictFails(m);
    assertTrue(err.contains("cannot load the SavedModel"), err);
  }
}
