package io.digits.model;

import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;

/**
 * Keras's initializers (keras/src/initializers), drawn in Java from a seeded generator so that
 * {@code --seed} fixes every start weight. The distributions are Keras's; the draws are not (Keras's
 * generator is TensorFlow's), so a Keras {@code seed} argument does not reproduce Keras's values.
 */
public interface Initializer {

  /** Row-major values of {@code shape}. */
  float[] values(Shape shape, SplittableRandom random);

  Initializer ZEROS = new Constant(0f);
  Initializer ONES = new Constant(1f);
  Initializer GLOROT_UNIFORM = new VarianceScaling(1, FanMode.FAN_AVG, Distribution.UNIFORM);

  /** Keras {@code Constant(value)}, {@code Zeros}, {@code Ones}. */
  record Constant(float value) implements Initializer {
    @Override
    public float[] values(Shape shape, SplittableRandom random) {
      float[] v = new float[(int) shape.size()];
      java.util.Arrays.fill(v, value);
      return v;
    }
  }

  /** Which fan {@link VarianceScaling} divides by. */
  enum FanMode { FAN_IN, FAN_OUT, FAN_AVG }

  /** {@link VarianceScaling}'s distributions; Keras's {@code normal} is {@code truncated_normal}. */
  enum Distribution { TRUNCATED_NORMAL, UNTRUNCATED_NORMAL, UNIFORM }

  /**
   * Keras {@code VarianceScaling(scale, mode, distribution)}: variance {@code scale / fan}; uniform in
   * +-sqrt(3 scale / fan), or normal of that variance (truncated at 2 standard deviations, with
   * Keras's correction 0.8796 of the standard deviation). Glorot, He and LeCun are special cases.
   */
  record VarianceScaling(double scale, FanMode mode, Distribution distribution) implements Initializer {
    public static VarianceScaling glorotUniform() {
      return new VarianceScaling(1, FanMode.FAN_AVG, Distribution.UNIFORM);
    }

    public static VarianceScaling glorotNormal() {
      return new VarianceScaling(1, FanMode.FAN_AVG, Distribution.TRUNCATED_NORMAL);
    }

    public static VarianceScaling heUniform() {
      return new VarianceScaling(2, FanMode.FAN_IN, Distribution.UNIFORM);
    }

    public static VarianceScaling heNormal() {
      return new VarianceScaling(2, FanMode.FAN_IN, Distribution.TRUNCATED_NORMAL);
    }

    public static VarianceScaling lecunUniform() {
      return new VarianceScaling(1, FanMode.FAN_IN, Distribution.UNIFORM);
    }

    public static VarianceScaling lecunNormal() {
      return new VarianceScaling(1, FanMode.FAN_IN, Distribution.TRUNCATED_NORMAL);
    }

    @Override
    public float[] values(Shape shape, SplittableRandom random) {
      double[] fans = fans(shape);
      double fan = switch (mode) {
        case FAN_IN -> fans[0];
        case FAN_OUT -> fans[1];
        case FAN_AVG -> (fans[0] + fans[1]) / 2;
      };
      double variance = scale / Math.max(1, fan);
      return switch (distribution) {
        case UNIFORM -> {
          double limit = Math.sqrt(3 * variance);
          yield new RandomUniform(-limit, limit).values(shape, random);
        }
        case TRUNCATED_NORMAL -> new RandomNormal(0, Math.sqrt(variance) / .87962566103423978, true).values(shape, random);
        case UNTRUNCATED_NORMAL -> new RandomNormal(0, Math.sqrt(variance), false).values(shape, random);
      };
    }

    /** Keras's {@code compute_fans}: the last two dims are (in, out); leading dims (the window) multiply both. */
    static double[] fans(Shape shape) {
      long[] dims = shape.asArray();
      if (dims.length < 2) {
        double fan = dims.length == 0 ? 1 : dims[0];
        return new double[] {fan, fan};
      }
      long receptive = 1;
      for (int i = 0; i < dims.length - 2; i++) {
        receptive *= dims[i];
      }
      return new double[] {dims[dims.length - 2] * receptive, dims[dims.length - 1] * receptive};
    }
  }

  /** Keras {@code RandomUniform(minval, maxval)} (defaults -0.05, 0.05). */
  record RandomUniform(double min, double max) implements Initializer {
    @Override
    public float[] values(Shape shape, SplittableRandom random) {
      float[] v = new float[(int) shape.size()];
      double half = (max - min) / 2;
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (min + half + (random.nextDouble() * 2 - 1) * half);
      }
      return v;
    }
  }

  /** Keras {@code RandomNormal(mean, stddev)}, or {@code TruncatedNormal}: redrawn beyond 2 standard deviations. */
  record RandomNormal(double mean, double stddev, boolean truncated) implements Initializer {
    @Override
    public float[] values(Shape shape, SplittableRandom random) {
      float[] v = new float[(int) shape.size()];
      for (int i = 0; i < v.length; i++) {
        double z = random.nextGaussian();
        while (truncated && Math.abs(z) > 2) {
          z = random.nextGaussian();
        }
        v[i] = (float) (mean + stddev * z);
      }
      return v;
    }
  }

  /**
   * Keras {@code Orthogonal(gain)}: the shape flattened to (rows, last dim), an orthonormal set of
   * rows or columns (whichever is fewer) from the QR decomposition of a normal matrix, times gain.
   */
  record Orthogonal(double gain) implements Initializer {
    @Override
    public float[] values(Shape shape, SplittableRandom random) {
      long[] dims = shape.asArray();
      int cols = (int) dims[dims.length - 1];
      int rows = (int) (shape.size() / cols);
      int n = Math.max(rows, cols);
      int k = Math.min(rows, cols);
      // k orthonormal vectors of length n: Gram-Schmidt on normal draws is Q of QR with diag(R) > 0,
      // which is what Keras's q * sign(diag(r)) makes of its QR.
      double[][] q = new double[k][n];
      for (int j = 0; j < k; j++) {
        for (int i = 0; i < n; i++) {
          q[j][i] = random.nextGaussian();
        }
        for (int p = 0; p < j; p++) {
          double dot = 0;
          for (int i = 0; i < n; i++) {
            dot += q[j][i] * q[p][i];
          }
          for (int i = 0; i < n; i++) {
            q[j][i] -= dot * q[p][i];
          }
        }
        double norm = 0;
        for (int i = 0; i < n; i++) {
          norm += q[j][i] * q[j][i];
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < n; i++) {
          q[j][i] /= norm;
        }
      }
      float[] v = new float[rows * cols];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          v[r * cols + c] = (float) (gain * (rows >= cols ? q[c][r] : q[r][c]));
        }
      }
      return v;
    }
  }
}
