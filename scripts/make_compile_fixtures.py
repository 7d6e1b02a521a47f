"""Writes the Keras files whose compile settings the unit tests read without Python
(src/test/resources/compile/): a model of one tiny Dense layer (the weights do not matter), compiled
with the optimizers, schedules, losses and metrics that CompileSettings supports, and saved by
Keras 3 (.keras, and legacy .h5 with its `training_config`) and by tf-keras (.h5). Plus one file
saved uncompiled. CompileSettingsTest names what each file holds.

Usage: python scripts/make_compile_fixtures.py [--out src/test/resources/compile]
"""
import argparse
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
warnings.filterwarnings("ignore")


def tiny(K):
    return K.Sequential([K.Input((4,)), K.layers.Dense(3, activation="softmax")])


def keras3(out):
    import keras as K
    S = K.optimizers.schedules
    files = {
        "sgd_nesterov_exponential.keras": (
            K.optimizers.SGD(S.ExponentialDecay(0.1, 100, 0.9, staircase=True), momentum=0.9, nesterov=True),
            K.losses.SparseCategoricalCrossentropy(), ["accuracy"]),
        "adam_clipnorm_smoothing.keras": (
            K.optimizers.Adam(0.002, beta_2=0.99, clipnorm=1.0),
            K.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
            [K.metrics.CategoricalAccuracy()]),
        "adamw_cosine_warmup.keras": (
            K.optimizers.AdamW(S.CosineDecay(0.001, 1000, alpha=0.1, warmup_target=0.01, warmup_steps=100),
                               weight_decay=0.01, amsgrad=True, global_clipnorm=2.0),
            "categorical_crossentropy", ["acc"]),
        "nadam_piecewise.h5": (
            K.optimizers.Nadam(S.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]), clipvalue=0.5),
            "sparse_categorical_crossentropy", ["sparse_categorical_accuracy"]),
        "adafactor.keras": (K.optimizers.Adafactor(), "categorical_crossentropy", ["accuracy"]),
    }
    for name, (optimizer, loss, metrics) in files.items():
        model = tiny(K)
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
        model.save(os.path.join(out, name))
    tiny(K).save(os.path.join(out, "uncompiled.keras"))


def tf_keras(out):
    import tf_keras as K
    S = K.optimizers.schedules
    model = tiny(K)
    model.compile(optimizer=K.optimizers.RMSprop(S.InverseTimeDecay(0.01, 50, 0.5), momentum=0.5, centered=True),
                  loss=K.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.save(os.path.join(out, "tf_keras_rmsprop_centered.h5"))
    model = tiny(K)
    model.compile(optimizer=K.optimizers.legacy.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    model.save(os.path.join(out, "tf_keras_legacy_adam.h5"))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="src/test/resources/compile")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    keras3(args.out)
    tf_keras(args.out)


if __name__ == "__main__":
    main()
