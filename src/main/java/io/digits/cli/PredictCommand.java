package io.digits.cli;

import io.digits.scoring.Scores;
import io.digits.AtomicFile;
import io.digits.DigitsException;
import io.digits.data.BatchReader;
import io.digits.data.DigitCsv;
import io.digits.data.Dataset;
import io.digits.scoring.Predictor;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code digits predict}: scores a CSV into a Kaggle submission. Streams the input in batches, so
 * memory stays bounded whatever the file size; outputs appear only when complete.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Score a CSV of images like test.csv into ImageId,Label (a labeled file only with --ignore-labels).")
final class PredictCommand implements Callable<Integer> {

  @Mixin
  ModelOptions model;

  @Option(names = "--input", defaultValue = "data/test.csv", description = "CSV to score (default: ${DEFAULT-VALUE}).")
  Path input;

  @Option(names = "--output", defaultValue = "submission.csv", description = "Submission file (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--probabilities", description = "Also write ImageId,p0..p9 with every class probability.")
  Path probabilities;

  @Option(names = "--batch-size", defaultValue = "1000", description = "Rows scored per call (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--limit", description = "Score only the first N rows.")
  Long limit;

  @Option(names = "--ignore-labels",
      description = "Score a labeled file like train.csv, ignoring its labels (evaluate scores against them).")
  boolean ignoreLabels;

  @Override
  public Integer call() throws IOException {
    if (batchSize < 1 || (limit != null && limit < 1)) {
      throw new DigitsException("need --batch-size >= 1 and --limit >= 1");
    }
    long started = System.nanoTime();
    long rows = 0;
    try (BatchReader reader = openInput();
        Predictor predictor = model.open();
        AtomicFile submission = new AtomicFile(output);
        AtomicFile probs = probabilities == null ? null : new AtomicFile(probabilities)) {
      Writer out = submission.writer();
      out.write("ImageId,Label\n");
      if (probs != null) {
        probs.writer().write("ImageId,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9\n");
      }
      long max = limit == null ? Long.MAX_VALUE : limit;
      Dataset batch;
      while (rows < max && (batch = reader.next((int) Math.min(batchSize, max - rows))) != null) {
        float[][] scores = predictor.predict(batch);
        StringBuilder labels = new StringBuilder();
        StringBuilder detail = new StringBuilder();
        for (float[] row : scores) {
          rows++;
          labels.append(rows).append(',').append(Scores.argMax(row)).append('\n');
          if (probs != null) {
            detail.append(rows);
            for (float p : row) {
              detail.append(',').append(p);
            }
            detail.append('\n');
          }
        }
        out.write(labels.toString());
        if (probs != null) {
          probs.writer().write(detail.toString());
        }
      }
      if (rows == 0) {
        throw new DigitsException(input + ": no rows to score");
      }
      submission.commit();
      if (probs != null) {
        probs.commit();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(Locale.ROOT, "Wrote %s: %,d rows in %.1f s (%s)%n", output, rows, seconds, predictor.description());
    }
    return 0;
  }

  /** The input, checked to be what predict expects: a labeled file is most likely a mix-up. */
  private BatchReader openInput() {
    BatchReader reader = DigitCsv.open(input);
    if (reader.labeled() && !ignoreLabels) {
      reader.close();
      throw new DigitsException(input + ":1: has a label column, this looks like train.csv; predict scores files"
          + " like test.csv (use evaluate for labeled data, or --ignore-labels)");
    }
    return reader;
  }
}
