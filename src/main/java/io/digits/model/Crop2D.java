package io.digits.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras {@code ZeroPadding2D(((top, bottom), (left, right)))} (positive amounts: zeros added) and
 * {@code Cropping2D} (negative amounts: rows and columns removed), NHWC.
 */
public final class Crop2D implements Layer {
  private final long top;
  private final long bottom;
  private final long left;
  private final long right;
  private long height;
  private long width;

  /** Amounts added to each side (negative: removed). Padding and cropping are not mixed. */
  private Crop2D(long top, long bottom, long left, long right) {
    this.top = top;
    this.bottom = bottom;
    this.left = left;
    this.right = right;
  }

  public static Crop2D zeroPadding(long top, long bottom, long left, long right) {
    return new Crop2D(top, bottom, left, right);
  }

  public static Crop2D cropping(long top, long bottom, long left, long right) {
    return new Crop2D(-top, -bottom, -left, -right);
  }

  private boolean pads() {
    return top >= 0 && bottom >= 0 && left >= 0 && right >= 0;
  }

  @Override
  public Shape build(Ops tf, Shape input, Parameters params) {
    if (input.numDimensions() != 4) {
      throw new IllegalArgumentException("needs an NHWC input, got " + input);
    }
    if (!pads() && (top > 0 || bottom > 0 || left > 0 || right > 0)) {
      throw new IllegalArgumentException("cannot both pad and crop");
    }
    height = input.size(1) + top + bottom;
    width = input.size(2) + left + right;
    return Shape.of(-1, height, width, input.size(3));
  }

  @Override
  public Operand<TFloat32> call(Ops tf, Operand<TFloat32> x, boolean training) {
    if (pads()) {
      // int32 amounts: the C++ gradients of Pad and Slice build int32 index arithmetic.
      return tf.pad(x, tf.constant(new int[][] {{0, 0}, {(int) top, (int) bottom}, {(int) left, (int) right}, {0, 0}}),
          tf.constant(0f));
    }
    return tf.slice(x, tf.constant(new int[] {0, (int) -top, (int) -left, 0}),
        tf.constant(new int[] {-1, (int) height, (int) width, -1}));
  }

  /** Whether this is Keras's ZeroPadding2D (else Cropping2D). */
  public boolean padding() {
    return pads();
  }

  /** The amounts added or removed: top, bottom, left, right (all at least 0). */
  public long[] sides() {
    return new long[] {Math.abs(top), Math.abs(bottom), Math.abs(left), Math.abs(right)};
  }

  @Override
  public String describe() {
    return (pads() ? "ZeroPadding2D(" : "Cropping2D(") + Math.abs(top) + ", " + Math.abs(bottom) + ", "
        + Math.abs(left) + ", " + Math.abs(right) + ")";
  }
}
