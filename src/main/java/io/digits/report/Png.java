package io.digits.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.IChart;

/** PNG bytes of charts and images, drawn in memory; the callers write them with AtomicFile. */
final class Png {
  private Png() {}

  /**
   * Pictures are drawn into memory images only: headless AWT needs no display, and on a desktop
   * it keeps a command-line run from starting a GUI toolkit (and a Dock icon on macOS).
   */
  static void headless() {
    System.setProperty("java.awt.headless", "true");
  }

  /** The charts laid out on a grid of {@code rows} x {@code columns}, in one PNG. */
  static byte[] of(List<? extends IChart> charts, int rows, int columns) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      BitmapEncoder.saveBitmap(charts, rows, columns, out, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  static byte[] of(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
