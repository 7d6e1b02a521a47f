#!/usr/bin/env python3
"""The reference notebook's two Keras models (PRODUCT.md section 2), for Keras 3 or tf-keras.

Imported by the other scripts; run directly it builds both models and prints their
summaries, which checks the parameter counts without training anything.

    python scripts/notebook_models.py --api keras
    python scripts/notebook_models.py --api tf_keras --dropout 0
"""
import argparse
import importlib
import os
import sys

# Quiet TF's C++ start-up chatter; the scripts' own output is what a reader wants.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MODEL_NAMES = ("simple", "double-conv")
# The counts PRODUCT.md states: a different count means the graph is not the notebook's.
EXPECTED_PARAMS = {"simple": 203_530, "double-conv": 824_970}
APIS = ("keras", "tf_keras")


def load_api(api):
    """Return the `keras` (Keras 3) or `tf_keras` (TF2 Keras 2.x) module by name.

    Imported on demand so that a Keras 3 run never pays for importing tf_keras and vice versa.
    """
    if api not in APIS:
        raise ValueError(f"unknown Keras api {api!r}; expected one of {APIS}")
    return importlib.import_module(api)


def seed_everything(api, seed):
    """Seed Python, numpy and the backend so glorot_uniform draws the same weights each run."""
    load_api(api).utils.set_random_seed(seed)


def _layers(k, name, dropout):
    """The notebook's layer stack after the input, as a list of Keras layers."""
    head = [
        k.layers.Flatten(),
        k.layers.Dense(256, activation="relu"),
        # Kept even at rate 0 so that layer order (and so weight order) never depends on it.
        k.layers.Dropout(dropout),
        k.layers.Dense(10, activation="softmax"),
    ]
    if name == "simple":
        return head
    if name == "double-conv":
        return [
            k.layers.Conv2D(32, (5, 5), padding="same", activation="relu"),
            k.layers.MaxPool2D(pool_size=(2, 2)),
            k.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
            k.layers.MaxPool2D(pool_size=(2, 2), strides=2),
        ] + head
    raise ValueError(f"unknown model {name!r}; expected one of {MODEL_NAMES}")


def compile_like_notebook(model, k):
    """RMSprop(lr=0.001, rho=0.9, eps=1e-08, no momentum), categorical cross-entropy, accuracy."""
    model.compile(
        optimizer=k.optimizers.RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-08),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def build_model(name, api="keras", dropout=0.5, compile=True):
    """Build (and by default compile) the notebook model `name` with the given Keras api.

    dropout: the Dropout rate; 0.5 is the notebook's, 0 is for parity runs where the two
    frameworks would otherwise draw different masks.
    """
    k = load_api(api)
    # Sequential with an explicit Input: weights exist right away (count checkable) and the
    # exported signature gets a fixed (-1,28,28,1) float32 input.
    model = k.Sequential([k.Input(shape=(28, 28, 1))] + _layers(k, name, dropout), name=name.replace("-", "_"))
    count = model.count_params()
    assert count == EXPECTED_PARAMS[name], f"{name}: {count} parameters, expected {EXPECTED_PARAMS[name]}"
    if compile:
        compile_like_notebook(model, k)
    return model


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Build the notebook's two models and print their summaries.")
    p.add_argument("--api", choices=APIS, default="keras", help="keras (Keras 3) or tf_keras (default: keras)")
    p.add_argument("--dropout", type=float, default=0.5, help="Dropout rate (default 0.5, the notebook's)")
    p.add_argument("--model", choices=MODEL_NAMES, action="append", help="model(s) to build (default: both)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    for name in args.model or MODEL_NAMES:
        model = build_model(name, api=args.api, dropout=args.dropout)
        model.summary()
        print(f"{name}: {model.count_params()} parameters (expected {EXPECTED_PARAMS[name]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
