package io.digits.bench;

import io.digits.data.DigitCsv;
import io.digits.data.Split;
import io.digits.model.Architecture;
import io.digits.model.Sequential;
import io.digits.model.Weights;
import io.digits.train.Precision;
import io.digits.train.RmsProp;
import io.digits.train.TrainingGraph;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Where a training step's time goes, per op type and output dtype: TrainingGraph's step run with
 * RunOptions FULL_TRACE, node times from the step stats summed over the timed steps. TrainingGraph
 * keeps its session and operands private (the product needs no trace hook), so this measurement
 * tool reads them by reflection.
 *
 * <p>Usage: StepTrace TRAIN_CSV MODEL BATCH PRECISION (float32 or mixed-bfloat16)
 */
public final class StepTrace {
  private static final int WARMUP = 3;
  private static final int TRACED = 5;

  public static void main(String[] args) throws ReflectiveOperationException {
    Split split = Split.of(DigitCsv.readLabeled(Path.of(args[0])), 0.1, 2);
    Sequential model = Architecture.byName(args[1]).create();
    int batch = Integer.parseInt(args[2]);
    Precision precision = Precision.valueOf(args[3].toUpperCase(Locale.ROOT).replace('-', '_'));
    Map<String, double[]> byOp = new HashMap<>();
    try (TrainingGraph graph = new TrainingGraph(model, split.train(), split.validation(),
        new RmsProp(RmsProp.NOTEBOOK_LEARNING_RATE), precision.apply(ConfigProto.getDefaultInstance()))) {
      graph.start(Weights.initial(model.parameters(), 2), 2);
      Session session = field(graph, "session");
      SplittableRandom random = new SplittableRandom(1);
      for (int step = 0; step < WARMUP + TRACED; step++) {
        try (TInt32 indices = TInt32.vectorOf(random.ints(batch, 0, split.train().size()).toArray());
            TInt64 seed = TInt64.vectorOf(2, step)) {
          Session.Runner run = session.runner().feed(StepTrace.<Operand<?>>field(graph, "trainIndices"), indices)
              .addTarget(StepTrace.<Op>field(graph, "trainStep"))
              .fetch(StepTrace.<Operand<?>>field(graph, "trainLoss"));
          if (model.parameters().stepSeedOrNull() != null) {
            run.feed(model.parameters().stepSeedOrNull(), seed);
          }
          if (step < WARMUP) {
            run.run().close();
            continue;
          }
          run.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
          try (Result result = run.runAndFetchMetadata()) {
            for (DeviceStepStats device : result.getMetadata().orElseThrow().getStepStats().getDevStatsList()) {
              for (NodeExecStats node : device.getNodeStatsList()) {
                double[] v = byOp.computeIfAbsent(opType(node) + " " + dtype(node), k -> new double[2]);
                v[0]++;
                v[1] += node.getAllEndRelMicros() / 1000.0;
              }
            }
          }
        }
      }
    }
    double total = byOp.values().stream().mapToDouble(v -> v[1]).sum() / TRACED;
    System.out.printf(Locale.ROOT, "%s %s batch %d: op time summed over threads %.1f ms/step%n",
        args[1], precision, batch, total);
    byOp.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[1], a.getValue()[1]))
        .forEach(e -> System.out.printf(Locale.ROOT, "%8.2f ms %5.1f/step  %s%n",
            e.getValue()[1] / TRACED, e.getValue()[0] / TRACED, e.getKey()));
  }

  /** The op type from the timeline label "name = Type(inputs)". */
  private static String opType(NodeExecStats node) {
    String label = node.getTimelineLabel();
    int eq = label.indexOf("= ");
    return eq < 0 ? node.getNodeName() : label.substring(eq + 2).replaceAll("\\(.*", "");
  }

  private static String dtype(NodeExecStats node) {
    return node.getOutputCount() > 0 && node.getOutput(0).hasTensorDescription()
        ? node.getOutput(0).getTensorDescription().getDtype().name().replace("DT_", "").toLowerCase(Locale.ROOT) : "-";
  }

  @SuppressWarnings("unchecked")
  private static <T> T field(TrainingGraph graph, String name) throws ReflectiveOperationException {
    Field f = TrainingGraph.class.getDeclaredField(name);
    f.setAccessible(true);
    return (T) f.get(graph);
  }
}
