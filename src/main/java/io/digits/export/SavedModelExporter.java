package io.digits.export;

import io.digits.DigitsException;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

/**
 * Writes a trained model as a TF Serving SavedModel (PRODUCT.md section 4): tag {@code serve},
 * signature {@code serving_default} ({@code tensorflow/serving/predict}) with input {@code image}
 * float32 [-1,28,28,1] in [0,1] and outputs {@code probabilities} float32 [-1,10} and {@code class}
 * int64 [-1]; extra files under {@code assets.extra/}.
 *
 * <p>The export graph is built fresh from the model's layers in inference mode, so it holds no
 * dropout, no optimizer and no training data: only what serving runs, plus the variables. It is
 * written to a hidden temporary folder beside the target and renamed into place, so a crash never
 * leaves a half-written version folder (TF Serving only looks at integer folder names).
 */
public final class SavedModelExporter {
  public static final String SIGNATURE_KEY = "serving_default";
  public static final String METHOD_NAME = "tensorflow/serving/predict";
  public static final String INPUT = "image";
  public static final String PROBABILITIES = "probabilities";
  public static final String CLASS = "class";
  public static final String EXTRAS = "assets.extra";

  private SavedModelExporter() {}

  /**
   * Exports {@code model} (a fresh, unbuilt instance of the trained architecture; a classifier, so
   * that its output is the probabilities) with
   * {@code weights} into {@code versionDir}, with {@code extras} (file name to bytes) in
   * {@code assets.extra/}. Fails if {@code versionDir} exists, unless {@code overwrite}.
   */
  public static void export(Sequential model, Weights weights, Path versionDir, Map<String, byte[]> extras,
      boolean overwrite) {
    Path parent = versionDir.toAbsolutePath().getParent();
    if (Files.exists(versionDir) && !overwrite) {
      throw new DigitsException(versionDir + ": model version exists; pass --overwrite to replace it");
    }
    Path tmp = parent.resolve("." + versionDir.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(parent);
      deleteTree(tmp);
      writeSavedModel(model, weights, tmp);
      Path extra = Files.createDirectories(tmp.resolve(EXTRAS));
      for (Map.Entry<String, byte[]> e : extras.entrySet()) {
        Files.write(extra.resolve(e.getKey()), e.getValue());
      }
      if (Files.exists(versionDir)) {
        // --overwrite: move the old version aside first so that a reader never sees a mix.
        Path old = parent.resolve("." + versionDir.getFileName() + ".old-" + ProcessHandle.current().pid());
        Files.move(versionDir, old, StandardCopyOption.ATOMIC_MOVE);
        Files.move(tmp, versionDir, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(old);
      } else {
        Files.move(tmp, versionDir, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new DigitsException(versionDir + ": cannot write the SavedModel: " + e.getMessage(), e);
    } finally {
      try {
        deleteTree(tmp);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void writeSavedModel(Sequential model, Weights weights, Path dir) throws IOException {
    try (Graph graph = new Graph()) {
      InferenceGraph inference = InferenceGraph.build(Ops.create(graph), model);
      Signature signature = Signature.builder(SIGNATURE_KEY)
          .methodName(METHOD_NAME)
          .input(INPUT, inference.image())
          .output(PROBABILITIES, inference.scores())
          .output(CLASS, inference.classes())
          .build();
      try (Session session = new Session(graph)) {
        weights.assignTo(session, model.parameters());
        SavedModelBundle.exporter(dir.toString())
            .withTags(SavedModelBundle.DEFAULT_TAG)
            .withFunction(SessionFunction.create(signature, session))
            .export();
      }
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
