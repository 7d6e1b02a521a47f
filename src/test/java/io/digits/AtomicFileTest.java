package io.digits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs appear whole or not at all, and no temporary file stays behind. That each step is synced
 * to disk (the file before the rename, the folder after) cannot be observed from a test short of
 * cutting the power (seen once with {@code strace -e fsync,rename}: fsync of the temporary file,
 * rename, fsync of the folder); these tests check everything around it.
 */
class AtomicFileTest {

  /** Several buffers' worth of text with a multi-byte character, so flushing and encoding both show. */
  private static String bigText() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 200_000; i++) {
      b.append(i).append(",é\n");
    }
    return b.toString();
  }

  private static List<Path> files(Path dir) throws IOException {
    try (var list = Files.list(dir)) {
      return list.sorted().toList();
    }
  }

  @Test
  void commitWritesTheWholeTextAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("out/submission.csv");
    String text = bigText();
    try (AtomicFile file = new AtomicFile(target)) {
      file.writer().write(text);
      assertFalse(Files.exists(target), "nothing under the target's name before commit");
      file.commit();
    }
    assertEquals(text, Files.readString(target, StandardCharsets.UTF_8));
    assertEquals(List.of(target), files(target.getParent()));
  }

  @Test
  void theOldFileStaysUntilCommitAndWithoutOne(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("submission.csv");
    Files.writeString(target, "old\n");
    try (AtomicFile file = new AtomicFile(target)) {
      file.writer().write(bigText());
      file.writer().flush();
      assertEquals("old\n", Files.readString(target), "a reader sees the old file while the new one is written");
    } // closed without commit: a failed run
    assertEquals("old\n", Files.readString(target));
    assertEquals(List.of(target), files(dir), "the temporary file is deleted");

    try (AtomicFile file = new AtomicFile(target)) {
      file.writer().write("new\n");
      file.commit();
    }
    assertEquals("new\n", Files.readString(target));
    assertEquals(List.of(target), files(dir));
  }

  @Test
  void writeReplacesBytesWhole(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("grid.png");
    Files.writeString(target, "old");
    byte[] bytes = bigText().getBytes(StandardCharsets.UTF_8);
    AtomicFile.write(target, bytes);
    assertArrayEquals(bytes, Files.readAllBytes(target));
    assertEquals(List.of(target), files(dir));
  }

  @Test
  void anUnwritablePlaceIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
    Path notAFolder = Files.writeString(dir.resolve("file"), "x");
    Path target = notAFolder.resolve("out.csv");
    DigitsException e = assertThrows(DigitsException.class, () -> AtomicFile.write(target, new byte[] {1}));
    assertTrue(e.getMessage().startsWith(target + ": cannot write"), e.getMessage());
    assertThrows(DigitsException.class, () -> new AtomicFile(target).close());
    assertEquals(List.of(notAFolder), files(dir));
  }
}
