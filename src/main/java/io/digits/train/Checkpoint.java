package io.digits.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.digits.AtomicFile;
import io.digits.DigitsException;
import io.digits.model.Weights;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ndarray.Shape;

/**
 * A training run and where it stood after a whole epoch: everything {@code train --resume} needs to
 * go on as if never stopped. One file, written atomically, so an interruption while saving leaves
 * the previous checkpoint intact.
 *
 * <p>Layout: a magic line, a JSON header (the run, epochs and steps done, history, array names and
 * shapes), then the arrays as little-endian float32.
 */
public record Checkpoint(TrainingRun run, TrainingState state) {

  private static final byte[] MAGIC = "DIGITS-CHECKPOINT-1\n".getBytes(StandardCharsets.US_ASCII);
  /** NaN stands for absent validation figures; JSON has no NaN, so allow Jackson's extension. */
  private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  public void save(Path file) {
    ObjectNode header = JSON.createObjectNode();
    header.set("run", JSON.valueToTree(run));
    header.put("epochs_done", state.epochsDone());
    header.put("steps_taken", state.stepsTaken());
    header.set("history", JSON.valueToTree(state.history().epochs()));
    header.set("weights", shapes(state.weights()));
    header.set("optimizer", shapes(state.optimizerState()));
    try {
      byte[] head = JSON.writeValueAsBytes(header);
      long floats = state.weights().count() + state.optimizerState().count();
      ByteBuffer body = ByteBuffer.allocate(Math.toIntExact(MAGIC.length + 4 + head.length + 4 * floats))
          .order(ByteOrder.LITTLE_ENDIAN);
      body.put(MAGIC).putInt(head.length).put(head);
      for (Weights w : List.of(state.weights(), state.optimizerState())) {
        for (Weights.Value v : w.values()) {
          body.asFloatBuffer().put(v.data());
          body.position(body.position() + 4 * v.data().length);
        }
      }
      AtomicFile.write(file, body.array());
    } catch (IOException e) {
      throw new DigitsException(file + ": cannot write the checkpoint: " + e.getMessage(), e);
    }
  }

  public static Checkpoint load(Path file) {
    try {
      ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
      byte[] magic = new byte[MAGIC.length];
      if (in.remaining() < MAGIC.length + 4 || !java.util.Arrays.equals(magicOf(in, magic), MAGIC)) {
        throw new DigitsException(file + ": not a digits checkpoint");
      }
      byte[] head = new byte[in.getInt()];
      in.get(head);
      JsonNode header = JSON.readTree(head);
      History history = new History();
      for (JsonNode e : header.get("history")) {
        history.add(JSON.treeToValue(e, History.Epoch.class));
      }
      TrainingRun run = JSON.treeToValue(header.get("run"), TrainingRun.class);
      Weights weights = arrays(header.get("weights"), in);
      Weights optimizer = arrays(header.get("optimizer"), in);
      return new Checkpoint(run, new TrainingState(header.get("epochs_done").asInt(),
          header.get("steps_taken").asLong(), history, weights, optimizer));
    } catch (NoSuchFileException e) {
      throw new DigitsException(file + ": no checkpoint to resume from (train without --resume to start anew)");
    } catch (IOException | RuntimeException e) {
      if (e instanceof DigitsException d) {
        throw d;
      }
      throw new DigitsException(file + ": damaged checkpoint (" + e.getMessage() + ")", e);
    }
  }

  private static byte[] magicOf(ByteBuffer in, byte[] into) {
    in.get(into);
    return into;
  }

  private static ArrayNode shapes(Weights w) {
    ArrayNode list = JSON.createArrayNode();
    for (Weights.Value v : w.values()) {
      ObjectNode n = list.addObject();
      n.put("name", v.name());
      ArrayNode dims = n.putArray("shape");
      for (long d : v.shape().asArray()) {
        dims.add(d);
      }
    }
    return list;
  }

  private static Weights arrays(JsonNode list, ByteBuffer in) {
    List<Weights.Value> values = new ArrayList<>();
    for (JsonNode n : list) {
      long[] dims = new long[n.get("shape").size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = n.get("shape").get(i).asLong();
      }
      Shape shape = Shape.of(dims);
      float[] data = new float[Math.toIntExact(shape.size())];
      in.asFloatBuffer().get(data);
      in.position(in.position() + 4 * data.length);
      values.add(new Weights.Value(n.get("name").asText(), shape, data));
    }
    return new Weights(values);
  }
}
