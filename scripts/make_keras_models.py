#!/usr/bin/env python3
"""Train the notebook's two models in Keras and save each three ways, for Python -> Java checks.

For each model (simple, double-conv) and each writer this makes DIR/<format>-<model>/1/
(a SavedModel) and DIR/<format>-<model>/keras_labels.csv: the argmax of Keras's own
`model.predict` on the whole test CSV, which `digits predict` must reproduce.

Formats:
  tfkeras-save   tf-keras `model.save(dir)` (a model trained with tf_keras)
  keras3-export  Keras 3 `model.export(dir)`
  module-784     a bare tf.Module around the Keras 3 model, signature input `pixels`
                 float32 (-1,784), output `scores`

    python scripts/make_keras_models.py --data data/train.csv --test data/test.csv --out build/keras --epochs 2
"""
import argparse
import json
import os
import shutil
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import keras_io  # noqa: E402
import notebook_models  # noqa: E402


def train(name, api, x, y, epochs, seed, batch_size, validation_split):
    """Train one notebook model with the given Keras api; returns the fitted model."""
    notebook_models.seed_everything(api, seed)
    model = notebook_models.build_model(name, api=api)
    started = time.time()
    history = model.fit(
        x, keras_io.one_hot(y), epochs=epochs, batch_size=batch_size,
        validation_split=validation_split, shuffle=True, verbose=2,
    )
    val = history.history.get("val_accuracy", [float("nan")])[-1]
    print(f"[{api}] {name}: {epochs} epoch(s) in {time.time() - started:.1f}s, val_accuracy {val:.4f}", flush=True)
    return model


def save_all(name, keras3_model, tfkeras_model, test_x, out):
    """Write the three SavedModels of one model plus each one's keras_labels.csv."""
    writers = {
        "tfkeras-save": (keras_io.save_tfkeras, tfkeras_model),
        "keras3-export": (keras_io.export_keras3, keras3_model),
        "module-784": (keras_io.save_module784, keras3_model),
    }
    for fmt, (write, model) in writers.items():
        folder = os.path.join(out, f"{fmt}-{name}")
        # Start clean: a stale variables/ from an earlier run would mix two models.
        shutil.rmtree(folder, ignore_errors=True)
        write(model, os.path.join(folder, "1"))
        labels = keras_io.keras_predict(model, test_x).argmax(axis=1)
        keras_io.write_labels(os.path.join(folder, "keras_labels.csv"), labels)
        info = keras_io.signature_info(os.path.join(folder, "1"))
        with open(os.path.join(folder, "signature.json"), "w") as f:
            json.dump(info, f, indent=2)
        print(f"wrote {folder}/1  signature {info}", flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train the notebook models in Keras and save each three ways.")
    p.add_argument("--data", required=True, help="labeled train CSV (label,pixel0..pixel783; .csv or .csv.gz)")
    p.add_argument("--test", required=True, help="test CSV to label with Keras's own predict")
    p.add_argument("--out", required=True, help="output folder; gets <format>-<model>/1/ and keras_labels.csv")
    p.add_argument("--epochs", type=int, default=2, help="training epochs (default 2: plenty for interop)")
    p.add_argument("--seed", type=int, default=2, help="seed for weights, shuffling and the validation split")
    p.add_argument("--batch-size", type=int, default=32, help="batch size (default 32, the notebook's)")
    p.add_argument("--validation-split", type=float, default=0.1, help="validation fraction (default 0.1)")
    p.add_argument("--model", choices=notebook_models.MODEL_NAMES, action="append", help="model(s) (default: both)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    x, y = keras_io.load_csv(args.data)
    if y is None:
        print(f"error: {args.data} has no label column", file=sys.stderr)
        return 1
    test_x, _ = keras_io.load_csv(args.test)
    os.makedirs(args.out, exist_ok=True)
    for name in args.model or notebook_models.MODEL_NAMES:
        common = dict(x=x, y=y, epochs=args.epochs, seed=args.seed,
                      batch_size=args.batch_size, validation_split=args.validation_split)
        keras3_model = train(name, "keras", **common)
        tfkeras_model = train(name, "tf_keras", **common)
        save_all(name, keras3_model, tfkeras_model, test_x, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
