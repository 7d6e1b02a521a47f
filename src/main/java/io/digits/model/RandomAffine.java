package io.digits.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.image.ImageProjectiveTransformV3;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Data augmentation inside the graph, what Keras's {@code RandomRotation}, {@code RandomZoom} and
 * {@code RandomTranslation} preprocessing layers do together: while training, every image gets its
 * own random affine warp about its centre (rotation within +-{@code maxDegrees}, zoom by a factor in
 * [1 - zoom, 1 + zoom], shift of up to +-{@code shift} of the image size along each axis), bilinear,
 * with black (0) outside the source. At inference it adds no op, so validation and the serving graph
 * see the images as they are; labels never pass through it.
 *
 * <p>The draws come from the training step's seed plus {@code salt}, as {@link Dropout}'s masks do,
 * so a resumed run warps exactly the images the uninterrupted one would have.
 */
public final class RandomAffine implements Layer {
  private final float maxDegrees;
  private final float zoom;
  private final float shift;
  private final long salt;
  private Parameters params;
  private long height;
  private long width;

  public RandomAffine(float maxDegrees, float zoom, float shift, long salt) {
    this.maxDegrees = maxDegrees;
    this.zoom = zoom;
    this.shift = shift;
    this.salt = salt;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (input.numDimensions() != 4) {
      throw new IllegalArgumentException("RandomAffine needs an NHWC input, got " + input);
    }
    this.params = params;
    height = input.size(1);
    width = input.size(2);
    return input;
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    if (!training) {
      return x;
    }
    Operand<TInt64> seed = tf.math.add(params.stepSeed(tf), tf.constant(new long[] {salt, 0}));
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> drawShape = tf.concat(List.of(batch, tf.constant(new int[] {4})), tf.constant(0));
    // Four draws per image, each uniform in [-1, 1): angle, zoom, shift x, shift y.
    Operand<TFloat32> u = tf.math.sub(
        tf.math.mul(tf.random.statelessRandomUniform(drawShape, seed, TFloat32.class), tf.constant(2f)),
        tf.constant(1f));
    List<Output<TFloat32>> r = tf.unstack(u, 4L, Unstack.axis(1L)).output();
    Operand<TFloat32> angle = tf.math.mul(r.get(0), tf.constant((float) Math.toRadians(maxDegrees)));
    Operand<TFloat32> scale = tf.math.add(tf.constant(1f), tf.math.mul(r.get(1), tf.constant(zoom)));
    Operand<TFloat32> dx = tf.math.mul(r.get(2), tf.constant(shift * width));
    Operand<TFloat32> dy = tf.math.mul(r.get(3), tf.constant(shift * height));
    return tf.image.imageProjectiveTransformV3(x, transforms(tf, angle, scale, dx, dy),
        tf.constant(new int[] {(int) height, (int) width}), tf.constant(0f), "BILINEAR",
        ImageProjectiveTransformV3.fillMode("CONSTANT"));
  }

  /**
   * Per image the 8 numbers {@code [a0 a1 a2 b0 b1 b2 0 0]} of TF's projective transform, which maps
   * each output pixel (x, y) to the input point (a0 x + a1 y + a2, b0 x + b1 y + b2): a rotation
   * and scaling about the centre ((w-1)/2, (h-1)/2), as Keras places it, then the shift.
   */
  private Operand<TFloat32> transforms(Ops tf, Operand<TFloat32> angle, Operand<TFloat32> scale,
      Operand<TFloat32> dx, Operand<TFloat32> dy) {
    Operand<TFloat32> cos = tf.math.div(tf.math.cos(angle), scale);
    Operand<TFloat32> sin = tf.math.div(tf.math.sin(angle), scale);
    Operand<TFloat32> cx = tf.constant((width - 1) / 2f);
    Operand<TFloat32> cy = tf.constant((height - 1) / 2f);
    // a2 = cx - cos*cx + sin*cy + dx;  b2 = cy - sin*cx - cos*cy + dy
    Operand<TFloat32> a2 = tf.math.add(tf.math.sub(cx, tf.math.sub(tf.math.mul(cos, cx), tf.math.mul(sin, cy))), dx);
    Operand<TFloat32> b2 = tf.math.add(tf.math.sub(cy, tf.math.add(tf.math.mul(sin, cx), tf.math.mul(cos, cy))), dy);
    Operand<TFloat32> zero = tf.zerosLike(cos);
    return tf.stack(List.of(cos, tf.math.neg(sin), a2, sin, cos, b2, zero, zero), Stack.axis(1L));
  }

  public float maxDegrees() {
    return maxDegrees;
  }

  public float zoom() {
    return zoom;
  }

  public float shift() {
    return shift;
  }

  @Override
  public String describe() {
    return "RandomAffine(rotation +-" + maxDegrees + " deg, zoom +-" + zoom + ", shift +-" + shift + ")";
  }
}
