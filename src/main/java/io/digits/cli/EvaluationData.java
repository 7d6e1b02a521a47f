package io.digits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.DigitsException;
import io.digits.data.DigitCsv;
import io.digits.data.Dataset;
import io.digits.data.Split;
import io.digits.export.SavedModelExporter;
import io.digits.model.Architecture;
import io.digits.train.Ensemble;
import io.digits.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The labeled rows that {@code evaluate} scores: the whole file given with {@code --data}, or else
 * the validation split that {@code train} held out, rebuilt from the model's
 * {@code assets.extra/training.json} (the {@link TrainingRun}), so that evaluate reports on
 * exactly the rows train validated on.
 */
record EvaluationData(Dataset rows, String description) {

  static EvaluationData of(Path modelVersionDir, Path data) {
    if (data != null) {
      Dataset all = nonEmpty(DigitCsv.readLabeled(data), data);
      return new EvaluationData(all, String.format(Locale.ROOT, "%s (all %,d rows)", data, all.size()));
    }
    for (String ensembleFile : List.of(Ensemble.EXPORT_FILE, Ensemble.MEMBER_FILE)) {
      Path file = modelVersionDir.resolve(SavedModelExporter.EXTRAS).resolve(ensembleFile);
      if (Files.isRegularFile(file)) {
        return ofEnsemble(file);
      }
    }
    Path info = modelVersionDir.resolve(SavedModelExporter.EXTRAS).resolve(TrainingRun.FILE_NAME);
    if (!Files.isRegularFile(info)) {
      throw new DigitsException(modelVersionDir + ": no " + SavedModelExporter.EXTRAS + "/" + TrainingRun.FILE_NAME
          + " to rebuild the validation split from (not trained by digits train); pass --data labeled.csv");
    }
    TrainingRun run = TrainingRun.read(info);
    if (run.validationSplit() == 0) {
      throw new DigitsException(info + ": the model was trained without a validation split; pass --data labeled.csv");
    }
    Path file = Path.of(run.data());
    long seed = run.config().seed();
    Dataset validation = Split.of(nonEmpty(DigitCsv.readLabeled(file), file), run.validationSplit(), seed).validation();
    return new EvaluationData(validation, String.format(Locale.ROOT,
        "validation split of %s (%,d rows: validation_split %s, seed %d, as train held out)",
        file, validation.size(), run.validationSplit(), seed));
  }

  /**
   * An ensemble's shared validation rows, or a member's own (its fold): from {@code ensemble.json} or
   * {@code ensemble_member.json}, whose {@code seed} is the split's (a member's run has its own seed).
   */
  private static EvaluationData ofEnsemble(Path file) {
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new DigitsException(file + ": not JSON: " + e.getMessage(), e);
    }
    if (!json.path("data").isTextual() || !json.path("validation_split").isNumber() || !json.path("seed").isIntegralNumber()) {
      throw new DigitsException(file + ": the members do not share one split (need 'data', 'validation_split' and"
          + " 'seed'); pass --data labeled.csv");
    }
    int folds = json.path("folds").asInt(0);
    boolean whole = json.has("members");
    if (folds > 0 && whole) {
      throw new DigitsException(file + ": the members validated on " + folds
          + " different folds, so every row trained some member; pass --data labeled.csv");
    }
    if (folds == 0 && json.get("validation_split").asDouble() == 0) {
      throw new DigitsException(file + ": the model was trained without a validation split; pass --data labeled.csv");
    }
    Path data = Path.of(json.get("data").asText());
    Ensemble ensemble = new Ensemble(Architecture.byName(json.path("model").asText()),
        json.path("ensemble").asInt(1), folds, json.get("seed").asLong(), json.get("validation_split").asDouble());
    int member = json.path("member").asInt(1);
    Dataset rows = ensemble.split(nonEmpty(DigitCsv.readLabeled(data), data), member).validation();
    return new EvaluationData(rows, folds > 0
        ? String.format(Locale.ROOT, "fold %d of %d of %s (%,d rows, seed %d, as member %d validated on)",
            ensemble.fold(member), folds, data, rows.size(), ensemble.seed(), member)
        : String.format(Locale.ROOT, "validation split of %s (%,d rows: validation_split %s, seed %d, as %s)",
            data, rows.size(), json.get("validation_split").asText(), ensemble.seed(),
            whole ? "every member validated on" : "train held out"));
  }

  private static Dataset nonEmpty(Dataset rows, Path file) {
    if (rows == null || rows.size() == 0) {
      throw new DigitsException(file + ": no rows to evaluate on");
    }
    return rows;
  }
}
