package io.digits.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.digits.DigitsException;
import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import io.digits.export.EnsembleExporter;
import io.digits.export.SavedModelExporter;
import io.digits.model.Architecture;
import io.digits.report.Evaluation;
import io.digits.report.TrainingCurves;
import io.digits.scoring.ModelLoader;
import io.digits.scoring.Predictor;
import io.digits.train.Checkpoint;
import io.digits.train.Ensemble;
import io.digits.train.History;
import io.digits.train.Precision;
import io.digits.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.tensorflow.proto.ConfigProto;

/**
 * {@code train --ensemble N [--folds K] [--member I] [--tta]}: trains the members one after the other
 * ({@link Ensemble}) and exports them as one SavedModel ({@link EnsembleExporter}), or, with
 * {@code --member}, one member as a model of its own for {@code digits ensemble merge}.
 * Interrupted, it resumes with {@code --resume} from the last finished member and epoch: the state
 * lives in {@code <output>/<name>/.ensemble/} until the export is written.
 */
record EnsembleTraining(
    EnsembleOptions options, Architecture architecture, TrainConfig config, Path data, double validationSplit,
    long seed, Precision precision, ConfigProto session, Path output, Long version, boolean overwrite,
    boolean resume, Path initFrom) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  int call() throws IOException {
    Ensemble ensemble = ensemble();
    Integer only = options.member;
    int[] members = only != null ? new int[] {only} : IntStream.rangeClosed(1, ensemble.members()).toArray();
    Path base = output.resolve(architecture.cliName() + (only != null ? "-member-" + only : "-ensemble"));
    Path state = base.resolve(".ensemble");
    Path versionDir = base.resolve(Long.toString(resume ? resumedVersion(state) : newVersion(base)));
    if (!resume && Files.exists(state)) {
      System.out.println("Starting anew: the interrupted ensemble in " + base + " is replaced (use --resume to continue it)");
      SavedModelExporter.deleteTree(state);
    }
    if (Files.exists(versionDir) && !overwrite) {
      throw new DigitsException(versionDir + ": model version exists; pass --overwrite to replace it");
    }
    Dataset all = DigitCsv.readLabeled(data);
    System.out.printf(Locale.ROOT, "Training %s of %d %s on %s (%,d rows)%s%n",
        only != null ? "member " + only : "an ensemble", ensemble.members(), architecture.cliName(), data,
        all.size(), resume ? ", resuming" : "");
    Thread onInterrupt = new Thread(() -> System.err.println(
        "digits: interrupted; finished members and epochs are saved, continue with the same command and --resume"));
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    List<Ensemble.Member> trained = ensemble.train(members, config, all, session, state,
        settings(versionDir), System.out, System.console() != null);

    if (only != null) {
      Ensemble.Member m = trained.get(0);
      SavedModelExporter.export(architecture.create(), m.outcome().weights(), versionDir, Map.of(
          "history.json", JSON.writeValueAsBytes(m.outcome().history().keras()),
          "training.json", JSON.writeValueAsBytes(memberInfo(ensemble, m)),
          "curves.png", TrainingCurves.png(m.outcome().history().keras())), overwrite);
    } else {
      List<Map<String, Object>> infos = new ArrayList<>();
      trained.forEach(m -> infos.add(withHistory(memberInfo(ensemble, m), m.outcome().history())));
      EnsembleExporter.export(architecture, trained.stream().map(m -> m.outcome().weights()).toList(), options.tta,
          versionDir, Map.of("training.json", JSON.writeValueAsBytes(ensembleInfo(architecture, options.tta, infos))),
          overwrite);
    }
    SavedModelExporter.deleteTree(state);
    Runtime.getRuntime().removeShutdownHook(onInterrupt);
    for (Ensemble.Member m : trained) {
      History.Epoch last = m.outcome().history().last();
      System.out.printf(Locale.ROOT, "Member %d (seed %d): %s%n", m.member(), m.seed(),
          m.outcome().history().hasValidation() ? String.format(Locale.ROOT, "val_accuracy %.4f", last.valAccuracy())
              : String.format(Locale.ROOT, "accuracy %.4f (no validation rows)", last.accuracy()));
    }
    System.out.println("Saved " + versionDir + sharedValidation(ensemble, all, versionDir, only == null));
    return 0;
  }

  private Ensemble ensemble() {
    if (options.members == null) {
      throw new DigitsException("--folds, --member and --tta need --ensemble N");
    }
    if (initFrom != null) {
      throw new DigitsException("--init-from fine-tunes one model; leave it out with --ensemble");
    }
    Ensemble ensemble = new Ensemble(architecture, options.members, options.folds == null ? 0 : options.folds, seed,
        validationSplit);
    if (options.member != null && (options.member < 1 || options.member > options.members)) {
      throw new DigitsException("--member must lie in 1.." + options.members);
    }
    if (options.member != null && options.tta) {
      throw new DigitsException("--tta is part of the merged model: give it to digits ensemble merge, not to --member");
    }
    return ensemble;
  }

  /** The ensemble's accuracy on the validation rows all members share (none with folds or without a split). */
  private String sharedValidation(Ensemble ensemble, Dataset all, Path versionDir, boolean whole) {
    if (!whole || ensemble.folds() > 0 || validationSplit == 0) {
      return "";
    }
    Dataset validation = ensemble.split(all, 1).validation();
    try (Predictor p = Predictor.open(versionDir, Predictor.DEFAULT_INPUT_SCALE)) {
      Evaluation e = Evaluation.of(validation.labels(), p.predict(validation));
      return String.format(Locale.ROOT, " (ensemble val_accuracy %.4f, val_loss %.4f)", e.accuracy(), e.loss());
    }
  }

  /** What every member file of this run records; a resumed run must match it. */
  private Map<String, Object> settings(Path versionDir) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("--data", data.toString());
    s.put("--validation-split", validationSplit);
    s.put("--seed", seed);
    s.put("--ensemble", options.members);
    s.put("--folds", options.folds == null ? 0 : options.folds);
    s.put("--epochs", config.epochs());
    s.put("--batch-size", config.batchSize());
    s.put("--learning-rate", (double) config.learningRate());
    s.put("--precision", precision.toString());
    s.put("--model-version", Long.parseLong(versionDir.getFileName().toString()));
    return s;
  }

  private long resumedVersion(Path state) throws IOException {
    try (Stream<Path> files = Files.isDirectory(state) ? Files.list(state) : Stream.empty()) {
      Path any = files.filter(f -> f.getFileName().toString().startsWith("member-")).findFirst()
          .orElseThrow(() -> new DigitsException(state + ": no interrupted ensemble to resume (train without --resume)"));
      return ((Number) Checkpoint.load(any).settings().get("--model-version")).longValue();
    }
  }

  private long newVersion(Path base) {
    if (version != null) {
      return version;
    }
    return Files.isDirectory(base)
        ? ModelLoader.newestVersion(base).map(p -> Long.parseLong(p.getFileName().toString()) + 1).orElse(1L) : 1L;
  }

  /** A member's {@code training.json}: train's fields, with {@code seed} the split's and the member's own beside. */
  Map<String, Object> memberInfo(Ensemble ensemble, Ensemble.Member m) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("model", architecture.cliName());
    info.put("parameters", m.outcome().weights().count());
    info.put("data", data.toString());
    info.put("validation_split", validationSplit);
    info.put("seed", seed);
    info.put("ensemble", ensemble.members());
    info.put("member", m.member());
    info.put("member_seed", m.seed());
    info.put("folds", ensemble.folds());
    info.put("fold", m.fold());
    info.put("validation_rows", m.validationRows());
    info.put("epochs_run", m.outcome().history().epochs().size());
    info.put("batch_size", config.batchSize());
    info.put("optimizer", config.optimizer().keras());
    info.put("learning_rate", config.learningRate());
    info.put("learning_rate_decay_per_epoch", config.learningRateDecay());
    info.put("dropout", config.dropout());
    info.put("precision", precision.toString());
    info.put("stop_at_accuracy", config.stopAtAccuracy());
    if (m.outcome().history().hasValidation()) {
      info.put("val_accuracy", m.outcome().history().last().valAccuracy());
    }
    return info;
  }

  static Map<String, Object> withHistory(Map<String, Object> memberInfo, Object history) {
    Map<String, Object> m = new LinkedHashMap<>(memberInfo);
    m.put("history", history instanceof History h ? h.keras() : history);
    return m;
  }

  /**
   * The ensemble's {@code training.json}: the members' own records under {@code members}, and the
   * split they share (data, validation_split, seed, folds) on top when they all agree, so that
   * {@code evaluate} rebuilds the validation rows.
   */
  static Map<String, Object> ensembleInfo(Architecture architecture, boolean tta, List<Map<String, Object>> members) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("model", architecture.cliName());
    info.put("ensemble", members.size());
    info.put("tta", tta);
    for (String shared : List.of("data", "validation_split", "seed", "folds")) {
      List<String> values = members.stream().map(m -> String.valueOf(m.get(shared))).distinct().toList();
      if (values.size() == 1 && members.get(0).get(shared) != null) {
        info.put(shared, members.get(0).get(shared));
      }
    }
    info.put("parameters", members.stream().mapToLong(m -> ((Number) m.get("parameters")).longValue()).sum());
    info.put("members", members);
    return info;
  }
}
