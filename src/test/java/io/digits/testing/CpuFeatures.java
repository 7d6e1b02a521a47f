package io.digits.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the test machine's CPU can do, where a test's expectation depends on it. */
public final class CpuFeatures {
  private CpuFeatures() {}

  /** AVX512_BF16 or AMX: TF's oneDNN bfloat16 rewrite runs here (elsewhere it leaves float32 graphs alone). */
  public static boolean hasBfloat16() {
    try {
      String flags = Files.readString(Path.of("/proc/cpuinfo"));
      return flags.contains(" avx512_bf16") || flags.contains(" amx_bf16");
    } catch (IOException e) {
      return false;
    }
  }
}
