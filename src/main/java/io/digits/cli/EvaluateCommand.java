package io.digits.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.digits.AtomicFile;
import io.digits.DigitsException;
import io.digits.data.Dataset;
import io.digits.export.SavedModelExporter;
import io.digits.report.ConfusionHeatMap;
import io.digits.report.DigitGrid;
import io.digits.report.Evaluation;
import io.digits.report.Mistake;
import io.digits.report.TrainingCurves;
import io.digits.scoring.Predictor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code digits evaluate}: Keras's {@code model.evaluate} (loss, accuracy) with scikit-learn's
 * classification report and confusion matrix, for our exports and Keras SavedModels alike; with
 * {@code --report-dir}, the pictures too.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Loss, accuracy, per-class precision/recall/F1 and the confusion matrix of a model on labeled rows.")
final class EvaluateCommand implements Callable<Integer> {
  private static final int MISTAKE_COLUMNS = 10;

  @Mixin
  ModelOptions model;

  @Option(names = "--data",
      description = "Labeled CSV, evaluated whole. Default: the validation split that train held out, as recorded beside the model.")
  Path data;

  @Option(names = "--report-dir",
      description = "Write confusion_matrix.png, mistakes.png and (for models from train) curves.png here.")
  Path reportDir;

  @Option(names = "--mistakes", defaultValue = "30", description = "Wrong predictions shown in mistakes.png, most confident first (default: ${DEFAULT-VALUE}).")
  int mistakes;

  @Option(names = "--json", description = "Print JSON instead of text.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (mistakes < 0) {
      throw new DigitsException("need --mistakes >= 0");
    }
    Path dir = model.resolve();
    EvaluationData rows = EvaluationData.of(dir, data);
    float[][] probabilities;
    String described;
    try (Predictor predictor = model.open()) {
      probabilities = predictor.predict(rows.rows());
      described = dir + " (" + predictor.description() + ")";
    }
    int[] labels = rows.rows().labels();
    Evaluation evaluation = Evaluation.of(labels, probabilities);
    Map<String, Evaluation> members = MemberEvaluations.of(dir, rows.rows());
    List<Path> pictures = reportDir == null ? List.of()
        : writePictures(dir, evaluation, rows.rows(), Mistake.worst(labels, probabilities, mistakes));

    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", dir.toString());
      out.put("data", rows.description());
      out.put("rows", rows.rows().size());
      out.put("loss", evaluation.loss());
      out.put("accuracy", evaluation.accuracy());
      out.put("classes", evaluation.report().classes());
      out.put("macro_avg", evaluation.report().macroAvg());
      out.put("weighted_avg", evaluation.report().weightedAvg());
      out.put("confusion_matrix", evaluation.confusion().counts());
      if (!members.isEmpty()) {
        List<Map<String, Object>> each = new ArrayList<>();
        members.forEach((key, e) -> each.add(Map.of("signature", key, "loss", e.loss(), "accuracy", e.accuracy())));
        out.put("members", each);
      }
      out.put("pictures", pictures.stream().map(Path::toString).toList());
      System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    } else {
      System.out.println("Model: " + described);
      System.out.println("Data:  " + rows.description());
      System.out.println();
      System.out.print(members.isEmpty() ? "" : membersText(members, evaluation));
      System.out.print(evaluation.text());
      pictures.forEach(p -> System.out.println("Wrote " + p));
    }
    return 0;
  }

  /** One line per member of an ensemble export, then the ensemble's (whose full report follows). */
  private static String membersText(Map<String, Evaluation> members, Evaluation ensemble) {
    StringBuilder s = new StringBuilder("Members (each on its own; the ensemble averages their probabilities):\n");
    members.forEach((key, e) -> s.append(String.format(Locale.ROOT, "  %-10s loss: %.4f - accuracy: %.4f%n",
        key, e.loss(), e.accuracy())));
    s.append(String.format(Locale.ROOT, "  %-10s loss: %.4f - accuracy: %.4f%n%n", "ensemble", ensemble.loss(),
        ensemble.accuracy()));
    return s.toString();
  }

  /** Draws every picture first, then writes them, so that a failing one leaves none behind. */
  private List<Path> writePictures(Path dir, Evaluation evaluation, Dataset rows, List<Mistake> worst) {
    Map<String, byte[]> pictures = new LinkedHashMap<>();
    pictures.put("confusion_matrix.png", ConfusionHeatMap.png(evaluation.confusion()));
    Dataset images = rows.subset(worst.stream().mapToInt(Mistake::row).toArray());
    String heading = worst.isEmpty() ? "No mistakes" : "The " + worst.size() + " most confident mistakes";
    pictures.put("mistakes.png",
        DigitGrid.png(heading, images, worst.stream().map(Mistake::title).toList(), MISTAKE_COLUMNS));
    Path history = dir.resolve(SavedModelExporter.EXTRAS).resolve("history.json");
    if (Files.isRegularFile(history)) {
      pictures.put("curves.png", TrainingCurves.png(history));
    }
    List<Path> written = new ArrayList<>();
    pictures.forEach((name, png) -> {
      Path target = reportDir.resolve(name);
      AtomicFile.write(target, png);
      written.add(target);
    });
    return written;
  }
}
