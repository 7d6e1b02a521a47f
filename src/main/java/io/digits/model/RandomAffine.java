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
  private final float zoomWidth;
  private final float shiftHeight;
  private final float shiftWidth;
  private final String fillMode;
  private final String interpolation;
  private final float fillValue;
  private final long salt;
  private Parameters params;
  private long height;
  private long width;

  public RandomAffine(float maxDegrees, float zoom, float shift, long salt) {
    this(maxDegrees, zoom, Float.NaN, shift, shift, "CONSTANT", "BILINEAR", 0f, salt);
  }

  /**
   * The general warp, as Keras's layers configure it: {@code zoomWidth} NaN keeps the aspect ratio
   * (one zoom for both axes); shifts are fractions of the height and width; {@code fillMode} one of
   * TF's REFLECT, WRAP, CONSTANT, NEAREST; {@code interpolation} BILINEAR or NEAREST.
   */
  public RandomAffine(float maxDegrees, float zoom, float zoomWidth, float shiftHeight, float shiftWidth,
      String fillMode, String interpolation, float fillValue, long salt) {
    this.maxDegrees = maxDegrees;
    this.zoom = zoom;
    this.zoomWidth = zoomWidth;
    this.shiftHeight = shiftHeight;
    this.shiftWidth = shiftWidth;
    this.fillMode = fillMode;
    this.interpolation = interpolation;
    this.fillValue = fillValue;
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
    Operand<TInt64> seed = params.stepSeed(tf, salt);
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> drawShape = tf.concat(List.of(batch, tf.constant(new int[] {4})), tf.constant(0));
    // Four draws per image, each uniform in [-1, 1): angle, zoom, shift x, shift y.
    Operand<TFloat32> u = tf.math.sub(
        tf.math.mul(tf.random.statelessRandomUniform(drawShape, seed, TFloat32.class), tf.constant(2f)),
        tf.constant(1f));
    List<Output<TFloat32>> r = tf.unstack(u, 4L, Unstack.axis(1L)).output();
    Operand<TFloat32> angle = tf.math.mul(r.get(0), tf.constant((float) Math.toRadians(maxDegrees)));
    Operand<TFloat32> scaleY = tf.math.add(tf.constant(1f), tf.math.mul(r.get(1), tf.constant(zoom)));
    Operand<TFloat32> scaleX = scaleY;
    if (!Float.isNaN(zoomWidth)) {
      // A draw of its own, so that the four above stay what they were for the aspect-keeping warp.
      Operand<TFloat32> v = tf.random.statelessRandomUniform(batch, tf.math.add(seed, tf.constant(new long[] {0, 1L << 40})),
          TFloat32.class);
      scaleX = tf.math.add(tf.constant(1f),
          tf.math.mul(tf.math.sub(tf.math.mul(v, tf.constant(2f)), tf.constant(1f)), tf.constant(zoomWidth)));
    }
    Operand<TFloat32> dx = tf.math.mul(r.get(2), tf.constant(shiftWidth * width));
    Operand<TFloat32> dy = tf.math.mul(r.get(3), tf.constant(shiftHeight * height));
    return tf.image.imageProjectiveTransformV3(x, transforms(tf, angle, scaleX, scaleY, dx, dy),
        tf.constant(new int[] {(int) height, (int) width}), tf.constant(fillValue), interpolation,
        ImageProjectiveTransformV3.fillMode(fillMode));
  }

  /**
   * Per image the 8 numbers {@code [a0 a1 a2 b0 b1 b2 0 0]} of TF's projective transform, which maps
   * each output pixel (x, y) to the input point (a0 x + a1 y + a2, b0 x + b1 y + b2): a rotation
   * and scaling about the centre ((w-1)/2, (h-1)/2), as Keras places it, then the shift.
   */
  private Operand<TFloat32> transforms(Ops tf, Operand<TFloat32> angle, Operand<TFloat32> scaleX,
      Operand<TFloat32> scaleY, Operand<TFloat32> dx, Operand<TFloat32> dy) {
    Operand<TFloat32> cosX = tf.math.div(tf.math.cos(angle), scaleX);
    Operand<TFloat32> sinX = tf.math.div(tf.math.sin(angle), scaleX);
    Operand<TFloat32> cosY = scaleX == scaleY ? cosX : tf.math.div(tf.math.cos(angle), scaleY);
    Operand<TFloat32> sinY = scaleX == scaleY ? sinX : tf.math.div(tf.math.sin(angle), scaleY);
    Operand<TFloat32> cx = tf.constant((width - 1) / 2f);
    Operand<TFloat32> cy = tf.constant((height - 1) / 2f);
    // a2 = cx - cos*cx + sin*cy + dx;  b2 = cy - sin*cx - cos*cy + dy
    Operand<TFloat32> a2 = tf.math.add(tf.math.sub(cx, tf.math.sub(tf.math.mul(cosX, cx), tf.math.mul(sinX, cy))), dx);
    Operand<TFloat32> b2 = tf.math.add(tf.math.sub(cy, tf.math.add(tf.math.mul(sinY, cx), tf.math.mul(cosY, cy))), dy);
    Operand<TFloat32> zero = tf.zerosLike(cosX);
    return tf.stack(List.of(cosX, tf.math.neg(sinX), a2, sinY, cosY, b2, zero, zero), Stack.axis(1L));
  }

  public float maxDegrees() {
    return maxDegrees;
  }

  public float zoom() {
    return zoom;
  }

  /** The zoom range of the width, or NaN where it zooms as the height does. */
  public float zoomWidth() {
    return zoomWidth;
  }

  public float shiftHeight() {
    return shiftHeight;
  }

  public float shiftWidth() {
    return shiftWidth;
  }

  /** TF's fill mode name, e.g. {@code CONSTANT}. */
  public String fillMode() {
    return fillMode;
  }

  public float fillValue() {
    return fillValue;
  }

  /** TF's interpolation name, e.g. {@code BILINEAR}. */
  public String interpolation() {
    return interpolation;
  }

  @Override
  public String describe() {
    return "RandomAffine(rotation +-" + maxDegrees + " deg, zoom +-" + zoom
        + (Float.isNaN(zoomWidth) ? "" : " x +-" + zoomWidth) + ", shift +-" + shiftHeight + " x +-" + shiftWidth
        + (fillMode.equals("CONSTANT") && fillValue == 0f ? "" : ", fill " + fillMode.toLowerCase() + " " + fillValue)
        + (interpolation.equals("BILINEAR") ? "" : ", " + interpolation.toLowerCase()) + ")";
  }
}
