package io.digits.cli;

import io.digits.DigitsException;
import io.digits.scoring.ModelLoader;
import io.digits.scoring.Predictor;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of the commands that score with a model: which model, and how its pixels are scaled. */
final class ModelOptions {

  @Option(names = "--model-dir", required = true,
      description = "SavedModel folder, a TF Serving base folder (its newest version is used), or a Keras .keras/.h5 file.")
  Path model;

  @Option(names = "--input-scale", defaultValue = "255",
      description = "Pixels are divided by this before the model sees them (default: ${DEFAULT-VALUE}; 1 for raw 0-255 models).")
  float inputScale;

  private Path resolved;

  /**
   * The Keras file, or the version folder that {@code --model-dir} names (a TF Serving base folder
   * becomes its newest version): resolved here, once, for every command that takes a model.
   */
  Path resolve() {
    if (resolved == null) {
      resolved = Files.isRegularFile(model) ? model : ModelLoader.resolve(model);
    }
    return resolved;
  }

  Predictor open() {
    if (inputScale <= 0) {
      throw new DigitsException("--input-scale must be > 0");
    }
    return Predictor.open(resolve(), inputScale);
  }
}
