package io.digits.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.digits.DigitsException;
import io.digits.export.SavedModelExporter;
import io.digits.keras.KerasModel;
import io.digits.keras.KerasWriter;
import io.digits.keras.TrainedModel;
import io.digits.train.Precision;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code digits convert}: between this program's SavedModels and Keras files. {@code --output}: a
 * Keras {@code .keras}/{@code .h5} file to a SavedModel with this program's serving signature (input
 * {@code image}, outputs {@code probabilities} and {@code class}), so that TF Serving and
 * {@code predict} take it as they take a model trained here. {@code --to}: a SavedModel made by
 * {@code digits train}, or a Keras file, to a Keras file that Keras loads and trains on.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Convert a Keras .keras/.h5 file into a SavedModel <name>/<version>/ with this program's signature"
        + " (--output), or a model from digits train (or a Keras file) into a Keras file (--to).")
final class ConvertCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "MODEL",
      description = "Keras model file (.keras, or legacy .h5 by tf-keras or Keras 3); with --to also a SavedModel"
          + " folder made by digits train (or its base folder: the newest version).")
  Path file;

  @ArgGroup(multiplicity = "1")
  Target target;

  static final class Target {
    @Option(names = "--output", required = true,
        description = "Version folder to write, in TF Serving layout, e.g. saved_models/keras-cnn/1.")
    Path output;

    @Option(names = "--to", required = true, paramLabel = "FILE.keras|FILE.h5",
        description = "Keras file to write: .keras (Keras 3, compiled with the model's training settings;"
            + " the optimizer starts afresh) or .h5 (legacy, for tf-keras).")
    Path keras;
  }

  @Option(names = "--overwrite", description = "Replace an existing version folder.")
  boolean overwrite;

  @picocli.CommandLine.Mixin
  ExportPrecisionOption exportPrecision;

  @Override
  public Integer call() throws Exception {
    if (target.keras != null) {
      if (exportPrecision.value != Precision.FLOAT32) {
        throw new DigitsException("--export-precision is for a SavedModel (--output); a Keras file keeps its model's"
            + " own dtype policy");
      }
      KerasWriter.checkName(target.keras); // a wrong name fails before the model is read
      TrainedModel model = TrainedModel.read(file);
      model.write(target.keras);
      System.out.printf("Saved %s from %s (%s)%n", target.keras, file, model);
      return 0;
    }
    Path output = target.output;
    requireVersionFolder(output, "keras-cnn");
    KerasModel model = KerasModel.load(file);
    if (!model.classifier() || model.outputShape().size(1) != 10) {
      throw new DigitsException(file + ": the model gives " + model.outputShape()
          + (model.classifier() ? "" : " without a final softmax")
          + "; the SavedModel's output 'probabilities' needs softmax over 10 classes");
    }
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("converted_from", file.toAbsolutePath().toString());
    source.put("format", model.description());
    source.put("layers", model.summary());
    source.put("parameters", model.weights().count());
    byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(source);
    SavedModelExporter.export(model.create(), model.weights(), output, Map.of("keras_source.json", json),
        exportPrecision.value, overwrite);
    System.out.printf("Saved %s from %s (%s, %,d parameters)%n", output, file, model.description(), model.weights().count());
    return 0;
  }

  /** {@code --output} must be a version folder, {@code <name>/<integer>}: TF Serving only loads those. */
  static void requireVersionFolder(Path output, String exampleName) {
    if (output.getFileName() == null || !output.getFileName().toString().matches("\\d{1,18}")) {
      throw new DigitsException(output + ": --output must end in an integer version folder, e.g. saved_models/"
          + exampleName + "/1 (TF Serving only loads those)");
    }
  }
}
