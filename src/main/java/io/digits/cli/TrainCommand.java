package io.digits.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.digits.DigitsException;
import io.digits.data.DigitCsv;
import io.digits.data.Split;
import io.digits.export.SavedModelExporter;
import io.digits.keras.KerasModel;
import io.digits.model.Architecture;
import io.digits.report.TrainingCurves;
import io.digits.scoring.ModelLoader;
import io.digits.train.Checkpoint;
import io.digits.train.Device;
import io.digits.train.History;
import io.digits.train.Precision;
import io.digits.train.ProgressBar;
import io.digits.train.TrainConfig;
import io.digits.train.TrainingRun;
import io.digits.train.Trainer;
import java.nio.file.Files;
import org.tensorflow.proto.ConfigProto;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code digits train}: the notebook's {@code model.fit}, then a TF Serving export. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model on a labeled CSV and export it as a SavedModel <output>/<model>/<version>/.")
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = "double-conv",
      description = "Model: simple, double-conv (the notebook's), bn-cnn (batch-normalized CNN with augmentation;"
          + " Adam with a decaying learning rate) (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--data", defaultValue = "data/train.csv", description = "Labeled CSV (.csv or .csv.gz; default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--epochs", description = "Epochs (default: 10; bn-cnn: 20).")
  Integer epochs;

  @Option(names = "--batch-size", description = "Batch size (default: 32; bn-cnn: 64).")
  Integer batchSize;

  @Option(names = "--learning-rate", description = "Learning rate: RMSprop's for simple and double-conv"
      + " (default: 0.001); bn-cnn: Adam's in epoch 1, times 0.9 each further epoch (default: 0.001).")
  Float learningRate;

  @Option(names = "--validation-split", defaultValue = "0.1",
      description = "Fraction held out for validation, as sklearn's train_test_split (default: ${DEFAULT-VALUE}).")
  double validationSplit;

  @Option(names = "--seed", defaultValue = "2", description = "Seed of the split, the start weights, shuffling and dropout (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--stop-at-accuracy",
      description = "Stop after the epoch whose training accuracy exceeds this; 0 turns it off (default: 0.99; bn-cnn: 0).")
  Double stopAtAccuracy;

  @Option(names = "--device", defaultValue = "auto",
      description = "auto, cpu or gpu (default: ${DEFAULT-VALUE}); gpu needs the -Pgpu build and a visible GPU.")
  Device device;

  @Option(names = "--precision", defaultValue = "float32", converter = PrecisionConverter.class,
      description = "float32 (Keras's default, exact parity) or mixed-bfloat16 (Keras's mixed_bfloat16: about 1.9x"
          + " faster on CPUs with bfloat16 support; the export stays float32) (default: ${DEFAULT-VALUE}).")
  Precision precision;

  @Option(names = "--output", defaultValue = "saved_models", description = "Folder of exported models (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--model-version", description = "Version folder number (default: the next free integer).")
  Long version;

  @Option(names = "--overwrite", description = "Replace an existing version folder.")
  boolean overwrite;

  @Option(names = "--init-from", paramLabel = "FILE",
      description = "Start from the weights of a Keras .keras/.h5 file whose layers are the --model's (fine-tuning).")
  Path initFrom;

  @Option(names = "--save-keras", paramLabel = "FILE.keras", converter = KerasOutputs.KerasName.class,
      description = "Also write the trained model as a Keras 3 .keras file, with its compile settings and the"
          + " optimizer's state, so that Keras's model.fit continues where this training stopped.")
  Path saveKeras;

  @Option(names = "--save-h5", paramLabel = "FILE.h5", converter = KerasOutputs.H5Name.class,
      description = "Also write the trained model as a legacy .h5 file that tf-keras loads (without optimizer state).")
  Path saveH5;

  @Option(names = "--resume",
      description = "Continue the interrupted run of this --model in --output from its last finished epoch.")
  boolean resume;

  @Spec
  CommandSpec spec;

  /** What an interrupted run fixes: given with --resume, these options must equal the run's. */
  private static final Map<String, Function<TrainingRun, Object>> FIXED_BY_THE_RUN = Map.of(
      "--data", TrainingRun::data,
      "--validation-split", TrainingRun::validationSplit,
      "--seed", r -> r.config().seed(),
      "--batch-size", r -> r.config().batchSize(),
      "--learning-rate", r -> r.config().learningRate(),
      "--model-version", TrainingRun::version);

  @Override
  public Integer call() throws Exception {
    Architecture architecture = Architecture.byName(model);
    Path base = output.resolve(architecture.cliName());
    Path checkpointFile = base.resolve(".checkpoint");
    if (resume && initFrom != null) {
      throw new DigitsException("--resume continues from the checkpoint; leave out --init-from");
    }
    Checkpoint resumeFrom = resume ? Checkpoint.load(checkpointFile) : null;
    if (resumeFrom == null && Files.exists(checkpointFile)) {
      System.out.println("Starting anew: the checkpoint of an interrupted run in " + base
          + " will be replaced (use --resume to continue it instead)");
    }
    TrainingRun run = resumeFrom != null ? resumed(resumeFrom.run()) : newRun(architecture, base);
    Path versionDir = base.resolve(Long.toString(run.version()));
    if (Files.exists(versionDir) && !overwrite) {
      throw new DigitsException(versionDir + ": model version exists; pass --overwrite to replace it");
    }
    // before reading data: a missing GPU is reported at once
    ConfigProto session = run.precision().apply(device.sessionConfig());
    Trainer.Start start = resumeFrom != null ? Trainer.Start.resume(resumeFrom.state())
        : initFrom != null ? Trainer.Start.from(KerasModel.load(initFrom).weightsFor(architecture.create()))
        : Trainer.Start.fresh();
    Split split = Split.of(DigitCsv.readLabeled(Path.of(run.data())), run.validationSplit(), run.config().seed());
    System.out.printf(Locale.ROOT, "Training %s on %,d rows, validating on %,d (%s)%s%n",
        architecture.cliName(), split.train().size(), split.validation().size(), run.data(),
        resumeFrom == null ? "" : ", resuming after epoch " + resumeFrom.state().epochsDone());

    Thread onInterrupt = new Thread(() -> System.err.println(Files.exists(checkpointFile)
        ? "digits: interrupted; finished epochs are saved, continue with: digits train --resume --model "
            + architecture.cliName() + " --output " + output
        : "digits: interrupted before the first epoch finished; nothing was saved"));
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    Trainer.Outcome outcome;
    try {
      outcome = new Trainer(run.config(), new ProgressBar(System.out, System.console() != null))
          .fit(architecture.create(run.config().dropout()), split.train(), split.validation(), session, start,
              state -> new Checkpoint(run, state).save(checkpointFile));
      SavedModelExporter.export(architecture.create(), outcome.weights(), versionDir, extras(run, outcome), overwrite);
      KerasOutputs.save(() -> architecture.create(run.config().dropout()), run.config(), split.train().size(), outcome,
          saveKeras, saveH5);
      Files.deleteIfExists(checkpointFile);
    } finally {
      // Only an interruption prints the hook's message: not a failed export, not the next run in this JVM.
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting (Ctrl-C): the hook runs, as it should
      }
    }
    History.Epoch last = outcome.history().last();
    System.out.printf(Locale.ROOT, "Saved %s (%s %.4f, %d epochs)%n", versionDir,
        outcome.history().hasValidation() ? "val_accuracy" : "accuracy",
        outcome.history().hasValidation() ? last.valAccuracy() : last.accuracy(), outcome.history().epochs().size());
    return 0;
  }

  /** The run the options describe, over the model's own defaults. */
  private TrainingRun newRun(Architecture architecture, Path base) {
    TrainConfig defaults = TrainConfig.defaults(architecture);
    TrainConfig config = defaults
        .withEpochs(epochs != null ? epochs : defaults.epochs())
        .withBatchSize(batchSize != null ? batchSize : defaults.batchSize())
        .withLearningRate(learningRate != null ? learningRate : defaults.learningRate())
        .withStopAtAccuracy(stopAtAccuracy != null ? stopAtAccuracy : defaults.stopAtAccuracy())
        .withSeed(seed);
    check(config);
    long v = version != null ? version
        : Files.isDirectory(base) ? ModelLoader.newestVersion(base)
            .map(p -> Long.parseLong(p.getFileName().toString()) + 1).orElse(1L) : 1L;
    if (v < 0) {
      throw new DigitsException("--model-version must be a non-negative integer");
    }
    return new TrainingRun(architecture.cliName(), data.toString(), validationSplit, precision, v,
        initFrom == null ? null : initFrom.toAbsolutePath().toString(), config);
  }

  /**
   * The interrupted run, going on: options it fixes must be left out or equal; the epoch count, the
   * early stop and the precision may change.
   */
  private TrainingRun resumed(TrainingRun saved) {
    var parsed = spec.commandLine().getParseResult();
    FIXED_BY_THE_RUN.forEach((name, field) -> {
      Object was = field.apply(saved);
      Object now = spec.findOption(name).getValue();
      boolean same = was instanceof Number a && now instanceof Number b
          ? a.doubleValue() == b.doubleValue()
          : String.valueOf(was).equals(String.valueOf(now));
      if (parsed.hasMatchedOption(name) && !same) {
        throw new DigitsException("--resume: " + name + " was " + was + " in the interrupted run; leave it out"
            + " or train anew without --resume");
      }
    });
    TrainConfig config = saved.config()
        .withEpochs(epochs != null ? epochs : saved.config().epochs())
        .withStopAtAccuracy(stopAtAccuracy != null ? stopAtAccuracy : saved.config().stopAtAccuracy());
    check(config);
    return new TrainingRun(saved.model(), saved.data(), saved.validationSplit(),
        parsed.hasMatchedOption("--precision") ? precision : saved.precision(), saved.version(), saved.initFrom(),
        config);
  }

  private void check(TrainConfig c) {
    if (c.epochs() < 1 || c.batchSize() < 1 || c.learningRate() <= 0 || validationSplit < 0 || validationSplit >= 1
        || c.stopAtAccuracy() < 0 || c.stopAtAccuracy() > 1) {
      throw new DigitsException("need --epochs >= 1, --batch-size >= 1, --learning-rate > 0, "
          + "0 <= --validation-split < 1 and 0 <= --stop-at-accuracy <= 1");
    }
  }

  /** {@code assets.extra/}: history.json in Keras's History layout, its curves.png, and the run (training.json). */
  private static Map<String, byte[]> extras(TrainingRun run, Trainer.Outcome outcome) throws Exception {
    List<History.Epoch> epochs = outcome.history().epochs();
    Map<String, Object> history = new LinkedHashMap<>();
    history.put("loss", epochs.stream().map(History.Epoch::loss).toList());
    history.put("accuracy", epochs.stream().map(History.Epoch::accuracy).toList());
    if (outcome.history().hasValidation()) {
      history.put("val_loss", epochs.stream().map(History.Epoch::valLoss).toList());
      history.put("val_accuracy", epochs.stream().map(History.Epoch::valAccuracy).toList());
    }
    history.put("epoch_seconds", epochs.stream().map(History.Epoch::seconds).toList());
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    return Map.of("history.json", json.writeValueAsBytes(history), TrainingRun.FILE_NAME, run.toJson(),
        "curves.png", TrainingCurves.png(history));
  }

  /** Accepts the option's spelling ({@code mixed-bfloat16}) and Keras's ({@code mixed_bfloat16}). */
  static final class PrecisionConverter implements picocli.CommandLine.ITypeConverter<Precision> {
    @Override
    public Precision convert(String value) {
      return Precision.byName(value);
    }
  }
}
