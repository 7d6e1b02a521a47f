#!/usr/bin/env python3
"""The Keras half of the training-parity check (issue 4): a loss curve Java must reproduce.

For each notebook model, in Keras 3 with dropout rate 0 (the two frameworks would draw
different masks), this writes under DIR/<model>/:

  w00.npy, w01.npy, ...   initial trainable weights in `model.trainable_weights` order,
                          float32 (Dense kernel [in,out], Conv2D kernel [kh,kw,in,out], bias [out])
  manifest.json           name, shape and file of each weight, and how the batches were made
  losses.csv              step,loss for steps 0..99: the loss `train_on_batch` reports for
                          batch `step` (rows step*32 .. step*32+31 of the CSV, in file order),
                          computed before that step's update
  state/stepNNN_wXX.npy   Keras's state before step NNN (after NNN updates): the weights and
  state/stepNNN_vXX.npy   RMSprop's accumulators ("velocity", 0 before step 0), for the steps in
                          SNAPSHOTS; Java restarts from each and takes one step (a check that
                          rounding cannot break, unlike comparing two 100-step trajectories)

Batches: pixels/255 as float32, one-hot labels; no shuffling, no validation split.
Java (KerasParityTest) loads the initial weights, trains the same batches, and compares.

    python scripts/keras_parity.py --data data/train.csv --out build/parity
"""
import argparse
import csv
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import keras_io  # noqa: E402
import notebook_models  # noqa: E402

# States written for KerasParityTest's one-step checks: every step of the first 20, and the
# last step of the 100 (after 99 updates of Keras's own trajectory). About 6.6 MB each for
# double-conv.
SNAPSHOTS = tuple(range(0, 21)) + (99, 100)


def hand_loss(model, x, y):
    """Categorical cross-entropy of a batch computed outside `train_on_batch`.

    Used to prove that what train_on_batch returns is this batch's loss at the current
    weights, not a running mean over the steps so far (Keras 3 keeps a Mean tracker).
    """
    probs = np.asarray(model(x, training=False), dtype=np.float64)
    return float(-np.mean(np.sum(y * np.log(np.clip(probs, 1e-7, 1.0)), axis=1)))


def expected_first_update(model, x, y):
    """The weights after one RMSprop step from v=0, as PRODUCT.md states Keras computes them:
    v = (1-rho)*g^2, w -= lr*g/sqrt(v+eps). Checked against Keras so Java's target is proven."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        probs = model(x, training=True)
        loss = tf.reduce_mean(tf.keras.losses.categorical_crossentropy(y, probs))
    grads = tape.gradient(loss, [getattr(v, "value", v) for v in model.trainable_weights])
    out = []
    for var, g in zip(model.trainable_weights, grads):
        g = g.numpy().astype(np.float64)
        v = (1 - 0.9) * g * g
        out.append(var.numpy().astype(np.float64) - 0.001 * g / np.sqrt(v + 1e-08))
    return out


def save_weights(model, folder, prefix=""):
    """Write each trainable weight as <prefix>wNN.npy (float32); returns the manifest entries."""
    entries = []
    for i, var in enumerate(model.trainable_weights):
        value = np.asarray(var.numpy(), dtype=np.float32)
        file = f"{prefix}w{i:02d}.npy"
        np.save(os.path.join(folder, file), value)
        entries.append({"file": file, "name": var.path, "shape": list(value.shape)})
    return entries


def save_state(model, folder, step):
    """Write the weights and RMSprop accumulators before `step` as state/stepNNN_{w,v}XX.npy."""
    state = os.path.join(folder, "state")
    os.makedirs(state, exist_ok=True)
    save_weights(model, state, prefix=f"step{step:03d}_")
    velocities = getattr(model.optimizer, "_velocities", None) if step > 0 else None
    for i, var in enumerate(model.trainable_weights):
        v = np.zeros(var.shape, np.float32) if velocities is None else np.asarray(velocities[i].numpy(), np.float32)
        np.save(os.path.join(state, f"step{step:03d}_v{i:02d}.npy"), v)


def check_close(what, reported, expected, rel=1e-5):
    """Fail loudly if train_on_batch's loss is not the hand-computed one."""
    if abs(reported - expected) > rel * max(1.0, abs(expected)):
        raise AssertionError(f"{what}: train_on_batch gave {reported!r}, by hand {expected!r}")
    print(f"  {what}: train_on_batch {reported:.8f} == by hand {expected:.8f}")


