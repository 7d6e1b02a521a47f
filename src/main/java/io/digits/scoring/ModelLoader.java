package io.digits.scoring;

import io.digits.DigitsException;
import io.digits.train.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;

/**
 * Finds and opens a SavedModel: a version folder ({@code saved_model.pb} inside), or a TF Serving
 * base folder whose newest integer version is taken. Every failure is a one-line {@link DigitsException}.
 */
public final class ModelLoader {
  private ModelLoader() {}

  /** The folder holding {@code saved_model.pb}: {@code dir} itself, or its highest integer version. */
  public static Path resolve(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new DigitsException(dir + ": no such model folder");
    }
    if (isSavedModel(dir)) {
      return dir;
    }
    Optional<Path> newest = newestVersion(dir);
    if (newest.isPresent() && isSavedModel(newest.get())) {
      return newest.get();
    }
    throw new DigitsException(dir + ": not a SavedModel (no saved_model.pb, and no version folder holding one)");
  }

  /** The integer-named subfolder with the highest number, as TF Serving picks. */
  public static Optional<Path> newestVersion(Path base) {
    try (Stream<Path> children = Files.list(base)) {
      return children
          .filter(Files::isDirectory)
          .filter(p -> p.getFileName().toString().matches("\\d{1,18}"))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())));
    } catch (IOException e) {
      throw new DigitsException(base + ": cannot list: " + e.getMessage(), e);
    }
  }

  /** Opens the SavedModel in {@code dir} (see {@link #resolve}) with the {@code serve} tag, in float32. */
  public static SavedModelBundle open(Path dir) {
    return open(dir, Precision.FLOAT32);
  }

  /**
   * The same, its session running in {@code precision}: {@code MIXED_BFLOAT16} has TF rewrite the
   * loaded graph to compute in bfloat16 (inputs and outputs stay float32), whoever wrote it.
   */
  public static SavedModelBundle open(Path dir, Precision precision) {
    return open(dir, precision.apply(ConfigProto.getDefaultInstance()));
  }

  /** The same, its session made with {@code config}. */
  public static SavedModelBundle open(Path dir, ConfigProto config) {
    Path model = resolve(dir);
    try {
      return SavedModelBundle.loader(model.toString())
          .withTags(SavedModelBundle.DEFAULT_TAG)
          .withConfigProto(config)
          .load();
    } catch (TensorFlowException | IllegalArgumentException e) {
      String why = firstLine(e.getMessage());
      if (why.contains("Could not find meta graph def matching supplied tags")) {
        why = "it has no MetaGraph tagged 'serve' (tag-sets: " + tagSets(model) + ")";
      }
      throw new DigitsException(model + ": cannot load the SavedModel: " + why, e);
    }
  }

  private static String tagSets(Path model) {
    try {
      return org.tensorflow.proto.SavedModel.parseFrom(Files.readAllBytes(model.resolve("saved_model.pb")))
          .getMetaGraphsList().stream()
          .map(g -> g.getMetaInfoDef().getTagsList().toString())
          .collect(java.util.stream.Collectors.joining(", "));
    } catch (IOException e) {
      return "unreadable";
    }
  }

  private static boolean isSavedModel(Path dir) {
    return Files.isRegularFile(dir.resolve("saved_model.pb")) || Files.isRegularFile(dir.resolve("saved_model.pbtxt"));
  }

  static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    String line = message.strip().lines().findFirst().orElse(message);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
