package io.digits.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.digits.data.Dataset;
import io.digits.testing.SyntheticDigits;
import io.digits.train.ProgressBar;
import io.digits.train.TrainConfig;
import io.digits.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/** Keras 3 BatchNormalization semantics, checked against the formulas computed here in double precision. */
class BatchNormalizationTest {
  private static final int BATCH = 5;
  private static final int CHANNELS = 3;
  private static final int SPATIAL = 4; // 2x2 positions per channel
  private static final float MOMENTUM = 0.9f;
  private static final float EPSILON = 1e-2f;
  private static final float[] GAMMA = {1.5f, 0.5f, 2f};
  private static final float[] BETA = {0.1f, -0.2f, 0.3f};
  private static final float[] MEAN = {0.5f, -1f, 0f};
  private static final float[] VARIANCE = {2f, 0.25f, 1f};

  /** Runs the layer once on {@code x} [BATCH,2,2,CHANNELS]; returns its output and then its four variables. */
  private static float[][] run(float[] x, boolean training) {
    return run(x, training, false);
  }

  /** {@link #run(float[], boolean)}, with the fused kernel or Keras's arithmetic. */
  private static float[][] run(float[] x, boolean training, boolean fused) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Parameters params = new Parameters();
      BatchNormalization bn = built(tf, params, fused);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class);
      Operand<TFloat32> out = bn.call(tf, in, training);
      new Weights(List.of(value(GAMMA), value(BETA), value(MEAN), value(VARIANCE))).assignTo(s, params);
      float[] y = new float[x.length];
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(BATCH, 2, 2, CHANNELS), DataBuffers.of(x, true, false));
          Result r = s.runner().feed(in, t).fetch(out).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(y, false, false));
      }
      List<Weights.Value> after = Weights.read(s, params).values();
      return new float[][] {y, after.get(0).data(), after.get(1).data(), after.get(2).data(), after.get(3).data()};
    }
  }

  private static Weights.Value value(float[] v) {
    return new Weights.Value("v", Shape.of(CHANNELS), v);
  }

  private static float[] input() {
    SplittableRandom random = new SplittableRandom(3);
    float[] x = new float[BATCH * SPATIAL * CHANNELS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextDouble() * 4 - 1 + (i % CHANNELS));
    }
    return x;
  }

  private static float[] normalized(float[] x, double[] mean, double[] variance) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = i % CHANNELS;
      y[i] = (float) ((x[i] - mean[c]) / Math.sqrt(variance[c] + EPSILON) * GAMMA[c] + BETA[c]);
    }
    return y;
  }

  private static double[] doubles(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  @Test
  void inferenceNormalizesWithTheMovingStatisticsAndLeavesThem() {
    float[] x = input();
    float[][] r = run(x, false);
    assertArrayEquals(normalized(x, doubles(MEAN), doubles(VARIANCE)), r[0], 1e-5f);
    assertArrayEquals(MEAN, r[3]);
    assertArrayEquals(VARIANCE, r[4]);
  }

  @Test
  void trainingNormalizesWithBatchStatisticsAndMovesTheAveragesByMomentum() {
    float[] x = input();
    double[] mean = new double[CHANNELS];
    double[] variance = new double[CHANNELS];
    int perChannel = x.length / CHANNELS;
    for (int i = 0; i < x.length; i++) {
      mean[i % CHANNELS] += x[i] / (double) perChannel;
    }
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - mean[i % CHANNELS];
      variance[i % CHANNELS] += d * d / perChannel; // biased, as Keras 3 (tf.nn.moments)
    }
    float[][] r = run(x, true);
    assertArrayEquals(normalized(x, mean, variance), r[0], 1e-5f);
    for (int c = 0; c < CHANNELS; c++) {
      assertEquals(MOMENTUM * MEAN[c] + (1 - MOMENTUM) * mean[c], r[3][c], 1e-6, "moving_mean " + c);
      assertEquals(MOMENTUM * VARIANCE[c] + (1 - MOMENTUM) * variance[c], r[4][c], 1e-6, "moving_variance " + c);
    }
    assertArrayEquals(GAMMA, r[1], "gamma is changed by the optimizer only");
  }

  @Test
  void theFusedKernelTrainsAsKerasArithmeticDoes() {
    float[] x = input();
    float[][] keras = run(x, true, false);
    float[][] fused = run(x, true, true);
    // the tolerances of the hand computation above: the kernels sum the moments in other orders
    assertArrayEquals(keras[0], fused[0], 1e-5f, "the output");
    assertArrayEquals(keras[3], fused[3], 1e-6f, "moving_mean");
    assertArrayEquals(keras[4], fused[4], 1e-6f, "moving_variance: the biased batch variance, as Keras 3's");
    assertArrayEquals(run(x, false, false)[0], run(x, false, true)[0], "inference: the same graph");
    float[][] g = gradients(x, false);
    float[][] gf = gradients(x, true);
    for (int i = 0; i < g.length; i++) {
      assertArrayEquals(g[i], gf[i], 1e-5f, "gradient " + i + " (x, gamma, beta)");
    }
  }

  /** The layer under test, built on [-1, 2, 2, CHANNELS] into {@code params}. */
  private static BatchNormalization built(Ops tf, Parameters params, boolean fused) {
    BatchNormalization keras = new BatchNormalization(MOMENTUM, EPSILON, true, true);
    BatchNormalization bn = fused ? keras.withFusedKernel() : keras;
    bn.build(tf, Shape.of(-1, 2, 2, CHANNELS), params);
    return bn;
  }

  /** d(sum(y * w))/d(x, gamma, beta) in training mode, w a fixed ramp. */
  private static float[][] gradients(float[] x, boolean fused) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Parameters params = new Parameters();
      BatchNormalization bn = built(tf, params, fused);
      float[] ramp = new float[x.length];
      for (int i = 0; i < ramp.length; i++) {
        ramp[i] = (i % 7) - 3f;
      }
      Operand<TFloat32> in = tf.constant(Shape.of(BATCH, 2, 2, CHANNELS), DataBuffers.of(x, true, false));
      Operand<TFloat32> w = tf.constant(Shape.of(BATCH, 2, 2, CHANNELS), DataBuffers.of(ramp, true, false));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.mul(bn.call(tf, in, true), w), tf.constant(new int[] {0, 1, 2, 3}));
      var grads = tf.gradients(loss, List.of(in, params.trainable().get(0).variable(),
          params.trainable().get(1).variable()));
      new Weights(List.of(value(GAMMA), value(BETA), value(MEAN), value(VARIANCE))).assignTo(s, params);
      float[][] out = new float[3][];
      try (Result r = s.runner().fetch(grads.dy(0)).fetch(grads.dy(1)).fetch(grads.dy(2)).run()) {
        for (int i = 0; i < 3; i++) {
          TFloat32 t = (TFloat32) r.get(i);
          out[i] = new float[(int) t.size()];
          t.copyTo(DataBuffers.of(out[i], false, false));
        }
      }
      return out;
    }
  }

  @Test
  void wiresIntoTheTrainerLearnsAndMovesItsStatistics() {
    Sequential model = new Sequential("bn", List.of(
        new Conv2D(4, 3, 2, Padding.SAME, Activation.LINEAR, false),
        new BatchNormalization(),
        new ActivationLayer(Activation.RELU),
        new Flatten(),
        new Dense(10, Activation.LINEAR),
        new ActivationLayer(Activation.SOFTMAX)));
    Dataset train = SyntheticDigits.labeled(320, 1);
    Dataset validation = SyntheticDigits.labeled(100, 2);
    TrainConfig config = TrainConfig.notebook().withEpochs(2).withStopAtAccuracy(0).withLearningRate(0.01f);
    Trainer.Outcome outcome = new Trainer(config, new ProgressBar(new PrintStream(new ByteArrayOutputStream()), false))
        .fit(model, train, validation, ConfigProto.getDefaultInstance());
    assertTrue(outcome.history().last().valAccuracy() > 0.8, "learns the synthetic classes: " + outcome.history().last());
    float[] movingMean = outcome.weights().values().get(3).data();
    float[] movingVariance = outcome.weights().values().get(4).data();
    for (int c = 0; c < 4; c++) {
      assertTrue(movingMean[c] != 0f && movingVariance[c] != 1f, "moving statistics were updated: channel " + c);
    }
  }
}
