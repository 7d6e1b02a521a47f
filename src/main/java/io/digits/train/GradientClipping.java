package io.digits.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras 3's gradient clipping (base_optimizer.py, TensorFlow backend), at most one of:
 * {@code clipnorm} (each gradient to that L2 norm, {@code tf.clip_by_norm}), {@code clipvalue}
 * (each element to [-v, v]), {@code global_clipnorm} (all gradients scaled together so that their
 * joint L2 norm is at most that).
 */
public sealed interface GradientClipping {
  GradientClipping NONE = new None();

  List<Operand<TFloat32>> clip(Ops tf, List<Operand<TFloat32>> gradients);

  record None() implements GradientClipping {
    @Override
    public List<Operand<TFloat32>> clip(Ops tf, List<Operand<TFloat32>> gradients) {
      return gradients;
    }
  }

  /** {@code clipnorm}: {@code g * c / max(||g||, c)}, as {@code tf.clip_by_norm} writes it. */
  record ByNorm(double clipnorm) implements GradientClipping {
    @Override
    public List<Operand<TFloat32>> clip(Ops tf, List<Operand<TFloat32>> gradients) {
      Operand<TFloat32> c = tf.constant((float) clipnorm);
      List<Operand<TFloat32>> out = new ArrayList<>();
      for (Operand<TFloat32> g : gradients) {
        Operand<TFloat32> l2sum = tf.reduceSum(tf.math.mul(g, g), allAxes(tf, g),
            ReduceSum.keepDims(true));
        // The two-sided where keeps a zero gradient's norm 0 without a NaN from sqrt's gradient.
        Operand<TBool> positive = tf.math.greater(l2sum, tf.zerosLike(l2sum));
        Operand<TFloat32> safe = tf.select(positive, l2sum, tf.onesLike(l2sum));
        Operand<TFloat32> l2norm = tf.select(positive, tf.math.sqrt(safe), l2sum);
        out.add(tf.math.div(tf.math.mul(g, c), tf.math.maximum(l2norm, c)));
      }
      return out;
    }
  }

  /** {@code clipvalue}: each element into [-v, v]. */
  record ByValue(double clipvalue) implements GradientClipping {
    @Override
    public List<Operand<TFloat32>> clip(Ops tf, List<Operand<TFloat32>> gradients) {
      Operand<TFloat32> hi = tf.constant((float) clipvalue);
      Operand<TFloat32> lo = tf.constant((float) -clipvalue);
      return gradients.stream().map(g -> (Operand<TFloat32>) tf.clipByValue(g, lo, hi)).toList();
    }
  }

  /**
   * {@code global_clipnorm}: with {@code n} the L2 norm of all gradients together, each is scaled
   * by {@code c * min(1/n, 1/c) + (n - n)} (the last term makes the scale NaN when n is not finite).
   */
  record ByGlobalNorm(double globalClipnorm) implements GradientClipping {
    @Override
    public List<Operand<TFloat32>> clip(Ops tf, List<Operand<TFloat32>> gradients) {
      List<Operand<TFloat32>> squares = new ArrayList<>();
      for (Operand<TFloat32> g : gradients) {
        squares.add(tf.reduceSum(tf.math.square(g), allAxes(tf, g)));
      }
      Operand<TFloat32> norm = tf.math.sqrt(tf.reduceSum(tf.stack(squares), tf.constant(0)));
      Operand<TFloat32> scaleForFinite = tf.math.mul(tf.constant((float) globalClipnorm),
          tf.math.minimum(tf.math.div(tf.constant(1f), norm), tf.constant((float) (1.0 / globalClipnorm))));
      Operand<TFloat32> scale = tf.math.add(scaleForFinite, tf.math.sub(norm, norm));
      return gradients.stream().map(g -> (Operand<TFloat32>) tf.math.mul(g, scale)).toList();
    }
  }

  private static Operand<TInt32> allAxes(Ops tf, Operand<TFloat32> g) {
    int rank = g.shape().numDimensions();
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return tf.constant(axes);
  }
}
