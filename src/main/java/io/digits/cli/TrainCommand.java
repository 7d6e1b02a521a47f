package io.digits.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.digits.DigitsException;
import io.digits.data.DigitCsv;
import io.digits.data.Split;
import io.digits.export.SavedModelExporter;
import io.digits.keras.CompileSettings;
import io.digits.keras.KerasModel;
import io.digits.model.Architecture;
import io.digits.model.Model;
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
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** {@code digits train}: the notebook's {@code model.fit}, then a TF Serving export. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model on a labeled CSV and export it as a SavedModel <output>/<model>/<version>/.")
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = "double-conv",
      description = "Model: simple, double-conv (the notebook's), bn-cnn (batch-normalized CNN with in-graph"
          + " augmentation; its defaults: " + TrainConfig.BN_CNN_RECIPE + "), or a Keras model file (.keras or .h5;"
          + " its layers and weights, exported as <output>/<file name without extension>/) (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--fresh-weights",
      description = "With --model FILE: start from new weights drawn from each layer's own initializers (from --seed)"
          + " instead of the file's.")
  boolean freshWeights;

  @Option(names = "--data", defaultValue = "data/train.csv", description = "Labeled CSV (.csv or .csv.gz; default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(names = "--epochs", description = "Epochs (default: 10; bn-cnn: 6).")
  Integer epochs;

  @Option(names = "--batch-size", description = "Batch size (default: 32; bn-cnn: 64).")
  Integer batchSize;

  @Option(names = "--learning-rate", description = "Learning rate: RMSprop's for simple and double-conv"
      + " (default: 0.001); bn-cnn: Adam's, the peak of --schedule (default: 0.002).")
  Float learningRate;

  @Option(names = "--schedule", paramLabel = "exponential|cosine", converter = ScheduleConverter.class,
      description = "How the learning rate moves: exponential (--learning-rate times --learning-rate-decay each epoch;"
          + " Keras's ExponentialDecay, staircase) or cosine (linear warm-up from 0 to --learning-rate over"
          + " --warmup-epochs, then half a cosine down to --schedule-alpha of it over --decay-epochs, then flat;"
          + " Keras's CosineDecay with warmup_target) (default: exponential; bn-cnn: cosine).")
  TrainConfig.Schedule schedule;

  @Option(names = "--learning-rate-decay", description = "--schedule exponential: the factor per epoch; 1 keeps the"
      + " rate constant (default: 1).")
  Double learningRateDecay;

  @Option(names = "--warmup-epochs", description = "--schedule cosine: epochs of linear warm-up, fractions allowed"
      + " (default: 0; bn-cnn: 0.5).")
  Double warmupEpochs;

  @Option(names = "--decay-epochs", description = "--schedule cosine: epochs of the cosine decay after the warm-up;"
      + " 0: to the end of the run, whatever --epochs is (default: 0; bn-cnn: 4.5).")
  Double decayEpochs;

  @Option(names = "--schedule-alpha", description = "--schedule cosine: the floor of the decay, as a fraction of"
      + " --learning-rate (Keras's alpha) (default: 0; bn-cnn: 0.05).")
  Double scheduleAlpha;

  @Option(names = "--label-smoothing", description = "Keras's categorical cross-entropy label_smoothing, in [0, 1)"
      + " (default: 0).")
  Double labelSmoothing;

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
      description = "float32 (Keras's default, exact parity) or mixed-bfloat16 (Keras's mixed_bfloat16: double-conv"
          + " trains 1.4-1.65x faster on a CPU with bfloat16 support, BENCHMARKS.md; the export stays float32 unless --export-precision says otherwise)"
          + " (default: ${DEFAULT-VALUE}).")
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

  @picocli.CommandLine.Mixin
  EnsembleOptions ensemble;

  @picocli.CommandLine.Mixin
  ExportPrecisionOption exportPrecision;

  @Spec
  CommandSpec spec;

  /** What an interrupted run fixes: given with --resume, these options must equal the run's. */
  private static final Map<String, Function<TrainingRun, Object>> FIXED_BY_THE_RUN = Map.ofEntries(
      Map.entry("--data", TrainingRun::data),
      Map.entry("--validation-split", TrainingRun::validationSplit),
      Map.entry("--seed", r -> r.config().seed()),
      Map.entry("--batch-size", r -> r.config().batchSize()),
      Map.entry("--learning-rate", r -> r.config().learningRate()),
      Map.entry("--schedule", r -> r.config().schedule()),
      Map.entry("--learning-rate-decay", r -> r.config().learningRateDecay()),
      Map.entry("--warmup-epochs", r -> r.config().warmupEpochs()),
      Map.entry("--decay-epochs", r -> r.config().cosineDecayEpochs()),
      Map.entry("--schedule-alpha", r -> r.config().alpha()),
      Map.entry("--label-smoothing", r -> r.config().labelSmoothing()),
      Map.entry("--model-version", TrainingRun::version));

  /** The options that set a built-in model's learning-rate schedule and loss (a Keras file brings its own). */
  private static final List<String> SCHEDULE_OPTIONS = List.of("--schedule", "--learning-rate-decay",
      "--warmup-epochs", "--decay-epochs", "--schedule-alpha", "--label-smoothing");

  @Override
  public Integer call() throws Exception {
    KerasModel file = kerasFile();
    Architecture architecture = file == null ? Architecture.byName(model) : null;
    if (ensemble.requested()) {
      if (file != null) {
        throw new DigitsException("--ensemble trains the built-in models (simple, double-conv, bn-cnn)");
      }
      Path ensembleBase = EnsembleTraining.base(output, architecture, ensemble);
      return new EnsembleTraining(ensemble, architecture,
          newRun(architecture.cliName(), TrainConfig.defaults(architecture), ensembleBase), ensembleBase,
          device.sessionConfig(), exportPrecision.value, overwrite, resume).call();
    }
    String modelName = file == null ? architecture.cliName()
        : file.path().getFileName().toString().replaceFirst("\\.(keras|h5)$", "");
    Path base = output.resolve(modelName);
    Path checkpointFile = base.resolve(".checkpoint");
    if (resume && initFrom != null) {
      throw new DigitsException("--resume continues from the checkpoint; leave out --init-from");
    }
    if (file != null) {
      var parsed = spec.commandLine().getParseResult();
      SCHEDULE_OPTIONS.stream().filter(parsed::hasMatchedOption).findFirst().ifPresent(o -> {
        throw new DigitsException(o + " is for the built-in models; --model FILE trains with the file's own"
            + " compile settings (optimizer, schedule, loss)");
      });
    }
    if (file != null && initFrom != null) {
      throw new DigitsException("--init-from is for the built-in models; --model FILE starts from the file's weights"
          + " (or --fresh-weights)");
    }
    Checkpoint resumeFrom = resume ? Checkpoint.load(checkpointFile) : null;
    if (resumeFrom == null && Files.exists(checkpointFile)) {
      System.out.println("Starting anew: the checkpoint of an interrupted run in " + base
          + " will be replaced (use --resume to continue it instead)");
    }
    // A file model trains with Keras fit's defaults: no early stop.
    // (its learning rate is the file's optimizer's, so that the run records what trains)
    TrainConfig defaults = file == null ? TrainConfig.defaults(architecture) : TrainConfig.notebook().withStopAtAccuracy(0)
        .withLearningRate(file.compileSettings().optimizer().learningRate());
    TrainingRun run = resumeFrom != null ? resumed(resumeFrom.run()) : newRun(modelName, defaults, base);
    Path versionDir = base.resolve(Long.toString(run.version()));
    if (Files.exists(versionDir) && !overwrite) {
      throw new DigitsException(versionDir + ": model version exists; pass --overwrite to replace it");
    }
    // before reading data: a missing GPU is reported at once
    ConfigProto session = run.precision().apply(device.sessionConfig());
    Trainer.Start start = resumeFrom != null ? Trainer.Start.resume(resumeFrom.state())
        : initFrom != null ? Trainer.Start.from(KerasModel.load(initFrom).weightsFor(architecture.create()))
        : file != null && !freshWeights ? Trainer.Start.from(file.weights())
        : Trainer.Start.fresh();
    Supplier<Model> fresh = file != null ? file::create : () -> architecture.create(run.config().dropout());
    CompileSettings settings = file == null ? null : compileSettings(file, run);
    Split split = Split.of(DigitCsv.readLabeled(Path.of(run.data())), run.validationSplit(), run.config().seed());
    System.out.printf(Locale.ROOT, "Training %s on %,d rows, validating on %,d (%s)%s%n",
        modelName, split.train().size(), split.validation().size(), run.data(),
        resumeFrom == null ? "" : ", resuming after epoch " + resumeFrom.state().epochsDone());
    if (settings != null) {
      System.out.println("Compiled with " + settings.describe() + " (" + settings.source() + ")");
    }

    Thread onInterrupt = new Thread(() -> System.err.println(Files.exists(checkpointFile)
        ? "digits: interrupted; finished epochs are saved, continue with: digits train --resume --model "
            + model + " --output " + output
        : "digits: interrupted before the first epoch finished; nothing was saved"));
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    Trainer.Outcome outcome;
    try {
      Trainer.Compiled compiled = settings == null ? Trainer.Compiled.of(run.config(), split.train().size())
          : settings.compiled();
      outcome = new Trainer(run.config(), compiled, new ProgressBar(System.out, System.console() != null))
          .fit(fresh.get(), split.train(), split.validation(), session, start,
              state -> new Checkpoint(run, state).save(checkpointFile));
      SavedModelExporter.export(fresh.get(), outcome.weights(), versionDir, extras(run, outcome), exportPrecision.value,
          overwrite);
      KerasOutputs.save(fresh, compiled, outcome, saveKeras, saveH5);
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

  /**
   * A Keras file's own compile settings (optimizer, schedule, loss), with the command line's
   * learning rate in place of the file's where one is given (a constant rate, as in Keras).
   */
  private CompileSettings compileSettings(KerasModel file, TrainingRun run) {
    CompileSettings s = file.compileSettings();
    return spec.commandLine().getParseResult().hasMatchedOption("--learning-rate")
        ? s.withLearningRate(run.config().learningRate()) : s;
  }

  /**
   * The Keras file {@code --model} names, checked for training (a softmax classifier whose options
   * training here supports), or null for a built-in model.
   */
  private KerasModel kerasFile() {
    if (!model.endsWith(".keras") && !model.endsWith(".h5")) {
      if (freshWeights) {
        throw new DigitsException("--fresh-weights is for --model FILE.keras|FILE.h5; the built-in models always start fresh");
      }
      return null;
    }
    KerasModel file = KerasModel.load(Path.of(model));
    if (!file.unsupportedForTraining().isEmpty()) {
      throw new DigitsException(file.unsupportedForTraining().get(0) + " is not supported for training");
    }
    if (!file.classifier()) {
      throw new DigitsException(model + ": the model does not end in softmax (Dense(k, softmax), Activation('softmax')"
          + " or Softmax), so it cannot be trained as a classifier here");
    }
    return file;
  }

  /**
   * The run the options describe, over the model's own defaults. A Keras file's run records the file
   * as {@code init_from} unless it starts from fresh weights.
   */
  TrainingRun newRun(String modelName, TrainConfig defaults, Path base) {
    TrainConfig config = defaults
        .withEpochs(epochs != null ? epochs : defaults.epochs())
        .withBatchSize(batchSize != null ? batchSize : defaults.batchSize())
        .withLearningRate(learningRate != null ? learningRate : defaults.learningRate())
        .withStopAtAccuracy(stopAtAccuracy != null ? stopAtAccuracy : defaults.stopAtAccuracy())
        .withSeed(seed)
        .withLabelSmoothing(labelSmoothing != null ? labelSmoothing : defaults.labelSmoothing());
    config = withSchedule(config, defaults);
    check(config);
    long v = version != null ? version
        : Files.isDirectory(base) ? ModelLoader.newestVersion(base)
            .map(p -> Long.parseLong(p.getFileName().toString()) + 1).orElse(1L) : 1L;
    if (v < 0) {
      throw new DigitsException("--model-version must be a non-negative integer");
    }
    Path startWeights = initFrom != null ? initFrom : model.equals(modelName) || freshWeights ? null : Path.of(model);
    return new TrainingRun(model, data.toString(), validationSplit, precision, v,
        startWeights == null ? null : startWeights.toAbsolutePath().toString(), config);
  }

  /**
   * {@code config} with the schedule the options give, over {@code defaults}' where they say nothing;
   * options of the other schedule are refused.
   */
  private TrainConfig withSchedule(TrainConfig config, TrainConfig defaults) {
    TrainConfig.Schedule kind = schedule != null ? schedule : defaults.schedule();
    boolean same = kind == defaults.schedule();
    if (kind == TrainConfig.Schedule.EXPONENTIAL) {
      if (warmupEpochs != null || decayEpochs != null || scheduleAlpha != null) {
        throw new DigitsException("--warmup-epochs, --decay-epochs and --schedule-alpha are for --schedule cosine");
      }
      return config.withExponentialDecay(learningRateDecay != null ? learningRateDecay
          : same ? defaults.learningRateDecay() : 1);
    }
    if (learningRateDecay != null) {
      throw new DigitsException("--learning-rate-decay is for --schedule exponential");
    }
    return config.withCosine(
        warmupEpochs != null ? warmupEpochs : same ? defaults.warmupEpochs() : 0,
        decayEpochs != null ? decayEpochs : same ? defaults.decayEpochs() : 0,
        scheduleAlpha != null ? scheduleAlpha : same ? defaults.alpha() : 0);
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
    TrainConfig config = saved.config();
    if (config.schedule() == TrainConfig.Schedule.COSINE && config.decayEpochs() == 0) {
      // "to the end of the run" meant the run's end as it was planned: more epochs go on at the floor
      config = config.withCosine(config.warmupEpochs(), config.cosineDecayEpochs(), config.alpha());
    }
    config = config
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
    if (!(c.learningRateDecay() > 0) || !(c.labelSmoothing() >= 0 && c.labelSmoothing() < 1)
        || !(c.warmupEpochs() >= 0) || !(c.decayEpochs() >= 0) || !(c.alpha() >= 0 && c.alpha() <= 1)) {
      throw new DigitsException("need --learning-rate-decay > 0, 0 <= --label-smoothing < 1, --warmup-epochs >= 0,"
          + " --decay-epochs >= 0 and 0 <= --schedule-alpha <= 1");
    }
    if (c.schedule() == TrainConfig.Schedule.COSINE && !(c.cosineDecayEpochs() > 0)) {
      throw new DigitsException("--schedule cosine: --warmup-epochs (" + c.warmupEpochs() + ") leaves no epoch for the"
          + " decay in --epochs " + c.epochs() + "; give --decay-epochs or more --epochs");
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

  /** {@code exponential} or {@code cosine}, in any case. */
  static final class ScheduleConverter implements picocli.CommandLine.ITypeConverter<TrainConfig.Schedule> {
    @Override
    public TrainConfig.Schedule convert(String value) {
      try {
        return TrainConfig.Schedule.byName(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("expected exponential or cosine, got '" + value + "'");
      }
    }
  }

  /** Accepts the option's spelling ({@code mixed-bfloat16}) and Keras's ({@code mixed_bfloat16}). */
  static final class PrecisionConverter implements picocli.CommandLine.ITypeConverter<Precision> {
    @Override
    public Precision convert(String value) {
      return Precision.byName(value);
    }
  }
}
