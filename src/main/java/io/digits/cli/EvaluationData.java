package io.digits.cli;

import io.digits.DigitsException;
import io.digits.data.DigitCsv;
import io.digits.data.Dataset;
import io.digits.data.Split;
import io.digits.export.SavedModelExporter;
import io.digits.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private static Dataset nonEmpty(Dataset rows, Path file) {
    if (rows == null || rows.size() == 0) {
      throw new DigitsException(file + ": no rows to evaluate on");
    }
    return rows;
  }
}
