package io.digits.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.DigitsException;
import io.digits.data.Dataset;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Each picture decodes as a PNG of the expected size, with real content (not one flat colour). */
class PicturesTest {

  /** Decodes a PNG, failing the test if the bytes are not one. */
  static BufferedImage decode(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    assertTrue(image != null, "not a decodable image");
    return image;
  }

  static Set<Integer> colours(BufferedImage image) {
    Set<Integer> seen = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        seen.add(image.getRGB(x, y) & 0xffffff);
      }
    }
    return seen;
  }

  static long count(BufferedImage image, int rgb) {
    long n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        n += (image.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
      }
    }
    return n;
  }

  /** Not blank: many colours (text, lines, fills), and at least 2 % of pixels off the white background. */
  static void assertNotBlank(BufferedImage image) {
    assertTrue(colours(image).size() >= 10, "only " + colours(image).size() + " colours");
    long total = (long) image.getWidth() * image.getHeight();
    assertTrue(total - count(image, 0xffffff) > total / 50, "almost all white");
  }

  @Test
  void trainingCurvesAreTwoChartsSideBySide() throws IOException {
    Map<String, List<Double>> history = Map.of(
        "loss", List.of(0.9, 0.4, 0.2), "accuracy", List.of(0.7, 0.88, 0.95),
        "val_loss", List.of(0.5, 0.35, 0.3), "val_accuracy", List.of(0.85, 0.9, 0.91));
    BufferedImage image = decode(TrainingCurves.png(history));
    assertEquals(2 * TrainingCurves.CHART_WIDTH, image.getWidth());
    assertEquals(TrainingCurves.CHART_HEIGHT, image.getHeight());
    assertNotBlank(image);
  }

  @Test
  void trainingCurvesWithoutValidationOrWithOneEpochStillDraw() throws IOException {
    assertNotBlank(decode(TrainingCurves.png(Map.of("loss", List.of(0.5), "accuracy", List.of(0.8)))));
  }

  @Test
  void aHistoryWithoutLossIsAnError() {
    DigitsException e = assertThrows(DigitsException.class,
        () -> TrainingCurves.png(Map.of("accuracy", List.of(0.8))));
    assertTrue(e.getMessage().contains("'loss'"), e.getMessage());
  }

  @Test
  void confusionHeatMap() throws IOException {
    ConfusionMatrix m = ConfusionMatrix.of(new int[] {0, 1, 2, 2, 9}, new int[] {0, 1, 2, 1, 9}, 10);
    BufferedImage image = decode(ConfusionHeatMap.png(m));
    assertEquals(ConfusionHeatMap.WIDTH, image.getWidth());
    assertEquals(ConfusionHeatMap.HEIGHT, image.getHeight());
    assertNotBlank(image);
  }

  @Test
  void digitGridDrawsEachDigitScaledUpInItsOwnGray() throws IOException {
    int[] grays = {40, 90, 140, 190, 240};
    byte[] pixels = new byte[grays.length * Dataset.PIXELS];
    for (int i = 0; i < grays.length; i++) {
      Arrays.fill(pixels, i * Dataset.PIXELS, (i + 1) * Dataset.PIXELS, (byte) grays[i]);
    }
    List<String> captions = List.of("true 1 / pred 7 (0.93)", "b", "c", "d", "e");
    BufferedImage image = decode(DigitGrid.png("Five flat digits", new Dataset(pixels, null), captions, 3));

    int side = Dataset.WIDTH * DigitGrid.SCALE;
    assertTrue(image.getWidth() >= 3 * side && image.getWidth() < 3 * (side + 100), "3 columns: " + image.getWidth());
    assertTrue(image.getHeight() >= 2 * side + 40 && image.getHeight() < 2 * (side + 60) + 60, "2 rows: " + image.getHeight());
    for (int g : grays) {
      long n = count(image, g << 16 | g << 8 | g);
      // side*side pixels of the digit, plus perhaps a few from anti-aliased text of the same gray
      assertTrue(n >= (long) side * side && n < (long) side * side + 300, "gray " + g + ": " + n + " pixels");
    }
    assertNotBlank(image);
  }
}
