package io.digits.scoring;

import io.digits.train.Precision;
import org.tensorflow.proto.ConfigProto;

/**
 * How a loaded model's session runs: its precision, and TF's two thread settings, named as TF
 * Serving's {@code --tensorflow_intra_op_parallelism} and {@code --tensorflow_inter_op_parallelism}
 * (0: TF picks; an inter-op value below 0 runs every op of a call on the thread that calls).
 *
 * <p>The default for scoring and serving is one thread per op, the ops on the calling thread: each
 * call then keeps one core, and the callers (predict's calls in flight, serve's batch threads) run
 * side by side on the others. A call of a few images or a hundred is too small to share out, and
 * TF's pools woke a thread for each op of it: at 32 single-image clients on two cores, serve answered
 * 10-27 % more requests per second without them, and predict scored 6-25 % more images per second. The
 * scores are the same to the bit either way on the machines measured (test.csv, double-conv, Intel
 * Xeon). A server answering few, large requests is faster with TF's own choice (0 and 0). TF takes
 * the intra-op setting once per process, from the first session made.
 */
public record SessionSettings(Precision precision, int intraOpParallelism, int interOpParallelism) {
  public static final int DEFAULT_INTRA_OP = 1;
  public static final int DEFAULT_INTER_OP = -1;
  public static final SessionSettings DEFAULT = new SessionSettings(Precision.FLOAT32, DEFAULT_INTRA_OP, DEFAULT_INTER_OP);

  public SessionSettings {
    if (intraOpParallelism < 0) {
      throw new IllegalArgumentException("intra-op parallelism must be 0 (TF picks) or more, not " + intraOpParallelism);
    }
  }

  /** The same settings in {@code precision}. */
  public SessionSettings with(Precision precision) {
    return new SessionSettings(precision, intraOpParallelism, interOpParallelism);
  }

  public ConfigProto config() {
    return precision.apply(ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOpParallelism)
        .setInterOpParallelismThreads(interOpParallelism)
        .build());
  }
}
