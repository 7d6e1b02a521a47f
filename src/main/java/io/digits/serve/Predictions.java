package io.digits.serve;

import java.util.List;
import java.util.Map;

/** How a {@code :predict} request's inputs become outputs: alone ({@link #UNBATCHED}) or gathered with others ({@link Batcher}). */
interface Predictions {
  /** Each request in one session call of its own, on the thread that asks. */
  Predictions UNBATCHED = (model, signature, inputs) -> Rows.batchable(model.signature(signature), inputs)
      ? Rows.run(model, signature, List.of(inputs)).get(0)
      : model.predict(signature, inputs);

  /** Runs signature {@code signature} of {@code model} on {@code inputs} (checked against it); outputs by name, sorted. */
  Map<String, HostTensor> predict(ServedModel model, String signature, Map<String, HostTensor> inputs);

  /** Stops what runs the predictions, once those asked for have run. */
  default void close() {}
}
