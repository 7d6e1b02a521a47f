package io.digits.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.digits.DigitsException;
import io.digits.export.SavedModelExporter;
import io.digits.keras.KerasModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code digits convert}: a Keras {@code .keras}/{@code .h5} file to a SavedModel with this
 * program's serving signature (input {@code image}, outputs {@code probabilities} and {@code class}),
 * so that TF Serving and {@code predict} take it as they take a model trained here.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Convert a Keras .keras or .h5 model file into a SavedModel <name>/<version>/ with this program's signature.")
final class ConvertCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "Keras model file (.keras, or legacy .h5 by tf-keras or Keras 3).")
  Path file;

  @Option(names = "--output", required = true,
      description = "Version folder to write, in TF Serving layout, e.g. saved_models/keras-cnn/1.")
  Path output;

  @Option(names = "--overwrite", description = "Replace an existing version folder.")
  boolean overwrite;

  @Override
  public Integer call() throws Exception {
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
    SavedModelExporter.export(model.create(), model.weights(), output, Map.of("keras_source.json", json), overwrite);
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
