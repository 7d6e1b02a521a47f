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
import io.digits.scoring.Predictor;
import io.digits.train.Ensemble;
import io.digits.train.History;
import io.digits.train.Precision;
import io.digits.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.tensorflow.proto.ConfigProto;

/**
 * {@code train --ensemble N [--folds K] [--member I] [--tta]}: trains the members one after the other
 * ({@link Ensemble}) and exports them as one SavedModel ({@link EnsembleExporter}), or, with
 * {@code --member}, one member as a model of its own for {@code digits ensemble merge}.
 * Interrupted, it resumes with {@code --resume} from the last finished member and epoch: the state
 * lives in {@code <base>/.ensemble/} until the export is written.
 *
 * @param run the run the options describe (member 1's seed; its version is the next free one under {@code base})
 * @param base {@link #base}: where the export's version folders go
 */
record EnsembleTraining(EnsembleOptions options, Architecture architecture, TrainingRun run, Path base,
    ConfigProto deviceConfig, Precision exportPrecision, boolean overwrite, boolean resume) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String STATE = ".ensemble";
  /** What the interrupted ensemble was, beside its member files. */
  private static final String IDENTITY = "ensemble.json";

  /** {@code <output>/<model>-ensemble}, or {@code <output>/<model>-member-I} with {@code --member I}. */
  static Path base(Path output, Architecture architecture, EnsembleOptions options) {
    return output.resolve(architecture.cliName() + (options.member != null ? "-member-" + options.member : "-ensemble"));
  }

  int call() throws IOException {
    Ensemble ensemble = ensemble();
    Integer only = options.member;
    int[] members = only != null ? new int[] {only} : IntStream.rangeClosed(1, ensemble.members()).toArray();
    Path state = base.resolve(STATE);
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("ensemble", ensemble.members());
    identity.put("folds", ensemble.folds());
    identity.put("member", only == null ? 0 : only);
    identity.put("version", resume ? resumedVersion(state, identity) : run.version());
    TrainingRun run = withVersion(((Number) identity.get("version")).longValue());
    Path versionDir = base.resolve(Long.toString(run.version()));
    if (!resume && Files.exists(state)) {
      System.out.println("Starting anew: the interrupted ensemble in " + base + " is replaced (use --resume to continue it)");
      SavedModelExporter.deleteTree(state);
    }
    if (Files.exists(versionDir) && !overwrite) {
      throw new DigitsException(versionDir + ": model version exists; pass --overwrite to replace it");
    }
    ConfigProto session = run.precision().apply(deviceConfig);
    Files.createDirectories(state);
    Files.write(state.resolve(IDENTITY), JSON.writeValueAsBytes(identity));
    Dataset all = DigitCsv.readLabeled(Path.of(run.data()));
    System.out.printf(Locale.ROOT, "Training %s of %d %s on %s (%,d rows)%s%n",
        only != null ? "member " + only : "an ensemble", ensemble.members(), architecture.cliName(), run.data(),
        all.size(), resume ? ", resuming" : "");
    Thread onInterrupt = new Thread(() -> System.err.println(
        "digits: interrupted; finished members and epochs are saved, continue with the same command and --resume"));
    Runtime.getRuntime().addShutdownHook(onInterrupt);
    List<Ensemble.Member> trained;
    try {
      trained = ensemble.train(members, run, all, session, state, System.out, System.console() != null);
      export(ensemble, trained, versionDir);
      SavedModelExporter.deleteTree(state);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(onInterrupt);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting (Ctrl-C): the hook runs, as it should
      }
    }
    for (Ensemble.Member m : trained) {
      History.Epoch last = m.outcome().history().last();
      System.out.printf(Locale.ROOT, "Member %d (seed %d): %s%n", m.member(), m.seed(),
          m.outcome().history().hasValidation() ? String.format(Locale.ROOT, "val_accuracy %.4f", last.valAccuracy())
              : String.format(Locale.ROOT, "accuracy %.4f (no validation rows)", last.accuracy()));
    }
    System.out.println("Saved " + versionDir + sharedValidation(ensemble, all, versionDir, only == null));
    return 0;
  }

  private void export(Ensemble ensemble, List<Ensemble.Member> trained, Path versionDir) throws IOException {
    if (options.member != null) {
      Ensemble.Member m = trained.get(0);
      Map<String, Object> history = m.outcome().history().keras();
      SavedModelExporter.export(architecture.create(), m.outcome().weights(), versionDir, Map.of(
          "history.json", JSON.writeValueAsBytes(history),
          TrainingRun.FILE_NAME, m.run().toJson(),
          Ensemble.MEMBER_FILE, JSON.writeValueAsBytes(memberInfo(ensemble, m)),
          "curves.png", TrainingCurves.png(history)), exportPrecision, overwrite);
      return;
    }
    List<Map<String, Object>> records = new ArrayList<>();
    for (Ensemble.Member m : trained) {
      records.add(memberRecord(memberInfo(ensemble, m), m.run(), m.outcome().history().keras()));
    }
    EnsembleExporter.export(architecture, trained.stream().map(m -> m.outcome().weights()).toList(), options.tta,
        versionDir, Map.of(Ensemble.EXPORT_FILE, JSON.writeValueAsBytes(ensembleInfo(architecture, options.tta, records))),
        exportPrecision, overwrite);
  }

  private Ensemble ensemble() {
    if (options.members == null) {
      throw new DigitsException("--folds, --member and --tta need --ensemble N");
    }
    if (run.initFrom() != null) {
      throw new DigitsException("--init-from fine-tunes one model; leave it out with --ensemble");
    }
    Ensemble ensemble = new Ensemble(architecture, options.members, options.folds == null ? 0 : options.folds,
        run.config().seed(), run.validationSplit());
    if (options.member != null && (options.member < 1 || options.member > options.members)) {
      throw new DigitsException("--member must lie in 1.." + options.members);
    }
    if (options.member != null && options.tta) {
      throw new DigitsException("--tta is part of the merged model: give it to digits ensemble merge, not to --member");
    }
    return ensemble;
  }

  private TrainingRun withVersion(long version) {
    return new TrainingRun(run.model(), run.data(), run.validationSplit(), run.precision(), version, run.initFrom(),
        run.config());
  }

  /** The interrupted ensemble's version; it must be the ensemble these options describe. */
  private static long resumedVersion(Path state, Map<String, Object> identity) throws IOException {
    Path file = state.resolve(IDENTITY);
    if (!Files.isRegularFile(file)) {
      throw new DigitsException(state + ": no interrupted ensemble to resume (train without --resume)");
    }
    Map<?, ?> was = JSON.readValue(file.toFile(), Map.class);
    for (String key : List.of("ensemble", "folds", "member")) {
      if (!String.valueOf(was.get(key)).equals(String.valueOf(identity.get(key)))) {
        throw new DigitsException("--resume: the interrupted ensemble had " + key + " " + was.get(key)
            + "; resume with the same options, or train anew without --resume");
      }
    }
    return ((Number) was.get("version")).longValue();
  }

  /** The ensemble's accuracy on the validation rows all members share (none with folds or without a split). */
  private String sharedValidation(Ensemble ensemble, Dataset all, Path versionDir, boolean whole) {
    if (!whole || ensemble.folds() > 0 || run.validationSplit() == 0) {
      return "";
    }
    Dataset validation = ensemble.split(all, 1).validation();
    try (Predictor p = Predictor.open(versionDir, Predictor.DEFAULT_INPUT_SCALE)) {
      Evaluation e = Evaluation.of(validation.labels(), p.predict(validation));
      return String.format(Locale.ROOT, " (ensemble val_accuracy %.4f, val_loss %.4f)", e.accuracy(), e.loss());
    }
  }

  /**
   * A member's place in its ensemble ({@code ensemble_member.json} of a member export): the split it
   * validated on ({@code seed} is the split's, {@code member_seed} its own) and its last figures.
   */
  private Map<String, Object> memberInfo(Ensemble ensemble, Ensemble.Member m) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("model", architecture.cliName());
    info.put("data", run.data());
    info.put("validation_split", run.validationSplit());
    info.put("seed", ensemble.seed());
    info.put("ensemble", ensemble.members());
    info.put("member", m.member());
    info.put("member_seed", m.seed());
    info.put("folds", ensemble.folds());
    info.put("fold", m.fold());
    info.put("validation_rows", m.validationRows());
    info.put("parameters", m.outcome().weights().count());
    if (m.outcome().history().hasValidation()) {
      info.put("val_accuracy", m.outcome().history().last().valAccuracy());
    }
    return info;
  }

  /** One entry of an ensemble's {@code members}: its place, its run, its history. */
  static Map<String, Object> memberRecord(Map<String, Object> info, TrainingRun run, Object history)
      throws IOException {
    Map<String, Object> m = new LinkedHashMap<>(info);
    m.put("run", JSON.readValue(run.toJson(), Map.class));
    if (history != null) {
      m.put("history", history);
    }
    return m;
  }

  /**
   * The ensemble's {@code ensemble.json}: the members' records under {@code members}, and the split
   * they share (data, validation_split, seed, folds) on top when they all agree, so that
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
    info.put("parameters", members.stream().mapToLong(m -> ((Number) m.getOrDefault("parameters", 0)).longValue()).sum());
    info.put("members", members);
    return info;
  }
}
