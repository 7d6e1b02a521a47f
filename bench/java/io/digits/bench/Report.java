package io.digits.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.Map;

/** Bench programs answer bench/run.py with one JSON object per line on stdout; logs go to stderr. */
final class Report {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Report() {}

  static void print(Map<String, ?> fields) {
    try {
      System.out.println(JSON.writeValueAsString(fields));
      System.out.flush();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
