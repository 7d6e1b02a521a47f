#!/usr/bin/env python3
"""The Keras half of make interop's check h (issue 16): a user's own Keras file, trained by Keras's
`fit` machinery for 20 steps, which Java must reproduce from the same file (KerasFitParityTest).

For each model below, under DIR/<model>/:

  model.keras    the compiled model with its start weights (what `digits train --model` reads)
  losses.csv     step,loss for steps 0..19: the loss `train_on_batch` reports for batch `step`
                 (rows step*32 .. step*32+31 of the CSV in file order, pixels/255), computed
                 before that step's update
  after.keras    the model after the 20 updates (its weights are what Java must land on)

The models (scripts/keras_models.py) and their compile settings, as issue 16 lists them:

  residual_cnn   SGD(nesterov momentum 0.9, ExponentialDecay from 0.002, not staircase: a new rate
                 each step), sparse categorical cross-entropy, integer labels. Not faster: the
                 first conv's gradient, in front of a BatchNormalization, carries rounding errors
                 far above float32's own, and at 0.05 they grow so fast that Keras on oneDNN and
                 Keras on Eigen's kernels part by 4e-2 within 20 steps (KerasFitParityTest says more)
  separable_cnn  Adam, categorical cross-entropy from_logits=True with label_smoothing=0.1, one-hot
                 labels; the model without its final Softmax, so that its output is logits
  augmented_cnn  RMSprop (momentum, centered), categorical cross-entropy

Randomness off: the augmentation layers draw their transforms from each framework's own random
generator, so no two frameworks can agree on an augmented step. augmented_cnn is trained here with
every augmentation factor set to 0: the layers stay in the graph and run their training-mode ops
(the projective transform with bilinear interpolation, the contrast adjustment) but each draw is
the identity, so both sides compute the same function. That is the honest reach of "randomness
off": it proves the layers' training path and the rest of the model's training, not the draws
(their distributions are Java unit tests' business). No Dropout in these models.

    python scripts/keras_fit_parity.py --data data/train.csv --out build/interop/fit-parity
"""
import argparse
import csv
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import keras_io  # noqa: E402
import keras_models  # noqa: E402

STEPS = 20
BATCH = 32
SEED = 16
AUGMENTATION = {"RandomRotation": ["factor"], "RandomZoom": ["height_factor", "width_factor"],
                "RandomTranslation": ["height_factor", "width_factor"], "RandomContrast": ["factor"]}


def residual(keras):
    model = keras_models.residual_cnn(keras)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.002, decay_steps=5, decay_rate=0.8)
    model.compile(optimizer=keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model, False


def separable(keras):
    full = keras_models.separable_cnn(keras)
    model = keras.Model(full.input, full.layers[-2].output, name="separable_cnn")  # the Dense's logits
    model.compile(optimizer=keras.optimizers.Adam(2e-3),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
                  metrics=["accuracy"])
    return model, True


def augmented(keras):
    config = keras_models.augmented_cnn(keras).get_config()
    for layer in config["layers"]:
        for factor in AUGMENTATION.get(layer["class_name"], []):
            if layer["config"].get(factor) is not None:
                layer["config"][factor] = 0.0
    model = keras.Model.from_config(config)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3, momentum=0.5, centered=True),
                  loss=keras.losses.CategoricalCrossentropy(), metrics=["accuracy"])
    return model, True


MODELS = {"residual_cnn": residual, "separable_cnn": separable, "augmented_cnn": augmented}


def run(name, x, labels, out):
    import keras

    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    keras.utils.set_random_seed(SEED)
    model, one_hot = MODELS[name](keras)
    y = keras_io.one_hot(labels) if one_hot else labels.astype(np.int32)
    model.save(os.path.join(folder, "model.keras"))
    losses = []
    for step in range(STEPS):
        rows = slice(step * BATCH, (step + 1) * BATCH)
        # Keras 3 averages the loss over train_on_batch calls in a Mean tracker; reset, it is this batch's.
        model.reset_metrics()
        losses.append(float(model.train_on_batch(x[rows], y[rows], return_dict=True)["loss"]))
    model.save(os.path.join(folder, "after.keras"))
    with open(os.path.join(folder, "losses.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["step", "loss"])
        for step, loss in enumerate(losses):
            w.writerow([step, repr(loss)])  # the float32 value, exactly
    print(f"{name}: losses {losses[0]:.6f} -> {losses[-1]:.6f} in {folder}", flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="data/train.csv", help="labeled train CSV")
    p.add_argument("--out", required=True, help="output folder")
    args = p.parse_args(argv)
    x, labels = keras_io.load_csv(args.data, limit=STEPS * BATCH)
    for name in MODELS:
        run(name, x, labels, args.out)


if __name__ == "__main__":
    main()
