"""The Keras models the Keras-file checks use, written once for both Keras 3 (`keras`) and tf-keras
(`tf_keras`): both expose the same layer API, so `K` is whichever module builds the model. The
notebook's two models come from notebook_models.py, the one definition of them."""

import notebook_models


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


def notebook(name):
    """The notebook model `name` (scripts/notebook_models.py), built with the Keras module K."""
    return lambda K: notebook_models.build_model(name, api=K.__name__, compile=False)


MODELS = {"simple": notebook("simple"), "double_conv": notebook("double-conv"), "batch_norm": batch_norm}


def residual_cnn(K):
    """Functional ResNet-style CNN: two residual blocks (Add) with BatchNormalization, a projection
    shortcut, GlobalAveragePooling2D."""
    inputs = K.Input((28, 28, 1))
    x = K.layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
    x = K.layers.BatchNormalization()(x)
    x = K.layers.Activation("relu")(x)
    for filters, stride in [(16, 1), (32, 2)]:
        y = K.layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
        y = K.layers.BatchNormalization()(y)
        y = K.layers.Activation("relu")(y)
        y = K.layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
        y = K.layers.BatchNormalization()(y)
        shortcut = x if stride == 1 else K.layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        x = K.layers.Activation("relu")(K.layers.Add()([shortcut, y]))
    x = K.layers.GlobalAveragePooling2D()(x)
    outputs = K.layers.Dense(10, activation="softmax")(x)
    return K.Model(inputs, outputs, name="residual_cnn")


def separable_cnn(K):
    """Inception-style branches (separable, depthwise + pointwise, pooled) joined by Concatenate."""
    inputs = K.Input((28, 28, 1))
    x = K.layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(inputs)
    for _ in range(2):
        a = K.layers.SeparableConv2D(16, 3, padding="same", activation="relu")(x)
        b = K.layers.DepthwiseConv2D(3, padding="same", activation="relu")(x)
        b = K.layers.Conv2D(16, 1, activation="relu")(b)
        c = K.layers.AveragePooling2D(3, strides=1, padding="same")(x)
        x = K.layers.Concatenate()([a, b, c])
        x = K.layers.MaxPooling2D(2)(x)
    x = K.layers.GlobalAveragePooling2D()(x)
    x = K.layers.Dense(10)(x)
    outputs = K.layers.Softmax()(x)
    return K.Model(inputs, outputs, name="separable_cnn")


def augmented_cnn(K):
    """Keras 3's augmentation layers in front of a small CNN (active in fit only)."""
    inputs = K.Input((28, 28, 1))
    x = K.layers.RandomRotation(0.03)(inputs)
    x = K.layers.RandomZoom(0.1)(x)
    x = K.layers.RandomTranslation(0.1, 0.1)(x)
    x = K.layers.RandomContrast(0.1)(x)
    x = K.layers.Conv2D(16, 3, activation="relu")(x)
    x = K.layers.MaxPooling2D(2)(x)
    x = K.layers.Flatten()(x)
    outputs = K.layers.Dense(10, activation="softmax")(x)
    return K.Model(inputs, outputs, name="augmented_cnn")


# Functional models for make interop: trained on a slice of the data, so that the check stays short.
FUNCTIONAL = {"residual_cnn": residual_cnn, "separable_cnn": separable_cnn, "augmented_cnn": augmented_cnn}


def write_probabilities(path, probabilities):
    """One row per image, one column per class, float32 values printed exactly (9 digits)."""
    import numpy as np
    np.savetxt(path, np.asarray(probabilities, dtype=np.float32), fmt="%.9g", delimiter=",")
