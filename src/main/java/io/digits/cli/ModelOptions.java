package io.digits.cli;

import io.digits.DigitsException;
import io.digits.scoring.ModelLoader;
import io.digits.scoring.Predictor;
import io.digits.train.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of the commands that score with a model: which model, how its pixels are scaled, in what arithmetic. */
final class ModelOptions {

  @Option(names = "--model-dir", required = true,
      description = "SavedModel folder, a TF Serving base folder (its newest version is used), or a Keras .keras/.h5 file.")
  Path model;

  @Option(names = "--input-scale", defaultValue = "255",
      description = "Pixels are divided by this before the model sees them (default: ${DEFAULT-VALUE}; 1 for raw 0-255 models).")
  float inputScale;

  @Option(names = "--precision", defaultValue = "float32", converter = TrainCommand.PrecisionConverter.class,
      description = "float32 (the model's own arithmetic, default) or mixed-bfloat16 (TF computes the convolutions"
          + " and matrix products in bfloat16: about 2x faster on CPUs with bfloat16 support; classes agree with"
          + " float32 on >= 99.9 % of images).")
  Precision precision;

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
    return Predictor.open(resolve(), inputScale, precision);
  }
}
