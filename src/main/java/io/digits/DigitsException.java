package io.digits;

/**
 * A failure the user can fix: bad input file, bad model folder, bad option value.
 * The CLI prints its message as one line on stderr and exits with code 1, without a stack trace.
 * Messages name the file, the line where there is one, and what is wrong.
 */
public class DigitsException extends RuntimeException {
  public DigitsException(String message) {
    super(message);
  }

  public DigitsException(String message, Throwable cause) {
    super(message, cause);
  }
}
