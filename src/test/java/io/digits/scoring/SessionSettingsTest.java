package io.digits.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.digits.train.Precision;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;

/** The session a served model gets: TF's thread settings as given, the bfloat16 rewrite added to them. */
class SessionSettingsTest {
  @Test
  void threadSettingsAndPrecisionMeetInOneConfig() {
    ConfigProto plain = SessionSettings.DEFAULT.config();
    assertEquals(1, plain.getIntraOpParallelismThreads());
    assertEquals(-1, plain.getInterOpParallelismThreads()); // below 0: the ops on the calling thread
    assertEquals(RewriterConfig.Toggle.DEFAULT, plain.getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16());

    ConfigProto mixed = new SessionSettings(Precision.MIXED_BFLOAT16, 0, 0).config();
    assertEquals(0, mixed.getIntraOpParallelismThreads());
    assertEquals(0, mixed.getInterOpParallelismThreads());
    assertEquals(RewriterConfig.Toggle.ON, mixed.getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16());
    assertEquals(mixed, SessionSettings.DEFAULT.with(Precision.MIXED_BFLOAT16).config().toBuilder()
        .setIntraOpParallelismThreads(0).setInterOpParallelismThreads(0).build());
  }
}
