package io.digits.serve;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** How a {@code :predict} request's inputs become outputs: alone ({@link #UNBATCHED}) or gathered with others ({@link Batcher}). */
interface Predictions {
  /** Each request in one session call of its own, on the thread that asks. */
  Predictions UNBATCHED = (model, signature, inputs) -> Rows.batchable(model.signature(signature), inputs)
      ? Rows.run(model, signature, List.of(inputs)).get(0)
      : model.predict(signature, inputs);

  /** Runs signature {@code signature} of {@code model} on {@code inputs} (checked against it); outputs by name, sorted. */
  Map<String, HostTensor> predict(ServedModel model, String signature, Map<String, HostTensor> inputs);

  /**
   * The same, answered through {@code done} (the outputs, or the failure): exactly once, on this
   * thread or later on another; or it throws without calling {@code done}. {@code done} must not throw.
   */
  default void predict(ServedModel model, String signature, Map<String, HostTensor> inputs,
      BiConsumer<Map<String, HostTensor>, RuntimeException> done) {
    Map<String, HostTensor> outputs;
    try {
      outputs = predict(model, signature, inputs);
    } catch (RuntimeException e) {
      done.accept(null, e);
      return;
    }
    done.accept(outputs, null);
  }

  /** Stops what runs the predictions, once those asked for have run. */
  default void close() {}
}
