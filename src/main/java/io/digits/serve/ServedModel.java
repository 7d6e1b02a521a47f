package io.digits.serve;

import io.digits.scoring.ModelLoader;
import io.digits.scoring.SessionSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFFailedPreconditionException;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.proto.SignatureDef;

/**
 * One loaded version of a model, shared by the requests in flight. It is reference counted: the
 * {@link ModelVersions} that serves it holds one reference and every request one more, so a version
 * replaced by a newer one is closed only when its last request has finished.
 */
final class ServedModel {
  static final String DEFAULT_SIGNATURE = "serving_default";

  private final long version;
  private final SavedModelBundle bundle;
  private final Map<String, SignatureDef> signatures;
  private final AtomicInteger references = new AtomicInteger(1);

  private ServedModel(long version, SavedModelBundle bundle) {
    this.version = version;
    this.bundle = bundle;
    this.signatures = new TreeMap<>(bundle.metaGraphDef().getSignatureDefMap());
  }

  /** Loads version folder {@code dir} (named by its integer version) with the {@code serve} tag, its session as {@code settings} say. */
  static ServedModel load(Path dir, SessionSettings settings) {
    return new ServedModel(Long.parseLong(dir.getFileName().toString()), ModelLoader.open(dir, settings.config()));
  }

  long version() {
    return version;
  }

  /** All signatures of the MetaGraph, by key, as the metadata API lists them. */
  Map<String, SignatureDef> signatures() {
    return signatures;
  }

  /** The signature a request names ({@code serving_default} when it names none), or a 400. */
  SignatureDef signature(String key) {
    SignatureDef s = signatures.get(key);
    if (s == null) {
      // TF Serving's wording (http_rest_api_handler.cc, GetInfoMap).
      throw ServingException.badRequest("Serving signature name: \"" + key + "\" not found in signature def");
    }
    return s;
  }

  /** Runs signature {@code key} on {@code inputs} (checked against it by PredictRequest); outputs by name, sorted. */
  Map<String, HostTensor> predict(String key, Map<String, HostTensor> inputs) {
    SignatureDef signature = signature(key);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
        feeds.put(e.getKey(), e.getValue().toTensor());
      }
      try (Result result = bundle.function(key).call(feeds)) {
        Map<String, HostTensor> outputs = new TreeMap<>();
        for (String name : signature.getOutputsMap().keySet()) {
          Tensor t = result.get(name).orElseThrow(() -> new IllegalStateException("output '" + name + "' not returned"));
          outputs.put(name, HostTensor.of(t, name));
        }
        return outputs;
      }
    } catch (TFInvalidArgumentException | TFFailedPreconditionException | TFOutOfRangeException e) {
      // TF Serving answers these three status codes with 400 (http_server.cc, ToHTTPStatusCode).
      throw ServingException.badRequest(e.getMessage().strip().lines().findFirst().orElse(e.toString()));
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  /** Takes a reference for a request; false once the version has been closed. */
  boolean retain() {
    int n;
    do {
      n = references.get();
      if (n == 0) {
        return false;
      }
    } while (!references.compareAndSet(n, n + 1));
    return true;
  }

  /** Drops a reference; the last one closes the bundle. */
  void release() {
    if (references.decrementAndGet() == 0) {
      bundle.close();
    }
  }

  boolean closed() {
    return references.get() == 0;
  }
}
