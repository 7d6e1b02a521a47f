package io.digits.data;

/**
 * Works out what is wrong with a row the fast parser rejected. Off the hot path, so it may
 * build Strings; it names the first fault in the order a user fixes them: binary content, then
 * column count, then the first bad value.
 */
final class RowDiagnosis {
  private static final int QUOTE_MAX = 20;

  private RowDiagnosis() {}

  static String fault(LineScanner lines, boolean labeled) {
    String text = lines.lineText();
    if (text == null) {
      return "binary data; not a CSV text file";
    }
    String[] fields = text.split(",", -1);
    int expected = labeled ? Dataset.PIXELS + 1 : Dataset.PIXELS;
    if (fields.length != expected) {
      return labeled
          ? "expected " + expected + " values (label + 784 pixels), found " + fields.length
          : "expected " + expected + " values (784 pixels, no label), found " + fields.length;
    }
    for (int k = 0; k < fields.length; k++) {
      boolean isLabel = labeled && k == 0;
      String name = isLabel ? "label" : "pixel" + (labeled ? k - 1 : k);
      String field = fields[k];
      if (field.isEmpty()) {
        return isLabel ? "label is missing" : name + " is empty";
      }
      if (!field.matches("-?[0-9]+")) {
        return name + " is not an integer: " + quote(field, QUOTE_MAX);
      }
      // Any value of more than 4 digits is out of range whatever it is; don't parse it.
      boolean inRange = field.length() <= 4 && Integer.parseInt(field) >= 0
          && Integer.parseInt(field) <= (isLabel ? Dataset.CLASSES - 1 : 255);
      if (!inRange) {
        return name + " " + quote(field, QUOTE_MAX) + " is outside " + (isLabel ? "0-9" : "0-255");
      }
    }
    return "malformed row";
  }

  /** The value in single quotes, cut to max characters so a long field keeps the message on one short line. */
  static String quote(String value, int max) {
    return "'" + (value.length() > max ? value.substring(0, max) + "..." : value) + "'";
  }
}
