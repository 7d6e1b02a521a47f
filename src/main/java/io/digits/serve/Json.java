package io.digits.serve;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The JSON dialect of TF Serving's REST API: standard JSON plus the NaN, Infinity and -Infinity
 * tokens, read and written bare ("JSON conformance" in TF Serving's api_rest.md).
 */
final class Json {
  static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      // Jackson's bundled FastDoubleParser: the same correctly rounded doubles as Double.parseDouble, in a
      // fraction of the time (a request is 784 of them).
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}
}
