package io.digits;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A text output that appears all at once or not at all: written to a hidden temporary file in the
 * same folder, renamed over the target on {@link #commit}, deleted on {@link #close} otherwise.
 */
public final class AtomicFile implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private final BufferedWriter writer;
  private boolean committed;

  public AtomicFile(Path target) {
    this.target = target;
    Path dir = target.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      this.temp = tempFile(dir, target);
      this.writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DigitsException(target + ": cannot write: " + e.getMessage(), e);
    }
  }

  public Writer writer() {
    return writer;
  }

  /** Flushes, syncs and renames the temporary file onto the target. */
  public void commit() {
    try {
      writer.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      committed = true;
    } catch (IOException e) {
      throw new DigitsException(target + ": cannot write: " + e.getMessage(), e);
    }
  }

  /** Writes {@code bytes} to {@code target} atomically. */
  public static void write(Path target, byte[] bytes) {
    write(target, temp -> Files.write(temp, bytes));
  }

  /** Fills a temporary file (for writers that take a path, not a stream). */
  public interface Contents {
    void writeTo(Path temp) throws IOException;
  }

  /** Writes {@code target} atomically: {@code contents} fills a temporary file beside it, which is then renamed onto it. */
  public static void write(Path target, Contents contents) {
    Path dir = target.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path temp = tempFile(dir, target);
      try {
        contents.writeTo(temp);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new DigitsException(target + ": cannot write: " + e.getMessage(), e);
    }
  }

  /** A hidden temporary file beside the target, readable by all as outputs normally are (umask applies). */
  private static Path tempFile(Path dir, Path target) throws IOException {
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its default permissions apply
    }
    return temp;
  }

  @Override
  public void close() {
    if (!committed) {
      try {
        writer.close();
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // the temporary file is hidden and named as such; nothing else to undo
      }
    }
  }
}
