package io.digits.model;

/** Keras padding modes and the output size each gives. */
public enum Padding {
  SAME,
  VALID;

  public String tf() {
    return name();
  }

  public String keras() {
    return name().toLowerCase();
  }

  public long outputSize(long input, int window, int stride) {
    return this == SAME ? (input + stride - 1) / stride : (input - window) / stride + 1;
  }
}
