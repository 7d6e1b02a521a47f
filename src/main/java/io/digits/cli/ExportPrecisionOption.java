package io.digits.cli;

import io.digits.train.Precision;
import picocli.CommandLine.Option;

/** {@code --export-precision}, for the commands that write a SavedModel (train, convert, ensemble merge). */
final class ExportPrecisionOption {
  @Option(names = "--export-precision", defaultValue = "float32", converter = TrainCommand.PrecisionConverter.class,
      description = "What the SavedModel's graph computes in: float32, or mixed-bfloat16 (convolutions, matrix"
          + " products and the layers after them in bfloat16, as Keras's mixed_bfloat16 policy; input, outputs,"
          + " softmax and variables float32), for TF Serving on a CPU with bfloat16 support, which runs the graph"
          + " as written (default: ${DEFAULT-VALUE}).")
  Precision value;
}
