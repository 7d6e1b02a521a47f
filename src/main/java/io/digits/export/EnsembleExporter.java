package io.digits.export;

import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.train.Precision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Several trained models of one architecture as ONE SavedModel: {@code serving_default} has the
 * usual input and outputs (see {@link SavedModelExporter}) and its {@code probabilities} are the
 * mean of the members' probabilities, so TF Serving, Python and {@code digits predict} use an
 * ensemble as any other model. Each member's variables live under its own scope
 * ({@code member_1/bn-cnn/...}), and signatures {@code member_1} ... {@code member_N} (same input
 * and outputs) give each member's own probabilities, for {@code evaluate}'s per-member report.
 * With {@code tta}, every member scores the {@link TestTimeShifts} views of each image and averages
 * them, in the member signatures as in {@code serving_default}.
 */
public final class EnsembleExporter {
  /** Signature key and variable scope of member {@code i} (from 1): {@code member_i}. */
  public static final String MEMBER_PREFIX = "member_";

  private EnsembleExporter() {}

  public static String memberKey(int member) {
    return MEMBER_PREFIX + member;
  }

  /**
   * Exports members of {@code architecture} with these {@code weights} (member i+1 has
   * {@code weights.get(i)}) into {@code versionDir}, written atomically as every export.
   */
  public static void export(Architecture architecture, List<Weights> weights, boolean tta, Path versionDir,
      Map<String, byte[]> extras, Precision precision, boolean overwrite) {
    SavedModelExporter.writeVersion(versionDir, extras, precision, overwrite, dir -> {
      try (Graph graph = new Graph()) {
        Ops tf = Ops.create(graph);
        Placeholder<TFloat32> image = tf.withName(SavedModelExporter.INPUT)
            .placeholder(TFloat32.class, Placeholder.shape(Sequential.INPUT_SHAPE));
        Operand<TFloat32> input = tta ? TestTimeShifts.views(tf, image) : image;
        List<Sequential> models = new ArrayList<>();
        List<Operand<TFloat32>> memberProbabilities = new ArrayList<>();
        List<SignatureSpec> signatures = new ArrayList<>();
        for (int i = 1; i <= weights.size(); i++) {
          Ops member = tf.withSubScope(memberKey(i));
          Sequential model = architecture.create().build(member);
          Operand<TFloat32> p = model.probabilities(member, input, false);
          p = member.withName(SavedModelExporter.PROBABILITIES).identity(tta ? TestTimeShifts.average(member, p) : p);
          models.add(model);
          memberProbabilities.add(p);
          signatures.add(new SignatureSpec(memberKey(i), p, classes(member, p)));
        }
        Operand<TFloat32> mean = tf.withName(SavedModelExporter.PROBABILITIES)
            .identity(tf.math.mean(tf.stack(memberProbabilities), tf.constant(0)));
        signatures.add(0, new SignatureSpec(SavedModelExporter.SIGNATURE_KEY, mean, classes(tf, mean)));
        try (Session session = new Session(graph)) {
          for (int i = 0; i < models.size(); i++) {
            weights.get(i).assignTo(session, models.get(i).parameters());
          }
          SavedModelBundle.Exporter exporter = SavedModelBundle.exporter(dir.toString())
              .withTags(SavedModelBundle.DEFAULT_TAG);
          for (SignatureSpec s : signatures) {
            exporter.withFunction(SessionFunction.create(
                SavedModelExporter.signature(s.key(), image, s.probabilities(), s.classes()), session));
          }
          exporter.export();
        }
      }
    });
  }

  private record SignatureSpec(String key, Operand<TFloat32> probabilities, Operand<TInt64> classes) {}

  private static Operand<TInt64> classes(Ops tf, Operand<TFloat32> probabilities) {
    return tf.withName(SavedModelExporter.CLASS).math.argMax(probabilities, tf.constant(1), TInt64.class);
  }
}
