package io.digits.serve;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** How a {@code :predict} request's inputs become outputs: alone ({@link #UNBATCHED}) or gathered with others ({@link Batcher}). */
interface Predictions {
  /** Each request in one session call of its own, on the thread that asks, answered before it returns. */
  Predictions UNBATCHED = (model, signature, inputs, done) -> done.accept(
      Rows.batchable(model.signature(signature), inputs)
          ? Rows.run(model, signature, List.of(inputs)).get(0)
          : model.predict(signature, inputs),
      null);

  /**
   * Runs signature {@code signature} of {@code model} on {@code inputs} (checked against it) and
   * answers through {@code done}: the outputs by name, sorted, or the failure; exactly once, on this
   * thread or later on another. Or it throws, without calling {@code done}. {@code done} must not throw.
   */
  void predict(ServedModel model, String signature, Map<String, HostTensor> inputs,
      BiConsumer<Map<String, HostTensor>, RuntimeException> done);

  /** Stops what runs the predictions, once those asked for have run. */
  default void close() {}
}
