package io.digits.cli;

import io.digits.keras.KerasWriter;
import io.digits.model.Model;
import io.digits.train.Trainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import picocli.CommandLine;

/** {@code train --save-keras/--save-h5}: the trained model, also as Keras files. */
final class KerasOutputs {
  private KerasOutputs() {}

  /**
   * Writes the model as trained to each file given (null: not asked for), with the optimizer's
   * state; {@code model} gives fresh layers for each.
   */
  static void save(Supplier<Model> model, Trainer.Compiled compiled, Trainer.Outcome outcome, Path... files) {
    for (Path file : files) {
      if (file != null) {
        KerasWriter.write(file, model.get(), outcome.weights(), KerasWriter.Training.after(compiled, outcome));
        System.out.printf(Locale.ROOT, "Saved %s (%s)%n", file, file.toString().endsWith(".h5")
            ? "legacy .h5 for tf-keras, weights only" : String.format(Locale.ROOT,
                "Keras 3, with the optimizer's state after %,d steps", outcome.stepsTaken()));
      }
    }
  }

  /** Checks {@code --save-keras}'s file name while the command line is parsed, before any training. */
  static final class KerasName implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      return named(value, ".keras");
    }
  }

  static final class H5Name implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      return named(value, ".h5");
    }
  }

  private static Path named(String value, String suffix) {
    if (!value.toLowerCase(Locale.ROOT).endsWith(suffix)) {
      throw new CommandLine.TypeConversionException("'" + value + "' does not end in " + suffix);
    }
    return Path.of(value);
  }
}
