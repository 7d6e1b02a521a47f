package io.digits.report;

import io.digits.data.Dataset;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Digits drawn as the notebook's {@code imshow(cmap='gray')} grid: each 28x28 image in grayscale
 * (0 black, 255 white), scaled up so that it reads at a glance, with a caption under it and a
 * heading over the grid. An image grid, not a chart: drawn directly into a BufferedImage.
 */
public final class DigitGrid {
  static final int SCALE = 4;
  static final int PAD = 10;
  private static final Font CAPTION = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font HEADING = new Font(Font.SANS_SERIF, Font.BOLD, 16);

  private DigitGrid() {}

  /**
   * @param images the digits, drawn left to right, top to bottom
   * @param captions one caption per image
   * @param columns images per row
   */
  public static byte[] png(String heading, Dataset images, List<String> captions, int columns) {
    if (captions.size() != images.size() || columns < 1) {
      throw new IllegalArgumentException(captions.size() + " captions for " + images.size() + " images in "
          + columns + " columns");
    }
    Png.headless();
    Layout layout = Layout.of(heading, captions, images.size(), columns);
    BufferedImage picture = new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = picture.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, layout.width(), layout.height());
      g.setColor(Color.BLACK);
      g.setFont(HEADING);
      g.drawString(heading, PAD, PAD + g.getFontMetrics().getAscent());
      g.setFont(CAPTION);
      for (int i = 0; i < images.size(); i++) {
        int x = PAD + (i % columns) * layout.cellWidth();
        int y = layout.top() + (i / columns) * layout.cellHeight();
        drawDigit(picture, images.pixels(), i, x + (layout.cellWidth() - PAD - Layout.SIDE) / 2, y);
        FontMetrics fm = g.getFontMetrics();
        String caption = captions.get(i);
        g.drawString(caption, x + (layout.cellWidth() - PAD - fm.stringWidth(caption)) / 2,
            y + Layout.SIDE + fm.getAscent() + 2);
      }
    } finally {
      g.dispose();
    }
    return Png.of(picture);
  }

  private static void drawDigit(BufferedImage picture, byte[] pixels, int image, int left, int top) {
    for (int p = 0; p < Dataset.PIXELS; p++) {
      int v = pixels[image * Dataset.PIXELS + p] & 0xff;
      int rgb = (v << 16) | (v << 8) | v;
      int x0 = left + (p % Dataset.WIDTH) * SCALE;
      int y0 = top + (p / Dataset.WIDTH) * SCALE;
      for (int dy = 0; dy < SCALE; dy++) {
        for (int dx = 0; dx < SCALE; dx++) {
          picture.setRGB(x0 + dx, y0 + dy, rgb);
        }
      }
    }
  }

  /** Sizes in pixels: a cell is a scaled digit plus its caption, wide enough for the longest caption. */
  record Layout(int width, int height, int top, int cellWidth, int cellHeight) {
    static final int SIDE = Dataset.WIDTH * SCALE;

    static Layout of(String heading, List<String> captions, int count, int columns) {
      BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = scratch.createGraphics();
      try {
        FontMetrics caption = g.getFontMetrics(CAPTION);
        FontMetrics head = g.getFontMetrics(HEADING);
        int widest = captions.stream().mapToInt(caption::stringWidth).max().orElse(0);
        int cellWidth = Math.max(SIDE, widest) + PAD;
        int cellHeight = SIDE + caption.getHeight() + PAD;
        int top = PAD + head.getHeight() + PAD;
        int rows = (count + columns - 1) / columns;
        int width = Math.max(PAD + Math.min(count, columns) * cellWidth, 2 * PAD + head.stringWidth(heading));
        return new Layout(width, top + Math.max(rows, 1) * cellHeight, top, cellWidth, cellHeight);
      } finally {
        g.dispose();
      }
    }
  }
}
