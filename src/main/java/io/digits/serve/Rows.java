package io.digits.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Requests run as rows: the inputs of one or more requests stacked along the 0-th (batch)
 * dimension, one session call, the outputs split back by rows. Both the batched and the unbatched
 * server run through here, so a request's answer never depends on what it was batched with:
 * TF's matrix kernels take another path for a single row (a matrix-vector product, whose sums
 * round differently in the last bit), so a call of one row runs as two copies of it; from two rows
 * on, every row's result was found the same at every batch size (ServeBatchingTest checks it).
 */
final class Rows {
  private Rows() {}

  /** What requests must share to run in one call: the version, the signature, each input's dtype and shape past the rows. */
  record Key(ServedModel model, String signature, Map<String, String> inputs) {}

  /**
   * True when the request can run as rows: every input and output of the signature has a free
   * 0-th dimension (-1), and the request's inputs agree on it.
   */
  static boolean batchable(SignatureDef signature, Map<String, HostTensor> inputs) {
    if (!signature.getInputsMap().values().stream().allMatch(Rows::hasBatchDimension)
        || !signature.getOutputsMap().values().stream().allMatch(Rows::hasBatchDimension)) {
      return false;
    }
    return inputs.values().stream().map(t -> t.shape()[0]).distinct().count() == 1;
  }

  static Key key(ServedModel model, String signature, Map<String, HostTensor> inputs) {
    Map<String, String> shapes = new TreeMap<>();
    inputs.forEach((name, t) -> {
      long[] shape = t.shape();
      shape[0] = -1;
      shapes.put(name, t.dtype() + HostTensor.shapeString(shape));
    });
    return new Key(model, signature, shapes);
  }

  static int rows(Map<String, HostTensor> inputs) {
    return Math.toIntExact(inputs.values().iterator().next().shape()[0]);
  }

  /** Runs {@code requests} (batchable, of one {@link Key}) in one call; the outputs of each, in order. */
  static List<Map<String, HostTensor>> run(ServedModel model, String signature, List<Map<String, HostTensor>> requests) {
    int total = requests.stream().mapToInt(Rows::rows).sum();
    int copies = total == 1 ? 2 : 1;
    Map<String, HostTensor> stacked = new LinkedHashMap<>();
    for (String name : requests.get(0).keySet()) {
      List<HostTensor> parts = new ArrayList<>();
      for (int c = 0; c < copies; c++) {
        requests.forEach(r -> parts.add(r.get(name)));
      }
      stacked.put(name, HostTensor.concat(parts));
    }
    Map<String, HostTensor> outputs = model.predict(signature, stacked);
    outputs.forEach((name, t) -> {
      long[] shape = t.shape();
      if (shape.length == 0 || shape[0] != (long) total * copies) {
        throw new IllegalStateException("output '" + name + "' has shape " + HostTensor.shapeString(shape)
            + " for " + total * copies + " rows; its signature promised a batch dimension");
      }
    });
    List<Map<String, HostTensor>> answers = new ArrayList<>();
    int at = 0;
    for (Map<String, HostTensor> request : requests) {
      int n = rows(request);
      Map<String, HostTensor> answer = new TreeMap<>();
      for (Map.Entry<String, HostTensor> e : outputs.entrySet()) {
        answer.put(e.getKey(), e.getValue().rows(at, n));
      }
      answers.add(answer);
      at += n;
    }
    return answers;
  }

  private static boolean hasBatchDimension(TensorInfo info) {
    TensorShapeProto shape = info.getTensorShape();
    return !shape.getUnknownRank() && shape.getDimCount() > 0 && shape.getDim(0).getSize() == -1;
  }
}
