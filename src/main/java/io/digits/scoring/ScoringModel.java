package io.digits.scoring;

import io.digits.data.Dataset;

/** A model that scores digit images: a SavedModel, or a model built here from a Keras file. */
public interface ScoringModel extends AutoCloseable {

  /** Class probabilities (or the model's scores), one row of {@code classes} floats per image. */
  float[][] predict(Dataset images);

  /** What is scored and how it is fed, in one line. */
  String description();

  @Override
  void close();
}
