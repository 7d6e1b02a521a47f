#!/usr/bin/env python3
"""Shared helpers for the interop scripts: reading the Kaggle CSVs, the three SavedModel
writers (tf-keras save, Keras 3 export, bare tf.Module) and reading a signature back.

Run directly it describes a SavedModel's serving signature the way the checks see it:

    python scripts/keras_io.py --model-dir saved_models/simple/1
"""
import argparse
import csv
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

# Where each writer goes under the output folder: DIR/<format>-<model>/1/.
FORMATS = ("tfkeras-save", "keras3-export", "module-784")
# The bare tf.Module's signature uses names no Keras writer would pick, so a loader that
# assumes names instead of reading them fails visibly.
MODULE_INPUT = "pixels"
MODULE_OUTPUT = "scores"


def load_csv(path, limit=None):
    """Read a Kaggle CSV (labeled or not; .csv or .csv.gz) as the notebook does.

    Returns (images float32 (-1,28,28,1) in [0,1], labels int64 or None).
    """
    import pandas as pd

    frame = pd.read_csv(path, nrows=limit)
    labels = frame.pop("label").to_numpy(np.int64) if "label" in frame.columns else None
    if frame.shape[1] != 784:
        raise ValueError(f"{path}: {frame.shape[1]} pixel columns, expected 784")
    # Divide in float32 like the notebook (pixels / 255.0 then float32 gives the same values).
    images = (frame.to_numpy(np.float32) / np.float32(255.0)).reshape(-1, 28, 28, 1)
    return images, labels


def one_hot(labels):
    """One-hot float32 over 10 classes (what categorical_crossentropy wants)."""
    return np.eye(10, dtype=np.float32)[labels]


def synthetic_images(n=16):
    """Deterministic images any language can rebuild: pixel[i][k] = (i*37 + k*11) % 256, /255.

    Used for the committed fixtures so Java tests need neither Python nor data rows.
    """
    i = np.arange(n, dtype=np.int64)[:, None]
    k = np.arange(784, dtype=np.int64)[None, :]
    raw = (i * 37 + k * 11) % 256
    return (raw.astype(np.float32) / np.float32(255.0)).reshape(n, 28, 28, 1)


def float_text(x):
    """Shortest text that reads back to the same float32 (what Java's Float.toString aims for)."""
    return np.format_float_positional(np.float32(x), unique=True, trim="0") if np.isfinite(x) else str(x)


def write_labels(path, labels):
    """Kaggle submission layout: ImageId (from 1),Label."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ImageId", "Label"])
        for i, label in enumerate(labels, start=1):
            w.writerow([i, int(label)])


def read_labels(path):
    """Read an ImageId,Label CSV into an int64 array ordered by ImageId."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    ids = [int(r["ImageId"]) for r in rows]
    if ids != list(range(1, len(ids) + 1)):
        raise ValueError(f"{path}: ImageId is not 1..{len(ids)} in order")
    return np.array([int(r["Label"]) for r in rows], dtype=np.int64)


def read_probabilities(path):
    """Read an ImageId,p0..p9 CSV (floats in any round-trip text form) into float64 (-1,10)."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != ["ImageId"] + [f"p{d}" for d in range(10)]:
            raise ValueError(f"{path}: header {header} is not ImageId,p0..p9")
        rows = [[float(v) for v in r[1:]] for r in reader]
    return np.array(rows, dtype=np.float64).reshape(-1, 10)


def write_probabilities(path, probs, id_name="ImageId", start=1):
    """ImageId,p0..p9 with shortest round-trip float32 text (ids from `start`)."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([id_name] + [f"p{d}" for d in range(10)])
        for i, row in enumerate(probs, start=start):
            w.writerow([i] + [float_text(v) for v in row])


# ---- the three writers ------------------------------------------------------------------


def save_tfkeras(model, directory):
    """tf-keras `model.save(dir)`: the TF2 Keras SavedModel (signature from the Keras model).

    No optimizer slots: they double the size and no loader needs them.
    """
    model.save(directory, include_optimizer=False, save_format="tf")


def export_keras3(model, directory):
    """Keras 3 `model.export(dir)`: signatures `serve` and `serving_default`."""
    model.export(directory, format="tf_saved_model", verbose=False)


def save_module784(model, directory):
    """A bare tf.Module around a Keras 3 model with its own signature: float32 (-1,784) in.

    This is the shape a hand-written (non-Keras) exporter typically produces, with
    non-default input/output names, so the Java loader must reshape and read names.
    """
    import tensorflow as tf

    class FlatPixels(tf.Module):
        def __init__(self, keras_model):
            super().__init__()
            # Track only the model's weights (the tf.Variables under the Keras variables):
            # tracking the Keras model itself would drag in its optimizer's slots too.
            self.weights = [getattr(v, "value", v) for v in keras_model.weights]
            # The model stays out of tracking by living in a closure, not an attribute.
            self.serve = tf.function(
                lambda pixels: {MODULE_OUTPUT: keras_model(tf.reshape(pixels, [-1, 28, 28, 1]), training=False)},
                input_signature=[tf.TensorSpec([None, 784], tf.float32, name=MODULE_INPUT)],
            )

    module = FlatPixels(model)
    tf.saved_model.save(module, directory, signatures={"serving_default": module.serve})


def keras_predict(model, images, batch_size=1000):
    """Keras's own `model.predict`, quietly."""
    return model.predict(images, batch_size=batch_size, verbose=0)


# ---- reading a SavedModel back ------------------------------------------------------------


def _dims(shape):
    """TensorShape -> list with -1 for unknown dims (saved_model_cli's notation)."""
    return [-1 if d is None else int(d) for d in shape.as_list()] if shape.rank is not None else None


def signature_info(directory, key="serving_default"):
    """Python's own view of a signature: {'inputs': {name: (dtype, dims)}, 'outputs': {...}}."""
    import tensorflow as tf

    fn = tf.saved_model.load(directory).signatures[key]
    _, kwargs = fn.structured_input_signature
    inputs = {name: (spec.dtype.name, _dims(spec.shape)) for name, spec in kwargs.items()}
    outputs = {name: (spec.dtype.name, _dims(spec.shape)) for name, spec in fn.structured_outputs.items()}
    return {"inputs": inputs, "outputs": outputs}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Print a SavedModel's serving signature as the interop checks read it.")
    p.add_argument("--model-dir", required=True, help="a SavedModel version folder (holds saved_model.pb)")
    p.add_argument("--signature", default="serving_default", help="signature key (default serving_default)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    print(json.dumps(signature_info(args.model_dir, args.signature), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
