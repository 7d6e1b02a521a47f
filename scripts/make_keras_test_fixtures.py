"""Writes the small Keras files the unit tests load without Python (src/test/resources/keras-files/):
tiny untrained models with seeded random weights (every BatchNormalization statistic too, so the
tests exercise the formula, not an identity) -- two chains, and three Functional models (a residual
CNN with a shared layer and a nested Sequential; separable/depthwise branches joined by Concatenate
with many layer kinds and activations; the augmentation and noise layers, which are identities at
inference) -- saved by Keras 3 (.keras, .h5) and tf-keras (.h5), and
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


def tiny_residual(K):
    """Functional: stem, a residual block (Add) around a nested Sequential, a 1x1 conv shared by two
    branches, BatchNormalization, GlobalAveragePooling2D."""
    inputs = K.Input((28, 28, 1), name="image")
    x = K.layers.Conv2D(6, 3, strides=2, padding="same", activation="relu", name="stem")(inputs)
    block = K.Sequential([
        K.Input((14, 14, 6)),
        K.layers.Conv2D(6, 3, padding="same", use_bias=False),
        K.layers.BatchNormalization(),
        K.layers.Activation("relu"),
        K.layers.Conv2D(6, 3, padding="same"),
    ], name="block")
    y = K.layers.Add()([x, block(x)])
    shared = K.layers.Conv2D(6, 1, activation="tanh", name="shared")
    a = shared(y)
    b = shared(K.layers.MaxPooling2D(1)(x))
    z = K.layers.Add()([a, b, y])
    z = K.layers.BatchNormalization()(z)
    z = K.layers.GlobalAveragePooling2D()(z)
    outputs = K.layers.Dense(10, activation="softmax")(z)
    return K.Model(inputs, outputs, name="tiny_residual")


def tiny_branches(K):
    """Functional: separable, depthwise and dilated branches joined by Concatenate, then the merges,
    normalizations, parametric activations and activation functions the importer reads."""
    keras3 = K.__name__ == "keras"
    slope = {"negative_slope": 0.1} if keras3 else {"alpha": 0.1}
    inputs = K.Input((28, 28), name="pixels")
    x = K.layers.Reshape((28, 28, 1))(inputs)
    x = K.layers.ZeroPadding2D(((1, 2), (0, 1)))(x)
    x = K.layers.Cropping2D(((1, 2), (0, 1)))(x)
    x = K.layers.Conv2D(4, 3, strides=2, activation="selu")(x)
    p = K.layers.SeparableConv2D(4, 3, padding="same", depth_multiplier=2, activation="gelu")(x)
    q = K.layers.DepthwiseConv2D(3, padding="same", depth_multiplier=1, activation="swish")(x)
    r = K.layers.Conv2D(4, 3, padding="same", dilation_rate=2, groups=2, activation="softplus")(x)
    s = K.layers.AveragePooling2D(3, strides=1, padding="same")(x)
    x = K.layers.Concatenate()([p, q, r, s])
    x = K.layers.LayerNormalization(epsilon=1e-2)(x)
    x = K.layers.PReLU(shared_axes=[1, 2])(x)
    m = K.layers.Conv2D(4, 1, activation="softsign")(x)
    n = K.layers.Conv2D(4, 1, activation="sigmoid" if not keras3 else "hard_sigmoid")(x)
    x = K.layers.Concatenate()([
        K.layers.Multiply()([m, n]),
        K.layers.Subtract()([m, n]),
        K.layers.Average()([m, n]),
        K.layers.Maximum()([m, n]),
    ])
    x = K.layers.ELU(alpha=0.7)(x)
    x = K.layers.LeakyReLU(**slope)(x)
    x = K.layers.ReLU(max_value=2.0, negative_slope=0.05, threshold=0.1)(x)
    x = K.layers.MaxPooling2D(2)(x)
    g = K.layers.GlobalMaxPooling2D()(x)
    h = K.layers.GlobalAveragePooling2D()(x)
    x = K.layers.Concatenate()([g, h])
    x = K.layers.Dense(12, activation="relu6")(x)
    x = K.layers.Dense(10)(x)
    outputs = K.layers.Softmax()(x)
    return K.Model(inputs, outputs, name="tiny_branches")


def tiny_augment(K):
    """The augmentation and noise layers (active only in training) in front of a small CNN."""
    inputs = K.Input((28, 28, 1))
    x = K.layers.RandomRotation(0.05, fill_mode="constant")(inputs)
    x = K.layers.RandomZoom(0.1, 0.05)(x)
    x = K.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest")(x)
    x = K.layers.RandomContrast(0.2)(x)
    x = K.layers.GaussianNoise(0.1)(x)
    x = K.layers.Conv2D(4, 3, strides=2, activation="elu")(x)
    x = K.layers.SpatialDropout2D(0.2)(x)
    x = K.layers.GaussianDropout(0.2)(x)
    x = K.layers.Flatten()(x)
    x = K.layers.Dense(10, activation="log_softmax")(x)
    outputs = K.layers.Activation("softmax")(x)
    return K.Model(inputs, outputs, name="tiny_augment")


MODELS = [("tiny_conv", tiny_conv), ("tiny_batch_norm", tiny_batch_norm), ("tiny_residual", tiny_residual),
          ("tiny_branches", tiny_branches), ("tiny_augment", tiny_augment)]


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
        for seed, (name, build) in enumerate(MODELS):
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
