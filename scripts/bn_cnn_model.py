#!/usr/bin/env python3
"""bn-cnn (io.digits.model.Architecture.BN_CNN) and its default training recipe (TrainConfig.defaults) in
Keras 3, for `make bench`.

The same layers (326,954 parameters), augmentation (rotation, zoom and shift, bilinear, 0 outside),
dropout, optimizer (Adam) and schedule (CosineDecay from 0 with a linear warm-up to the peak, then
half a cosine down to ALPHA of it, then flat), batch, epochs and the notebook's split, so that
bench/run.py can set Keras's time to an accuracy beside `digits train --model bn-cnn`. Keras's
BatchNormalization computes the same function as digits' fused kernel (to float32 rounding).

    python scripts/bn_cnn_model.py                      # summary and parameter count, no training
    python scripts/bn_cnn_model.py fit data/train.csv     # one line per epoch with val_accuracy
    python scripts/bn_cnn_model.py fit data/train.csv 3   # the same recipe cut to 3 epochs
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

EXPECTED_PARAMS = 326_954
# TrainConfig.defaults(BN_CNN) and Architecture.BN_CNN: keep in step
EPOCHS = 6
BATCH = 64
PEAK_LEARNING_RATE = 0.002
WARMUP_EPOCHS = 0.5
DECAY_EPOCHS = 4.5
ALPHA = 0.05
LABEL_SMOOTHING = 0.0
DROPOUT = 0.1
ROTATION_DEGREES = 6
ZOOM = 0.06
SHIFT = 0.06


def build_model():
    """Augmentation, two stages of Conv3-Conv3-Conv5/2 (32, 64 filters; each BN + ReLU, no conv bias)
    with Dropout, then Dense 128 + BN + ReLU + Dropout and Dense 10 softmax."""
    import keras
    from keras import layers

    stack = [
        keras.Input((28, 28, 1)),
        layers.RandomRotation(ROTATION_DEGREES / 360, fill_mode="constant", interpolation="bilinear"),
        layers.RandomZoom(ZOOM, fill_mode="constant", interpolation="bilinear"),
        layers.RandomTranslation(SHIFT, SHIFT, fill_mode="constant", interpolation="bilinear"),
    ]
    for filters in (32, 64):
        for size, stride, padding in ((3, 1, "valid"), (3, 1, "valid"), (5, 2, "same")):
            stack += [layers.Conv2D(filters, size, strides=stride, padding=padding, use_bias=False),
                      layers.BatchNormalization(), layers.ReLU()]
        stack.append(layers.Dropout(DROPOUT))
    stack += [layers.Flatten(), layers.Dense(128), layers.BatchNormalization(), layers.ReLU(),
              layers.Dropout(DROPOUT), layers.Dense(10, activation="softmax")]
    return keras.Sequential(stack, name="bn_cnn")


def fit(path, epochs):
    import keras

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
    from keras_bench import load_training, split

    class EpochLine(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(f"Epoch {epoch + 1} - accuracy: {logs['accuracy']:.4f} - loss: {logs['loss']:.4f}"
                  f" - val_accuracy: {logs['val_accuracy']:.4f} - val_loss: {logs['val_loss']:.4f}", flush=True)

    keras.utils.set_random_seed(2)
    x_train, y_train, x_val, y_val = split(*load_training(path))
    steps = -(-len(x_train) // BATCH)
    # TrainConfig.schedule: epochs to steps rounded half up (Java's Math.round)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, int(DECAY_EPOCHS * steps + 0.5), alpha=ALPHA, warmup_target=PEAK_LEARNING_RATE,
        warmup_steps=int(WARMUP_EPOCHS * steps + 0.5))
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=LABEL_SMOOTHING), metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=BATCH, epochs=epochs, validation_data=(x_val, y_val), verbose=0,
              callbacks=[EpochLine()])


def main(argv):
    if argv[:1] == ["fit"]:
        fit(argv[1], int(argv[2]) if len(argv) > 2 else EPOCHS)
        return 0
    model = build_model()
    model.summary()
    count = model.count_params()
    print(f"parameters: {count:,} (digits' bn-cnn: {EXPECTED_PARAMS:,})")
    return 0 if count == EXPECTED_PARAMS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
