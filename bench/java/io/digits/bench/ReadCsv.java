package io.digits.bench;

import io.digits.data.Dataset;
import io.digits.data.DigitCsv;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.types.TFloat32;

/**
 * Row 1: train.csv into the tensors training feeds on (images /255 as [n,28,28,1], one-hot labels),
 * as pandas.read_csv + /255 + reshape + to_categorical does on the Python side. One untimed run
 * warms the page cache and the JIT; then the median of {@code runs}.
 *
 * <p>Usage: ReadCsv TRAIN_CSV RUNS
 */
public final class ReadCsv {
  public static void main(String[] args) {
    Path csv = Path.of(args[0]);
    int runs = Integer.parseInt(args[1]);
    readIntoTensors(csv);
    double[] seconds = new double[runs];
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      readIntoTensors(csv);
      seconds[i] = Report.seconds(start);
    }
    Report.print(Map.of("median_s", Report.median(seconds), "runs_s", seconds));
  }

  private static void readIntoTensors(Path csv) {
    Dataset data = DigitCsv.readLabeled(csv);
    try (TFloat32 images = data.images(0, data.size());
        TFloat32 oneHot = data.oneHot(0, data.size())) {
      if (images.shape().get(0) != oneHot.shape().get(0)) {
        throw new IllegalStateException("images and labels disagree");
      }
    }
  }
}
