"""The reference notebook's two Keras models and its compile settings (PRODUCT.md section 2)."""
import keras
from keras import layers


def simple():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def double_conv():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (5, 5), padding="same", activation="relu"),
        layers.MaxPool2D(pool_size=(2, 2)),
        layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        layers.MaxPool2D(pool_size=(2, 2), strides=(2, 2)),
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


MODELS = {"simple": simple, "double-conv": double_conv}


def compiled(name):
    model = MODELS[name]()
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-08),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model
