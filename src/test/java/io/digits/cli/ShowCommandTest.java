package io.digits.cli;

import io.digits.testing.CliRunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.testing.SyntheticDigits;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShowCommandTest {
  private static final int SIDE = 28 * 4;

  @Test
  void drawsTheFirstRowsTimesColumnsDigits(@TempDir Path dir) throws IOException {
    Path csv = CliRunner.writeCsv(dir.resolve("train.csv"), SyntheticDigits.labeled(30, 2));
    Path png = dir.resolve("out/samples.png");
    CliRunner.Run run = CliRunner.digits("show", "--data", csv.toString(), "--rows", "2", "--columns", "5", "--output", png.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("(10 digits)"), run.out());
    BufferedImage image = ImageIO.read(png.toFile());
    assertTrue(image.getWidth() >= 5 * SIDE && image.getWidth() < 6 * SIDE, "5 columns: " + image.getWidth());
    assertTrue(image.getHeight() >= 2 * SIDE && image.getHeight() < 3 * SIDE, "2 rows: " + image.getHeight());
  }

  @Test
  void anUnlabeledFileFewerRowsThanAskedFor(@TempDir Path dir) throws IOException {
    Path csv = CliRunner.writeCsv(dir.resolve("test.csv"), SyntheticDigits.formula(3));
    Path png = dir.resolve("samples.png");
    CliRunner.Run run = CliRunner.digits("show", "--data", csv.toString(), "--rows", "4", "--output", png.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.out().contains("(3 digits)"), run.out());
    BufferedImage image = ImageIO.read(png.toFile());
    assertTrue(image.getHeight() < 2 * SIDE, "one row of 3: " + image.getHeight());
  }

  @Test
  void badOptionsAndBadFilesFailWithoutWriting(@TempDir Path dir) {
    Path png = dir.resolve("samples.png");
    assertEquals(1, CliRunner.digits("show", "--data", dir.resolve("missing.csv").toString(), "--output", png.toString()).code());
    CliRunner.Run zero = CliRunner.digits("show", "--data", "x.csv", "--rows", "0", "--output", png.toString());
    assertEquals(1, zero.code());
    assertTrue(zero.err().contains("--rows >= 1"), zero.err());
    assertFalse(Files.exists(png));
  }
}
