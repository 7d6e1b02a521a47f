package io.digits.examples;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.data.Split;
import io.digits.export.SavedModelExporter;
import io.digits.model.Activation;
import io.digits.model.ActivationLayer;
import io.digits.model.BatchNormalization;
import io.digits.model.Conv2D;
import io.digits.model.Dense;
import io.digits.model.GlobalPooling2D;
import io.digits.model.Merging;
import io.digits.model.Model;
import io.digits.model.Padding;
import io.digits.train.Device;
import io.digits.train.Precision;
import io.digits.train.ProgressBar;
import io.digits.train.TrainConfig;
import io.digits.train.Trainer;
import java.nio.file.Path;
import java.util.Map;

/**
 * A small residual CNN defined in Java with the Keras-style functional API, trained on a
 * {@link Dataset} and exported as a SavedModel that {@code digits predict} and TF Serving load.
 *
 * <pre>
 *   mvn -q test-compile
 *   java -cp target/classes:target/test-classes:target/lib/* io.digits.examples.ResidualExample \
 *       data/train.csv saved_models/residual/1
 * </pre>
 */
public final class ResidualExample {

  private ResidualExample() {}

  /**
   * As in Keras: {@code x = Conv2D(16, 3, strides=2)(inputs)}, a block {@code y = Conv-BN-ReLU-Conv(x)},
   * {@code Add()([x, y])}, then GlobalAveragePooling2D and Dense(10, softmax). Each call makes fresh
   * layers: a model is built into one graph, and training and export each build their own.
   */
  public static Model define() {
    Model.Builder b = Model.builder("residual");
    Model.Tensor x = b.apply(new Conv2D(16, 3, 2, Padding.SAME, Activation.RELU, true), b.input());
    Model.Tensor y = b.apply(new Conv2D(16, 3, 1, Padding.SAME, Activation.LINEAR, false), x);
    y = b.apply(new BatchNormalization(), y);
    y = b.apply(new ActivationLayer(Activation.RELU), y);
    y = b.apply(new Conv2D(16, 3, Padding.SAME, Activation.LINEAR), y);
    Model.Tensor z = b.apply(new Merging(Merging.Op.ADD), x, y);
    z = b.apply(new GlobalPooling2D(false, false), z);
    return b.output(b.apply(new Dense(10, Activation.SOFTMAX), z));
  }

  /** Trains {@link #define()} for {@code epochs} on {@code data} (10 % held out) and exports it to {@code versionDir}. */
  public static Trainer.Outcome trainAndExport(Dataset data, int epochs, Path versionDir) {
    Split split = Split.of(data, 0.1, 2);
    TrainConfig config = TrainConfig.notebook().withEpochs(epochs).withStopAtAccuracy(0);
    Trainer.Outcome outcome = new Trainer(config, new ProgressBar(System.out, false))
        .fit(define(), split.train(), split.validation(), Device.CPU.sessionConfig());
    SavedModelExporter.export(define(), outcome.weights(), versionDir, Map.of(), Precision.FLOAT32, false);
    return outcome;
  }

  public static void main(String[] args) {
    Dataset data = DigitCsv.readLabeled(Path.of(args.length > 0 ? args[0] : "data/train.csv"));
    trainAndExport(data, 1, Path.of(args.length > 1 ? args[1] : "saved_models/residual/1"));
  }
}
