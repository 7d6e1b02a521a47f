package io.digits.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.digits.DigitsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Everything that defines one training run: which model, trained on which rows of which file, with
 * which knobs, at which precision, into which version. It is the one record of a run: the checkpoint
 * holds it (so that {@code --resume} goes on with the same run), the export holds it as
 * {@code assets.extra/training.json} (so that {@code evaluate} rebuilds the validation split), and
 * it reads and writes itself.
 *
 * @param model the {@code --model} name
 * @param data the labeled CSV, as given
 * @param validationSplit the fraction held out (the split is drawn from {@code config.seed})
 * @param initFrom the Keras file whose weights the run started from, or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingRun(
    String model,
    String data,
    double validationSplit,
    Precision precision,
    long version,
    String initFrom,
    TrainConfig config) {

  /** Its file name under the export's {@code assets.extra/}. */
  public static final String FILE_NAME = "training.json";

  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  public byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("a training run always serializes", e);
    }
  }

  /** Reads {@code file}; every failure is one line naming it. */
  public static TrainingRun read(Path file) {
    try {
      return fromJson(Files.readAllBytes(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new DigitsException(file + ": no such file");
    } catch (IOException e) {
      throw new DigitsException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Parses what {@link #toJson} wrote; {@code where} names the source in errors. */
  public static TrainingRun fromJson(byte[] json, String where) {
    try {
      TrainingRun run = JSON.readValue(json, TrainingRun.class);
      if (run.data() == null || run.config() == null) {
        throw new DigitsException(where + ": not a digits training record (no 'data' or 'config')");
      }
      return run;
    } catch (IOException e) {
      throw new DigitsException(where + ": not a digits training record: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }
}
