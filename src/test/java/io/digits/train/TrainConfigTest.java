package io.digits.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.digits.model.Architecture;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The schedule a run's knobs give, step by step, and the run's record read back, old and new. */
class TrainConfigTest {
  private static final int STEPS = 100;

  /** 5 epochs of Adam at peak 0.002: 1 epoch of warm-up, cosine over the other 4, floor 10 %. */
  private static final TrainConfig COSINE = TrainConfig.notebook().withEpochs(5).withLearningRate(0.002f)
      .withCosine(1, 0, 0.1);

  @Test
  void cosineWithWarmupIsKerasCosineDecayWithAWarmupTarget() {
    LearningRateSchedule s = COSINE.schedule(STEPS);
    // Keras: CosineDecay(initial_learning_rate=0, decay_steps=400, alpha=0.1, warmup_target=0.002, warmup_steps=100)
    assertEquals(new LearningRateSchedule.CosineDecay(0, 400, 0.1, 0.002f, 100), s);
    // by hand: warm-up 0.002 * step / 100 ...
    assertEquals(0, s.rate(0));
    assertEquals(0.0005, s.rate(25), 1e-9);
    assertEquals(0.001, s.rate(50), 1e-9);
    // ... then 0.002 * (0.9 * 0.5 * (1 + cos(pi * (step - 100) / 400)) + 0.1)
    assertEquals(0.002, s.rate(100), 1e-9);
    assertEquals(0.002 * (0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.1), s.rate(200), 1e-9);
    assertEquals(0.002 * (0.45 + 0.1), s.rate(300), 1e-9, "half way down: the mean of peak and floor");
    assertEquals(0.002 * (0.9 * 0.5 * (1 + Math.cos(Math.PI * 399 / 400)) + 0.1), s.rate(499), 1e-9,
        "the run's last step");
    assertEquals(0.0002, s.rate(500), 1e-9, "the floor: alpha * peak");
    assertEquals(0.0002, s.rate(5000), 1e-9, "and there it stays");
  }

  @Test
  void cosineDecaySpansTheRunUnlessGivenAndNeedsNoWarmup() {
    assertEquals(4, COSINE.cosineDecayEpochs());
    assertEquals(9, COSINE.withEpochs(10).cosineDecayEpochs(), "0: to the end of the run, whatever --epochs is");
    TrainConfig fixed = TrainConfig.notebook().withEpochs(10).withLearningRate(0.002f).withCosine(1, 3, 0);
    assertEquals(new LearningRateSchedule.CosineDecay(0, 300, 0, 0.002f, 100), fixed.schedule(STEPS));
    assertEquals(0, fixed.schedule(STEPS).rate(400), "alpha 0 ends at 0");
    assertEquals(0, fixed.schedule(STEPS).rate(999));
    TrainConfig noWarmup = TrainConfig.notebook().withEpochs(2).withLearningRate(0.004f).withCosine(0, 0, 0);
    LearningRateSchedule s = noWarmup.schedule(STEPS);
    assertEquals(new LearningRateSchedule.CosineDecay(0.004f, 200, 0), s);
    assertEquals(0.004, s.rate(0), 1e-9);
    assertEquals(0.002, s.rate(100), 1e-9);
    // fractional warm-up epochs round to whole steps
    assertEquals(new LearningRateSchedule.CosineDecay(0, 150, 0, 0.002f, 50),
        TrainConfig.notebook().withEpochs(2).withLearningRate(0.002f).withCosine(0.5, 0, 0).schedule(STEPS));
    assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.notebook().withEpochs(2).withCosine(2, 0, 0).schedule(STEPS), "no step left to decay");
  }

  @Test
  void exponentialStaysTodaysStaircaseAndConstant() {
    TrainConfig c = TrainConfig.notebook().withLearningRate(0.001f).withExponentialDecay(0.9);
    assertEquals(new LearningRateSchedule.ExponentialDecay(0.001f, STEPS, 0.9, true), c.schedule(STEPS));
    assertEquals(0.001f, c.schedule(STEPS).rate(STEPS - 1));
    assertEquals(0.001 * 0.9 * 0.9, c.schedule(STEPS).rate(2 * STEPS), 1e-9);
    assertEquals(0.001f, TrainConfig.notebook().schedule(STEPS).rate(12345), "decay 1: constant");
  }

  @Test
  void labelSmoothingReachesTheLoss() {
    assertEquals(Loss.NOTEBOOK, TrainConfig.notebook().loss());
    assertEquals(new Loss(Loss.Kind.CATEGORICAL, false, 0.1), TrainConfig.notebook().withLabelSmoothing(0.1).loss());
  }

  @Test
  void aRecordFromBeforeTheScheduleChoiceReadsAsItTrained() {
    String old = """
        {"model":"bn-cnn","data":"data/train.csv","validation_split":0.1,"precision":"float32","version":1,
         "init_from":null,"config":{"epochs":20,"batch_size":64,"learning_rate":0.001,"stop_at_accuracy":0.0,
         "seed":2,"dropout":0.4,"optimizer":"Adam","learning_rate_decay":0.9}}""";
    TrainConfig c = TrainingRun.fromJson(old.getBytes(StandardCharsets.UTF_8), "old").config();
    assertEquals(TrainConfig.Schedule.EXPONENTIAL, c.schedule());
    assertEquals(0, c.labelSmoothing());
    assertEquals(Loss.NOTEBOOK, c.loss());
    assertEquals(new LearningRateSchedule.ExponentialDecay(0.001f, 591, 0.9, true), c.schedule(591));
  }

  @Test
  void aCosineRunRoundTripsThroughItsRecord() {
    TrainConfig c = TrainConfig.defaults(Architecture.BN_CNN).withCosine(0.5, 3, 0.05).withLabelSmoothing(0.1);
    TrainingRun run = new TrainingRun("bn-cnn", "data/train.csv", 0.1, Precision.FLOAT32, 1, null, c);
    String json = new String(run.toJson(), StandardCharsets.UTF_8);
    assertEquals(true, json.contains("\"schedule\" : \"cosine\""), json);
    TrainingRun back = TrainingRun.fromJson(run.toJson(), "new");
    assertEquals(c, back.config());
    assertInstanceOf(LearningRateSchedule.CosineDecay.class, back.config().schedule(STEPS));
  }
}
