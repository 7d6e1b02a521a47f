package io.digits.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/** The confusion matrix as a heat map with the count in each cell, true label 0 on the top row, as sklearn draws it. */
public final class ConfusionHeatMap {
  static final int WIDTH = 640;
  static final int HEIGHT = 600;

  private ConfusionHeatMap() {}

  public static byte[] png(ConfusionMatrix m) {
    Png.headless();
    int classes = m.classes();
    HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title("Confusion matrix")
        .xAxisTitle("predicted label").yAxisTitle("true label").build();
    chart.getStyler()
        .setShowValue(true)
        .setHeatMapValueDecimalPattern("0")
        .setRangeColors(new Color[] {Color.WHITE, new Color(0x6baed6), new Color(0x08306b)})
        .setChartBackgroundColor(Color.WHITE)
        .setPlotBackgroundColor(Color.WHITE)
        .setLegendVisible(true);
    // XChart thins out axis labels by default; every class gets one.
    chart.getStyler().setXAxisTickMarkSpacingHint(20);
    chart.getStyler().setYAxisTickMarkSpacingHint(20);
    List<Integer> predicted = IntStream.range(0, classes).boxed().toList();
    // The y axis grows upwards: list the true labels from the last to the first so that 0 is on top.
    List<Integer> trueLabels = IntStream.range(0, classes).map(k -> classes - 1 - k).boxed().toList();
    List<Number[]> cells = new ArrayList<>();
    for (int t = 0; t < classes; t++) {
      for (int p = 0; p < classes; p++) {
        cells.add(new Number[] {p, classes - 1 - t, m.count(t, p)});
      }
    }
    chart.addSeries("count", predicted, trueLabels, cells);
    return Png.of(List.of(chart), 1, 1);
  }
}
