package io.digits.export;

import io.digits.DigitsException;
import io.digits.model.Model;
import io.digits.model.Weights;
import io.digits.train.Precision;
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
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

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
   * {@code assets.extra/}; the graph computes in {@code precision} (see {@link Bfloat16Export}), the
   * variables are float32 either way. Fails if {@code versionDir} exists, unless {@code overwrite}.
   */
  public static void export(Model model, Weights weights, Path versionDir, Map<String, byte[]> extras,
      Precision precision, boolean overwrite) {
    writeVersion(versionDir, extras, precision, overwrite, dir -> writeSavedModel(model, weights, dir));
  }

  /** Writes the SavedModel files of one version into an empty folder. */
  interface SavedModelWriter {
    void write(Path dir) throws IOException;
  }

  /**
   * Writes a version folder atomically: {@code writer}'s float32 SavedModel (rewritten to compute in
   * {@code precision}) plus {@code extras} in {@code assets.extra/}, into a hidden temporary folder that
   * is then renamed into place.
   */
  static void writeVersion(Path versionDir, Map<String, byte[]> extras, Precision precision, boolean overwrite,
      SavedModelWriter writer) {
    Path parent = versionDir.toAbsolutePath().getParent();
    if (Files.exists(versionDir) && !overwrite) {
      throw new DigitsException(versionDir + ": model version exists; pass --overwrite to replace it");
    }
    Path tmp = parent.resolve("." + versionDir.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(parent);
      deleteTree(tmp);
      writer.write(tmp);
      if (precision == Precision.MIXED_BFLOAT16) {
        Bfloat16Export.rewrite(tmp);
      }
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

  private static void writeSavedModel(Model model, Weights weights, Path dir) throws IOException {
    try (Graph graph = new Graph()) {
      InferenceGraph inference = InferenceGraph.build(Ops.create(graph), model);
      Signature signature = signature(SIGNATURE_KEY, inference.image(), inference.scores(), inference.classes());
      try (Session session = new Session(graph)) {
        weights.assignTo(session, model.parameters());
        SavedModelBundle.exporter(dir.toString())
            .withTags(SavedModelBundle.DEFAULT_TAG)
            .withFunction(SessionFunction.create(signature, session))
            .export();
      }
    }
  }

  /** A predict signature with this program's input and outputs. */
  static Signature signature(String key, Placeholder<TFloat32> image, Operand<TFloat32> probabilities,
      Operand<TInt64> classes) {
    return Signature.builder(key)
        .methodName(METHOD_NAME)
        .input(INPUT, image)
        .output(PROBABILITIES, probabilities)
        .output(CLASS, classes)
        .build();
  }

  /** Deletes a folder and everything in it; nothing if it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
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
