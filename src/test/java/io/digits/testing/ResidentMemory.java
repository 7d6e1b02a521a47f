package io.digits.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory, from the kernel (Linux): what native leaks grow. */
public final class ResidentMemory {
  private ResidentMemory() {}

  /** VmRSS in KiB. */
  public static long kib() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(line -> line.startsWith("VmRSS:"))
          .map(line -> Long.parseLong(line.replaceAll("\\D", "")))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no VmRSS in /proc/self/status"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
