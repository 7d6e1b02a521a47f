package io.digits.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.DigitsException;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The notebook's learning curves: loss and accuracy per epoch, training and validation, side by
 * side, from a history in Keras's {@code History.history} layout ({@code loss}, {@code accuracy},
 * {@code val_loss}, {@code val_accuracy}: one number per epoch), as {@code train} writes it.
 */
public final class TrainingCurves {
  static final int CHART_WIDTH = 520;
  static final int CHART_HEIGHT = 380;

  private TrainingCurves() {}

  /** The picture of a {@code history.json} file. */
  public static byte[] png(Path historyJson) {
    Map<?, ?> history;
    try {
      history = new ObjectMapper().readValue(historyJson.toFile(), Map.class);
    } catch (IOException e) {
      throw new DigitsException(historyJson + ": not a JSON history: " + e.getMessage(), e);
    }
    try {
      return png(history);
    } catch (DigitsException e) {
      throw new DigitsException(historyJson + ": " + e.getMessage(), e);
    }
  }

  /** Two charts, loss and accuracy, {@code 2*CHART_WIDTH} x {@code CHART_HEIGHT} pixels. */
  public static byte[] png(Map<?, ?> history) {
    Png.headless();
    return Png.of(List.of(chart("Loss", "loss", history, Styler.LegendPosition.InsideNE),
        chart("Accuracy", "accuracy", history, Styler.LegendPosition.InsideSE)), 1, 2);
  }

  /** Training and validation values of {@code metric}; the legend goes where the curves are not (they fall, or rise). */
  private static XYChart chart(String title, String metric, Map<?, ?> history, Styler.LegendPosition legend) {
    double[] train = series(history, metric);
    if (train == null) {
      throw new DigitsException("history has no '" + metric + "' list of numbers");
    }
    XYChart chart = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT).title(title)
        .xAxisTitle("epoch").yAxisTitle(metric).build();
    XYStyler style = chart.getStyler();
    style.setLegendPosition(legend);
    style.setChartBackgroundColor(Color.WHITE);
    style.setXAxisDecimalPattern("0");
    style.setYAxisDecimalPattern("0.000");
    add(chart, "training", train, SeriesMarkers.CIRCLE);
    double[] validation = series(history, "val_" + metric);
    if (validation != null) {
      add(chart, "validation", validation, SeriesMarkers.DIAMOND);
    }
    return chart;
  }

  private static void add(XYChart chart, String name, double[] values, Marker marker) {
    double[] epochs = IntStream.rangeClosed(1, values.length).asDoubleStream().toArray();
    chart.addSeries(name, epochs, values).setMarker(marker);
  }

  /** The list under {@code key} as doubles, or null if absent, empty or not all numbers. */
  private static double[] series(Map<?, ?> history, String key) {
    if (!(history.get(key) instanceof List<?> list) || list.isEmpty()
        || !list.stream().allMatch(v -> v instanceof Number)) {
      return null;
    }
    return list.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
  }
}
