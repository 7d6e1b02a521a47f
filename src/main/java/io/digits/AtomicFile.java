package io.digits;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A text output that appears all at once or not at all: written to a hidden temporary file in the
 * same folder, synced to disk, renamed over the target on {@link #commit} (and the folder synced, so
 * that the rename itself survives a crash), deleted on {@link #close} otherwise.
 */
public final class AtomicFile implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final BufferedWriter writer;
  private boolean committed;

  public AtomicFile(Path target) {
    this.target = target;
    try {
      this.temp = tempFile(target);
      this.channel = FileChannel.open(temp, StandardOpenOption.WRITE);
      this.writer = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8));
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
      writer.flush();
      install(channel, temp, target);
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

  /** Writes {@code target} atomically: {@code contents} fills a temporary file beside it, which is then installed. */
  public static void write(Path target, Contents contents) {
    try {
      Path temp = tempFile(target);
      try {
        contents.writeTo(temp);
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
          install(channel, temp, target);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new DigitsException(target + ": cannot write: " + e.getMessage(), e);
    }
  }

  /**
   * Syncs the written temporary file, closes it and renames it onto the target, then syncs the
   * folder: without the first sync a crash can leave the new name on empty or partial content,
   * without the second the old file can come back.
   */
  private static void install(FileChannel channel, Path temp, Path target) throws IOException {
    channel.force(true);
    channel.close();
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(temp.getParent(), StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a folder; the rename has happened either way.
    }
  }

  /** A hidden temporary file beside the target, readable by all as outputs normally are (umask applies). */
  private static Path tempFile(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
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
