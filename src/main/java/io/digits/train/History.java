package io.digits.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-epoch metrics under Keras's names ({@code History.history}: loss, accuracy, val_loss,
 * val_accuracy), written beside the model as JSON.
 */
public final class History {

  /** One epoch's figures; {@code seconds} is its wall-clock time, validation included. */
  public record Epoch(int epoch, double loss, double accuracy, double valLoss, double valAccuracy, double seconds) {}

  private final List<Epoch> epochs = new ArrayList<>();

  public void add(Epoch epoch) {
    epochs.add(epoch);
  }

  public List<Epoch> epochs() {
    return List.copyOf(epochs);
  }

  /** A snapshot that later epochs do not change. */
  public History copy() {
    History c = new History();
    epochs.forEach(c::add);
    return c;
  }

  /** False when training had no validation rows (every val_ figure NaN). */
  public boolean hasValidation() {
    return epochs.stream().noneMatch(e -> Double.isNaN(e.valLoss()));
  }

  /** Keras's {@code History.history} layout (val_ lists only with validation), plus each epoch's seconds. */
  public Map<String, Object> keras() {
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("loss", epochs.stream().map(Epoch::loss).toList());
    h.put("accuracy", epochs.stream().map(Epoch::accuracy).toList());
    if (hasValidation()) {
      h.put("val_loss", epochs.stream().map(Epoch::valLoss).toList());
      h.put("val_accuracy", epochs.stream().map(Epoch::valAccuracy).toList());
    }
    h.put("epoch_seconds", epochs.stream().map(Epoch::seconds).toList());
    return h;
  }

  public Epoch last() {
    return epochs.get(epochs.size() - 1);
  }
}
