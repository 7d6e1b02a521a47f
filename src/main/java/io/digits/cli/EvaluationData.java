package io.digits.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.DigitsException;
import io.digits.data.DigitCsv;
import io.digits.data.Dataset;
import io.digits.data.Split;
import io.digits.export.SavedModelExporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The labeled rows that {@code evaluate} scores: the whole file given with {@code --data}, or else
 * the validation split that {@code train} held out, rebuilt from the model's
 * {@code assets.extra/training.json} (data, validation_split, seed), so that evaluate reports on
 * exactly the rows train validated on.
 */
record EvaluationData(Dataset rows, String description) {

  static EvaluationData of(Path modelVersionDir, Path data) {
    if (data != null) {
      Dataset all = nonEmpty(DigitCsv.readLabeled(data), data);
      return new EvaluationData(all, String.format(Locale.ROOT, "%s (all %,d rows)", data, all.size()));
    }
    Path info = modelVersionDir.resolve(SavedModelExporter.EXTRAS).resolve("training.json");
    if (!Files.isRegularFile(info)) {
      throw new DigitsException(modelVersionDir + ": no " + SavedModelExporter.EXTRAS
          + "/training.json to rebuild the validation split from (not trained by digits train); pass --data labeled.csv");
    }
    JsonNode json;
    try {
      json = new ObjectMapper().readTree(info.toFile());
    } catch (IOException e) {
      throw new DigitsException(info + ": not JSON: " + e.getMessage(), e);
    }
    if (!json.path("data").isTextual() || !json.path("validation_split").isNumber() || !json.path("seed").isIntegralNumber()) {
      throw new DigitsException(info + ": needs 'data' (text), 'validation_split' (number) and 'seed' (integer)");
    }
    Path file = Path.of(json.get("data").asText());
    double fraction = json.get("validation_split").asDouble();
    long seed = json.get("seed").asLong();
    int folds = json.path("folds").asInt(0);
    if (folds > 0 && json.has("members")) {
      throw new DigitsException(info + ": the ensemble's members validated on " + folds
          + " different folds, so every row trained some member; pass --data labeled.csv");
    }
    Dataset all = nonEmpty(DigitCsv.readLabeled(file), file);
    if (folds > 0) {
      int fold = json.path("fold").asInt();
      Dataset held = Split.fold(all, folds, fold, seed).validation();
      return new EvaluationData(held, String.format(Locale.ROOT,
          "fold %d of %d of %s (%,d rows, seed %d, as train held out)", fold, folds, file, held.size(), seed));
    }
    if (fraction == 0) {
      throw new DigitsException(info + ": the model was trained without a validation split; pass --data labeled.csv");
    }
    Dataset validation = Split.of(all, fraction, seed).validation();
    return new EvaluationData(validation, String.format(Locale.ROOT,
        "validation split of %s (%,d rows: validation_split %s, seed %d, as train held out)",
        file, validation.size(), json.get("validation_split").asText(), seed));
  }

  private static Dataset nonEmpty(Dataset rows, Path file) {
    if (rows == null || rows.size() == 0) {
      throw new DigitsException(file + ": no rows to evaluate on");
    }
    return rows;
  }
}
