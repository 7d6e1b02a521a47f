package io.digits.export;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Test-time augmentation inside the serving graph ({@code --tta}): every image is also scored
 * shifted by one pixel up, down, left and right (the vacated row or column is 0, background), and
 * the five probability rows are averaged. The views go through the model as one batch of 5n images,
 * so one model call serves them all.
 */
final class TestTimeShifts {
  /** (rows, columns) each view is moved by; the first is the image as it is. */
  static final int[][] SHIFTS = {{0, 0}, {-1, 0}, {1, 0}, {0, -1}, {0, 1}};

  private TestTimeShifts() {}

  /** [n,28,28,1] -> [5n,28,28,1]: the views of {@link #SHIFTS}, view after view. */
  static Operand<TFloat32> views(Ops tf, Operand<TFloat32> images) {
    Operand<TFloat32> padded = tf.pad(images, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}),
        tf.constant(0f));
    List<Operand<TFloat32>> views = new ArrayList<>();
    for (int[] s : SHIFTS) {
      // Reading the padded image from row 1 - dy moves its content down by dy.
      views.add(tf.slice(padded, tf.constant(new int[] {0, 1 - s[0], 1 - s[1], 0}),
          tf.constant(new int[] {-1, 28, 28, 1})));
    }
    return tf.concat(views, tf.constant(0));
  }

  /** [5n,classes] probabilities of the views -> [n,classes], their mean. */
  static Operand<TFloat32> average(Ops tf, Operand<TFloat32> probabilities) {
    Operand<TFloat32> perView = tf.reshape(probabilities, tf.constant(new int[] {SHIFTS.length, -1, 10}));
    return tf.math.mean(perView, tf.constant(0));
  }
}
