"""The Keras models the interop checks use, written once for both Keras 3 (`keras`) and tf-keras
(`tf_keras`): both expose the same layer API, so `K` is whichever module builds the model."""


def simple(K):
    """The notebook's simple model."""
    return K.Sequential([
        K.Input((28, 28, 1)),
        K.layers.Flatten(),
        K.layers.Dense(256, activation="relu"),
        K.layers.Dropout(0.5),
        K.layers.Dense(10, activation="softmax"),
    ], name="simple")


def double_conv(K):
    """The notebook's double-conv model."""
    return K.Sequential([
        K.Input((28, 28, 1)),
        K.layers.Conv2D(32, (5, 5), padding="same", activation="relu"),
        K.layers.MaxPooling2D((2, 2)),
        K.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        K.layers.MaxPooling2D((2, 2), strides=(2, 2)),
        K.layers.Flatten(),
        K.layers.Dense(256, activation="relu"),
        K.layers.Dropout(0.5),
        K.layers.Dense(10, activation="softmax"),
    ], name="double_conv")


def batch_norm(K, filters=16, units=64):
    """A Functional chain with what the notebook's models lack: a (28, 28) input, Reshape,
    Rescaling with an offset, strides, layers without bias, BatchNormalization after a conv and
    after a dense layer, standalone Activation layers and a trailing Activation("softmax")."""
    inputs = K.Input((28, 28))
    x = K.layers.Reshape((28, 28, 1))(inputs)
    x = K.layers.Rescaling(2.0, offset=-1.0)(x)
    x = K.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = K.layers.BatchNormalization()(x)
    x = K.layers.Activation("relu")(x)
    x = K.layers.MaxPooling2D(2)(x)
    x = K.layers.Conv2D(2 * filters, 3, strides=2, activation="relu")(x)
    x = K.layers.Flatten()(x)
    x = K.layers.Dense(units, use_bias=False)(x)
    x = K.layers.BatchNormalization(momentum=0.9, epsilon=1e-2)(x)
    x = K.layers.Activation("relu")(x)
    x = K.layers.Dropout(0.3)(x)
    x = K.layers.Dense(10)(x)
    outputs = K.layers.Activation("softmax")(x)
    return K.Model(inputs, outputs, name="batch_norm")


MODELS = {"simple": simple, "double_conv": double_conv, "batch_norm": batch_norm}


def write_probabilities(path, probabilities):
    """One row per image, one column per class, float32 values printed exactly (9 digits)."""
    import numpy as np
    np.savetxt(path, np.asarray(probabilities, dtype=np.float32), fmt="%.9g", delimiter=",")
