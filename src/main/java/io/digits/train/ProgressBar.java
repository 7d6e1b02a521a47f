package io.digits.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Keras-style progress: {@code 1182/1182 ━━━━━━━━━━━━━━━━━━━━ 12s 10ms/step - accuracy: 0.9478 - loss: 0.1692}.
 * On a terminal the line is redrawn in place (at most every 100 ms); otherwise, as Keras does in a
 * log, only the finished line of each epoch is written.
 */
public final class ProgressBar {
  private static final int WIDTH = 20;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final boolean interactive;
  private int steps;
  private long start;
  private long lastDraw;

  public ProgressBar(PrintStream out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
  }

  public void startEpoch(int epoch, int epochs, int steps) {
    this.steps = steps;
    this.start = System.nanoTime();
    this.lastDraw = 0;
    out.println("Epoch " + epoch + "/" + epochs);
  }

  /** After step {@code step} (1-based) with the epoch's running loss and accuracy. */
  public void update(int step, double loss, double accuracy) {
    long now = System.nanoTime();
    if (!interactive || (step < steps && now - lastDraw < REDRAW_NANOS)) {
      return;
    }
    lastDraw = now;
    double elapsed = (now - start) / 1e9;
    double perStep = elapsed / step;
    String time = step < steps
        ? formatSeconds(perStep * (steps - step)) // ETA
        : formatSeconds(elapsed);
    out.print("\r" + line(step, time, perStep) + metrics(accuracy, loss) + "\u001b[K");
    out.flush();
  }

  /** The epoch's final line, with validation figures unless they are NaN (no validation rows). */
  public void endEpoch(double loss, double accuracy, double valLoss, double valAccuracy) {
    double elapsed = (System.nanoTime() - start) / 1e9;
    String text = line(steps, formatSeconds(elapsed), elapsed / steps) + metrics(accuracy, loss)
        + (Double.isNaN(valLoss) ? ""
            : String.format(Locale.ROOT, " - val_accuracy: %.4f - val_loss: %.4f", valAccuracy, valLoss));
    out.print(interactive ? "\r" + text + "\u001b[K\n" : text + "\n");
    out.flush();
  }

  private String line(int step, String time, double perStep) {
    int digits = String.valueOf(steps).length();
    int filled = steps == 0 ? WIDTH : (int) ((long) step * WIDTH / steps);
    String bar = "━".repeat(filled) + (filled < WIDTH ? "\u001b[2m" + "━".repeat(WIDTH - filled) + "\u001b[0m" : "");
    if (!interactive) {
      bar = "━".repeat(WIDTH);
    }
    return String.format(Locale.ROOT, "%" + digits + "d/%d %s %s %s", step, steps, bar, time, formatPerStep(perStep));
  }

  private static String metrics(double accuracy, double loss) {
    return String.format(Locale.ROOT, " - accuracy: %.4f - loss: %.4f", accuracy, loss);
  }

  private static String formatSeconds(double s) {
    return s >= 1 ? Math.round(s) + "s" : Math.round(s * 1000) + "ms";
  }

  private static String formatPerStep(double s) {
    return s >= 1 ? String.format(Locale.ROOT, "%.0fs/step", s)
        : s >= 1e-3 ? Math.round(s * 1e3) + "ms/step" : Math.round(s * 1e6) + "us/step";
  }
}
