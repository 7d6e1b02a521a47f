"""Writes the small Keras files the unit tests load without Python (src/test/resources/keras-files/):
two tiny untrained models with seeded random weights (every BatchNormalization statistic too, so the
tests exercise the formula, not an identity), saved by Keras 3 (.keras, .h5) and tf-keras (.h5), and
each file's probabilities on 16 synthetic images, pixel[i][k] = (i*37 + k*11) % 256 / 255
(SyntheticDigits.formula in the Java tests), as <file>.expected.csv.

Usage: python scripts/make_keras_test_fixtures.py [--out src/test/resources/keras-files]
"""
import argparse
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_models  # noqa: E402


def tiny_conv(K):
    """The double-conv shape in miniature, with strides and a "same"-padded pool."""
    return K.Sequential([
        K.Input((28, 28, 1)),
        K.layers.Conv2D(4, (3, 3), strides=(2, 2), padding="same", activation="relu"),
        K.layers.MaxPooling2D((2, 2), padding="same"),
        K.layers.Conv2D(6, (3, 3), activation="tanh"),
        K.layers.Flatten(),
        K.layers.Dense(16, activation="sigmoid"),
        K.layers.Dropout(0.5),
        K.layers.Dense(10, activation="softmax"),
    ], name="tiny_conv")


def tiny_batch_norm(K):
    return keras_models.batch_norm(K, filters=4, units=8)


def formula_images(n=16):
    i = np.arange(n)[:, None]
    k = np.arange(784)[None, :]
    return (((i * 37 + k * 11) % 256) / 255.0).astype(np.float32).reshape(n, 28, 28, 1)


def randomize(model, seed):
    """Seeded weights of a realistic scale; variances stay positive."""
    rng = np.random.default_rng(seed)
    values = []
    for w in model.weights:
        shape = tuple(w.shape)
        if "moving_variance" in w.name:
            values.append(rng.uniform(0.5, 2.0, shape))
        elif "gamma" in w.name:
            values.append(rng.uniform(0.5, 1.5, shape))
        else:
            values.append(rng.normal(0.0, 0.3, shape))
    model.set_weights([v.astype(np.float32) for v in values])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="src/test/resources/keras-files")
    args = parser.parse_args()

    import keras
    import tf_keras

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    images = formula_images()
    writers = {"keras3": (keras, [".keras", ".h5"]), "tfkeras": (tf_keras, [".h5"])}
    for prefix, (K, suffixes) in writers.items():
        for seed, (name, build) in enumerate([("tiny_conv", tiny_conv), ("tiny_batch_norm", tiny_batch_norm)]):
            model = build(K)
            randomize(model, seed)
            for suffix in suffixes:
                path = out / f"{prefix}_{name}{suffix}"
                model.save(path)
                reloaded = K.models.load_model(path)
                keras_models.write_probabilities(f"{path}.expected.csv", reloaded.predict(images, verbose=0))
                print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
