package io.digits.train;

import io.digits.DigitsException;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;

/** {@code --device auto|cpu|gpu}: which session configuration training runs with. */
public enum Device {
  AUTO,
  CPU,
  GPU;

  /** The session configuration for this choice; {@code gpu} fails clearly when no GPU is visible. */
  public ConfigProto sessionConfig() {
    return switch (this) {
      case CPU -> ConfigProto.newBuilder().putDeviceCount("GPU", 0).build();
      case GPU -> {
        if (!gpuVisible()) {
          throw new DigitsException("--device gpu: no GPU is visible to TensorFlow (build with 'mvn -Pgpu package'"
              + " on a machine with an NVIDIA GPU and CUDA drivers, or use --device cpu)");
        }
        yield ConfigProto.getDefaultInstance();
      }
      case AUTO -> ConfigProto.getDefaultInstance(); // TF places ops on a GPU when there is one
    };
  }

  /** Whether TF can run an op pinned to the first GPU (soft placement off, so it cannot fall back). */
  public static boolean gpuVisible() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withDevice(org.tensorflow.DeviceSpec.newBuilder()
          .deviceType(org.tensorflow.DeviceSpec.DeviceType.GPU).deviceIndex(0).build());
      var probe = tf.identity(tf.constant(1f));
      try (Session s = new Session(g, ConfigProto.newBuilder().setAllowSoftPlacement(false).build())) {
        s.runner().fetch(probe).run().close();
        return true;
      }
    } catch (RuntimeException e) {
      return false;
    }
  }
}