def run_model(name, x, y, out, steps, batch_size, seed, policy="float32"):
    """Seed, save initial weights, train `steps` batches in file order, write the curve.

    Under another dtype policy (mixed_bfloat16) the float32 hand checks are left out; the states are
    written all the same (the policy keeps variables and accumulators in float32)."""
    import keras

    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    keras.mixed_precision.set_global_policy(policy)
    exact = policy == "float32"
    notebook_models.seed_everything("keras", seed)
    model = notebook_models.build_model(name, api="keras", dropout=0.0)
    weights = save_weights(model, folder)
    losses = []
    for step in range(steps):
        if step in SNAPSHOTS:
            save_state(model, folder, step)
        xb = x[step * batch_size:(step + 1) * batch_size]
        yb = y[step * batch_size:(step + 1) * batch_size]
        # Check the first two steps by hand: step 0 proves the loss is taken before the
        # update; step 1 proves it is not averaged with step 0.
        by_hand = hand_loss(model, xb, yb) if exact and step < 2 else None
        if exact and step == 0:
            predicted = expected_first_update(model, xb, yb)
        # Keras 3 accumulates the loss in a Mean metric across train_on_batch calls;
        # resetting makes the returned value this batch's loss alone.
        model.reset_metrics()
        logs = model.train_on_batch(xb, yb, return_dict=True)
        loss = float(logs["loss"])
        if by_hand is not None:
            check_close(f"{name} step {step} loss", loss, by_hand)
        losses.append(loss)
        if exact and step == 0:
            worst = max(float(np.max(np.abs(var.numpy() - p))) for var, p in zip(model.trainable_weights, predicted))
            if worst > 1e-6:
                raise AssertionError(f"{name}: Keras's first RMSprop update differs from the formula by {worst}")
            print(f"  {name} step 0 update: Keras == v=(1-rho)g^2, w-=lr*g/sqrt(v+eps) (max abs diff {worst:.2e})")
    if steps in SNAPSHOTS:
        save_state(model, folder, steps)
    with open(os.path.join(folder, "losses.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["step", "loss"])
        for step, loss in enumerate(losses):
            # repr of the float32 value as a double: exact, and any parser reads it back.
            w.writerow([step, repr(loss)])
    manifest = {
        "model": name, "keras": keras.__version__, "policy": policy, "dropout": 0.0, "seed": seed,
        "steps": steps, "batch_size": batch_size,
        "batches": "rows step*batch_size..(step+1)*batch_size-1 of the CSV in file order; pixels/255 float32; one-hot labels",
        "optimizer": "RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-08), v0=0, w -= lr*g/sqrt(v+eps)",
        "weights": weights,
        "snapshots": [k for k in SNAPSHOTS if k <= steps],
    }
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    print(f"{name}: {len(weights)} weights, losses {losses[0]:.6f} -> {losses[-1]:.6f} in {folder}", flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Write Keras's initial weights and 100-step loss curve for the Java parity test.")
    p.add_argument("--data", required=True, help="labeled train CSV; the first steps*batch-size rows are used in file order")
    p.add_argument("--out", required=True, help="output folder; gets <model>/w00.npy ... losses.csv")
    p.add_argument("--steps", type=int, default=100, help="training steps (default 100)")
    p.add_argument("--batch-size", type=int, default=32, help="batch size (default 32)")
    p.add_argument("--seed", type=int, default=1, help="seed for the glorot_uniform initial weights")
    p.add_argument("--model", choices=notebook_models.MODEL_NAMES, action="append", help="model(s) (default: both)")
    p.add_argument("--policy", default="float32", choices=["float32", "mixed_bfloat16"],
                   help="Keras dtype policy (default float32; mixed_bfloat16 for the bfloat16 check)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    x, labels = keras_io.load_csv(args.data, limit=args.steps * args.batch_size)
    if labels is None or len(labels) < args.steps * args.batch_size:
        print(f"error: {args.data} needs {args.steps * args.batch_size} labeled rows", file=sys.stderr)
        return 1
    y = keras_io.one_hot(labels)
    for name in args.model or notebook_models.MODEL_NAMES:
        run_model(name, x, y, args.out, args.steps, args.batch_size, args.seed, args.policy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
