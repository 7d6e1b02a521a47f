package io.digits.keras;

import io.digits.DigitsException;
import io.digits.data.DigitCsv;
import io.digits.data.Split;
import io.digits.export.SavedModelExporter;
import io.digits.model.Architecture;
import io.digits.model.Parameters;
import io.digits.model.Model;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.scoring.ModelLoader;
import io.digits.train.LearningRateSchedule;
import io.digits.train.TrainConfig;
import io.digits.train.Trainer;
import io.digits.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A model that {@code convert --to} writes as a Keras file: its layers, weights and how it trains.
 * From a SavedModel made by {@code digits train} (its {@code assets.extra/training.json} names the
 * model and its training settings; the weights are the SavedModel's variables), or from any Keras
 * file this program reads (with its own compile settings). Neither holds the optimizer's state, so
 * the Keras file starts the optimizer afresh, as Keras's own would.
 */
public record TrainedModel(Supplier<Model> layers, Weights weights, KerasWriter.Training training) {

  public static TrainedModel read(Path model) {
    if (Files.isRegularFile(model)) {
      KerasModel keras = KerasModel.load(model);
      return new TrainedModel(keras::create, keras.weights(),
          KerasWriter.Training.fresh(keras.compileSettings().compiled()));
    }
    Path dir = ModelLoader.resolve(model);
    Path record = dir.resolve(SavedModelExporter.EXTRAS).resolve(TrainingRun.FILE_NAME);
    if (!Files.isRegularFile(record)) {
      throw new DigitsException(dir + ": no " + SavedModelExporter.EXTRAS + "/" + TrainingRun.FILE_NAME
          + " naming the model (not made by digits train); a Keras file or a SavedModel from digits train can be converted");
    }
    TrainingRun run = TrainingRun.read(record);
    if (run.model().endsWith(".keras") || run.model().endsWith(".h5")) {
      throw new DigitsException(dir + ": trained from the Keras file " + run.model() + "; write it as a Keras file"
          + " while training (train --save-keras), or convert that file");
    }
    TrainConfig config = run.config();
    Architecture architecture = Architecture.byName(run.model());
    Supplier<Model> layers = () -> architecture.create(config.dropout());
    return new TrainedModel(layers, variables(dir, layers.get()),
        KerasWriter.Training.fresh(Trainer.Compiled.of(config,
            config.schedule(1) instanceof LearningRateSchedule.Constant ? 1 : trainRows(dir, run))));
  }

  /** Writes this model to {@code file} (.keras or .h5). */
  public void write(Path file) {
    KerasWriter.write(file, layers.get(), weights, training);
  }

  /** The values of {@code model}'s variables in the SavedModel, found by the names the exporter gave them. */
  private static Weights variables(Path dir, Model model) {
    List<Parameters.Parameter> params;
    try (Graph graph = new Graph()) {
      params = model.build(Ops.create(graph)).parameters().all();
    }
    try (SavedModelBundle bundle = ModelLoader.open(dir)) {
      Session.Runner runner = bundle.session().runner();
      for (Parameters.Parameter p : params) {
        if (bundle.graph().operation(p.name() + "/var") == null) {
          throw new DigitsException(dir + ": has no variable " + p.name() + " of model '" + model.name() + "'");
        }
        runner.fetch(p.name() + "/var");
      }
      List<Weights.Value> values = new ArrayList<>();
      try (Result result = runner.run()) {
        for (int i = 0; i < params.size(); i++) {
          Parameters.Parameter p = params.get(i);
          float[] data = new float[(int) p.shape().size()];
          ((TFloat32) result.get(i)).copyTo(DataBuffers.of(data, false, false));
          values.add(new Weights.Value(p.name(), p.shape(), data));
        }
      }
      return new Weights(values);
    }
  }

  /** The training rows of the run, for the steps per epoch of a learning-rate schedule. */
  private static int trainRows(Path dir, TrainingRun run) {
    Path data = Path.of(run.data());
    if (!Files.isRegularFile(data)) {
      throw new DigitsException(dir + ": its learning rate follows a schedule, and the steps of an epoch need the training"
          + " data it names (" + data + "), which is not there");
    }
    return Split.of(DigitCsv.readLabeled(data), run.validationSplit(), run.config().seed()).train().size();
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s, %,d parameters", layers.get().name(), weights.count());
  }
}
