#!/usr/bin/env python3
"""Keras's half of `make interop` check f: optimizers, learning-rate schedules and losses as Keras 3
computes them, for the Java TrainingSettingsParityTest to reproduce through CompileSettings.

Each case is a tiny model file DIR/<case>.keras compiled with the optimizer or loss under test (so
that Java reads the settings as a user's file gives them), plus in DIR/cases.json what Keras
computed with them:

  optimizers  the weights after each of STEPS steps of the optimizer (its real Keras object, inside
              a tf.function as in fit) on the problem of the Java QuadraticProblem: two variables,
              loss = sum((w - target)^2) / 2, so each gradient is w - target
  schedules   the learning rate the optimizer's schedule gives at several steps
  losses      a Dense layer's pre-activation outputs (logits), its activation, the labels, and the
              loss `test_on_batch` reports for the model with that activation and compiled loss

    python scripts/training_settings_parity.py --out build/interop/training-settings
"""
import argparse
import json
import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

STEPS = 20
# QuadraticProblem.START and TARGET (Java), value for value: TrainingSettingsParityTest reads them by index.
START = [[0.5, -1.25, 2.0, 0.01, 1e-4, -1e-5], [3.0, -0.2]]
TARGET = [[1.0, 2.0, -3.0, 0.0, 0.0, 0.0], [-1.0, 0.3]]
SCHEDULE_STEPS = [0, 1, 2, 4, 5, 6, 9, 10, 11, 50, 99, 100, 101, 1000, 12345]


def optimizers(K):
    O, S = K.optimizers, K.optimizers.schedules
    return {
        "sgd": O.SGD(0.1),
        "sgd_momentum": O.SGD(0.05, momentum=0.9),
        "sgd_nesterov_clipnorm": O.SGD(0.05, momentum=0.9, nesterov=True, clipnorm=1.0),
        "rmsprop": O.RMSprop(0.01),
        "rmsprop_notebook": O.RMSprop(0.001, rho=0.9, epsilon=1e-08),
        "rmsprop_centered_momentum_clipvalue": O.RMSprop(0.01, rho=0.95, momentum=0.5, centered=True, clipvalue=0.5),
        "adam": O.Adam(0.01),
        "adam_amsgrad_global_clipnorm": O.Adam(0.01, beta_1=0.8, beta_2=0.99, amsgrad=True, global_clipnorm=2.0),
        "adamw": O.AdamW(0.01, weight_decay=0.1),
        "nadam": O.Nadam(0.01),
        "sgd_exponential_staircase": O.SGD(S.ExponentialDecay(0.1, 5, 0.5, staircase=True), momentum=0.5),
        "adam_exponential": O.Adam(S.ExponentialDecay(0.01, 3, 0.7)),
        "adam_cosine_warmup": O.Adam(S.CosineDecay(0.001, 10, alpha=0.1, warmup_target=0.01, warmup_steps=5)),
        "sgd_cosine": O.SGD(S.CosineDecay(0.1, 15, alpha=0.2)),
        "rmsprop_piecewise": O.RMSprop(S.PiecewiseConstantDecay([5, 10], [0.01, 0.005, 0.001])),
        "nadam_inverse_time": O.Nadam(S.InverseTimeDecay(0.01, 4, 0.5, staircase=True)),
    }


def losses(K):
    L = K.losses
    return {  # case: (activation of the output layer, compiled loss, sparse labels?)
        "softmax_categorical": ("softmax", "categorical_crossentropy", False),
        "softmax_categorical_smoothing": ("softmax", L.CategoricalCrossentropy(label_smoothing=0.1), False),
        "softmax_categorical_from_logits": ("softmax", L.CategoricalCrossentropy(from_logits=True), False),
        "sigmoid_categorical": ("sigmoid", "categorical_crossentropy", False),
        "linear_categorical_from_logits_smoothing": (
            "linear", L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), False),
        "relu_categorical_probabilities": ("relu", "categorical_crossentropy", False),
        "softmax_sparse": ("softmax", "sparse_categorical_crossentropy", True),
        "linear_sparse_from_logits": ("linear", L.SparseCategoricalCrossentropy(from_logits=True), True),
        "relu_sparse_probabilities": ("relu", "sparse_categorical_crossentropy", True),
    }


def tiny(K, activation="softmax"):
    return K.Sequential([K.Input((4,)), K.layers.Dense(3, activation=activation)])


def run_optimizer(K, tf, optimizer):
    variables = [K.Variable(np.array(s, dtype="float32")) for s in START]
    targets = [tf.constant(np.array(t, dtype="float32")) for t in TARGET]

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.add_n([0.5 * tf.reduce_sum(tf.square(v.value - t)) for v, t in zip(variables, targets)])
        optimizer.apply(tape.gradient(loss, [v.value for v in variables]), variables)

    weights = []
    for _ in range(STEPS):
        step()
        weights.append([np.asarray(v.numpy(), dtype="float32").tolist() for v in variables])
    return weights


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    import keras as K
    import tensorflow as tf

    cases = {"steps": STEPS, "optimizers": {}, "schedules": {}, "losses": {}}
    for name, optimizer in optimizers(K).items():
        model = tiny(K)
        model.compile(optimizer=optimizer.__class__.from_config(optimizer.get_config()), loss="categorical_crossentropy")
        model.save(os.path.join(args.out, name + ".keras"))
        cases["optimizers"][name] = run_optimizer(K, tf, optimizer)
        schedule = optimizer._learning_rate
        if isinstance(schedule, K.optimizers.schedules.LearningRateSchedule):
            cases["schedules"][name] = {str(s): float(np.float32(schedule(s))) for s in SCHEDULE_STEPS}

    rng = np.random.default_rng(16)
    x = rng.normal(size=(16, 4)).astype("float32")
    labels = rng.integers(0, 3, size=16)
    kernel = rng.normal(size=(4, 3)).astype("float32")
    bias = np.array([4.0, 3.5, 5.0], dtype="float32")  # relu outputs: no row all zero (0/0 is NaN)
    linear = tiny(K, "linear")
    linear.set_weights([kernel, bias])
    logits = np.asarray(linear.predict(x, verbose=0), dtype="float32")
    for name, (activation, loss, sparse) in losses(K).items():
        model = tiny(K, activation)
        model.set_weights([kernel, bias])
        model.compile(optimizer="sgd", loss=loss)
        model.save(os.path.join(args.out, name + ".keras"))
        y = labels if sparse else K.utils.to_categorical(labels, 3)
        cases["losses"][name] = {"activation": activation, "logits": logits.tolist(), "labels": labels.tolist(),
                                 "loss": float(model.test_on_batch(x, y))}
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump(cases, f)
    print(f"{len(cases['optimizers'])} optimizers, {len(cases['schedules'])} schedules, "
          f"{len(cases['losses'])} losses in {args.out}")


if __name__ == "__main__":
    main()
