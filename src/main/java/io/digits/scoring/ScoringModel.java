package io.digits.scoring;

import org.tensorflow.ndarray.buffer.FloatDataBuffer;

/** A model that scores digit images: a SavedModel, or a model built here from a Keras file. */
interface ScoringModel extends AutoCloseable {

  /**
   * Class probabilities (or the model's scores), one row per image, of {@code n} images already
   * scaled as the model takes them: {@code n*784} floats, row-major 28x28 per image.
   */
  float[][] predict(FloatDataBuffer images, long n);

  /** What is scored and how it is fed, in one line. */
  String description();

  @Override
  void close();
}
