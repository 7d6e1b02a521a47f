package io.digits.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.digits.DigitsException;
import io.digits.model.Architecture;
import io.digits.model.Parameters;
import io.digits.model.Weights;
import io.digits.scoring.ModelLoader;
import io.digits.train.Ensemble;
import io.digits.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A single model exported by {@code digits train} (e.g. one ensemble member trained with
 * {@code --member}), read back for {@code digits ensemble merge}: its run from
 * {@code assets.extra/training.json}, its place in the ensemble from {@code ensemble_member.json}
 * (empty for a model trained alone), its weights from the SavedModel's variables.
 */
public record MemberExport(Path dir, Architecture architecture, TrainingRun run, JsonNode member, Weights weights) {

  public static MemberExport read(Path path) {
    Path dir = ModelLoader.resolve(path);
    Path extras = dir.resolve(SavedModelExporter.EXTRAS);
    if (Files.isRegularFile(extras.resolve(Ensemble.EXPORT_FILE))) {
      throw new DigitsException(dir + ": an ensemble; merge the members it was made from");
    }
    TrainingRun run = TrainingRun.read(extras.resolve(TrainingRun.FILE_NAME));
    Architecture architecture = Architecture.byName(run.model());
    JsonNode member;
    Path memberFile = extras.resolve(Ensemble.MEMBER_FILE);
    try {
      member = Files.isRegularFile(memberFile) ? new ObjectMapper().readTree(memberFile.toFile())
          : new ObjectMapper().createObjectNode();
    } catch (IOException e) {
      throw new DigitsException(memberFile + ": not JSON: " + e.getMessage(), e);
    }
    try (SavedModelBundle bundle = ModelLoader.open(dir)) {
      return new MemberExport(dir, architecture, run, member, variables(bundle.session(), architecture, dir));
    }
  }

  /** Its member number in the ensemble it was trained for, or 0 for a model trained alone. */
  public int memberNumber() {
    return member.path("member").asInt(0);
  }

  /**
   * Fetches each variable of {@code architecture} by its name; the names and shapes come from the
   * architecture built in a scratch graph, so a folder of another model fails here, by name.
   */
  private static Weights variables(Session session, Architecture architecture, Path dir) {
    try (Graph scratch = new Graph()) {
      Parameters params = architecture.create().build(Ops.create(scratch)).parameters();
      List<Parameters.Parameter> all = params.all();
      List<String> missing = new ArrayList<>();
      for (Parameters.Parameter p : all) {
        if (session.graph().operation(p.variable().op().name()) == null) {
          missing.add(p.name());
        }
      }
      if (!missing.isEmpty()) {
        throw new DigitsException(dir + ": not a " + architecture.cliName() + " export of digits train: no variable "
            + missing.get(0) + (missing.size() > 1 ? " (and " + (missing.size() - 1) + " more)" : ""));
      }
      Session.Runner runner = session.runner();
      all.forEach(p -> runner.fetch(p.variable().op().name()));
      List<Weights.Value> values = new ArrayList<>();
      try (Result result = runner.run()) {
        for (int i = 0; i < all.size(); i++) {
          Parameters.Parameter p = all.get(i);
          TFloat32 t = (TFloat32) result.get(i);
          if (!t.shape().equals(p.shape())) {
            throw new DigitsException(dir + ": variable " + p.name() + " has shape " + t.shape() + ", "
                + architecture.cliName() + " needs " + p.shape());
          }
          float[] data = new float[(int) p.shape().size()];
          t.copyTo(DataBuffers.of(data, false, false));
          values.add(new Weights.Value(p.name(), p.shape(), data));
        }
      }
      return new Weights(values);
    }
  }

}
