package io.digits.model;

import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;

/** Keras's initializers, drawn in Java from a seeded generator so that a seed fixes every start weight. */
public enum Initializer {
  /** Keras {@code glorot_uniform}: U(-l, l), l = sqrt(6 / (fan_in + fan_out)). */
  GLOROT_UNIFORM {
    @Override
    public float[] values(Shape shape, SplittableRandom random) {
      long[] dims = shape.asArray();
      // Keras: the last two dims are (in, out); any leading dims (the conv window) multiply both fans.
      long receptive = 1;
      for (int i = 0; i < dims.length - 2; i++) {
        receptive *= dims[i];
      }
      double fanIn = dims[dims.length - 2] * receptive;
      double fanOut = dims[dims.length - 1] * receptive;
      double limit = Math.sqrt(6.0 / (fanIn + fanOut));
      float[] v = new float[(int) shape.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
      return v;
    }
  },
  ZEROS {
    @Override
    public float[] values(Shape shape, SplittableRandom random) {
      return new float[(int) shape.size()];
    }
  },
  ONES {
    @Override
    public float[] values(Shape shape, SplittableRandom random) {
      float[] v = new float[(int) shape.size()];
      java.util.Arrays.fill(v, 1f);
      return v;
    }
  };

  public abstract float[] values(Shape shape, SplittableRandom random);
}
