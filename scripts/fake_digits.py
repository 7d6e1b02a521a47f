#!/usr/bin/env python3
"""A Python stand-in for `java -jar target/digits.jar` (train, predict, inspect), for testing
interop_check.py itself before (or without) the Java build.

It follows the CLI contract the Java side implements: same options, same files, same
SavedModel signature (`serving_default`, input `image` float32 [-1,28,28,1], outputs
`probabilities` float32 [-1,10] and `class` int64 [-1]), exit 0 / 1 / 2.
It is NOT the product: it exists so a broken check is caught without Java.

    python scripts/interop_check.py --cli "python scripts/fake_digits.py" --data data/train.csv --test data/test.csv
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import keras_io  # noqa: E402
import notebook_models  # noqa: E402


class UsageError(Exception):
    """Exit 2, like picocli's bad usage."""


def export_digits_signature(model, directory):
    """Write the product's serving signature around a Keras 3 model (what Java exports)."""
    import tensorflow as tf

    class Digits(tf.Module):
        def __init__(self):
            super().__init__()
            self.weights = [getattr(v, "value", v) for v in model.weights]

        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32, name="image")])
        def serve(self, image):
            probs = model(image, training=False)
            return {"probabilities": probs, "class": tf.argmax(probs, axis=1, output_type=tf.int64)}

    module = Digits()
    # Write beside the target then rename: no half-written version folder (PRODUCT.md 4).
    tmp = directory + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tf.saved_model.save(module, tmp, signatures={"serving_default": module.serve})
    os.makedirs(os.path.join(tmp, "assets.extra"), exist_ok=True)
    with open(os.path.join(tmp, "assets.extra", "history.json"), "w") as f:
        json.dump({"writer": "fake_digits.py"}, f)
    os.rename(tmp, directory)


def cmd_train(args):
    x, y = keras_io.load_csv(args.data)
    notebook_models.seed_everything("keras", args.seed)
    model = notebook_models.build_model(args.model, api="keras")
    model.fit(x, keras_io.one_hot(y), epochs=args.epochs, batch_size=32, validation_split=0.1, verbose=0)
    target = os.path.join(args.output, args.model, str(args.model_version))
    if os.path.exists(target):
        raise ValueError(f"{target} already exists")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    export_digits_signature(model, target)
    print(f"saved {target}")


def cmd_predict(args):
    import tensorflow as tf

    fn = tf.saved_model.load(args.model_dir).signatures["serving_default"]
    _, kwargs = fn.structured_input_signature
    (name, spec), = kwargs.items()
    x, _ = keras_io.load_csv(args.input, limit=args.limit)
    x = x * np.float32(255.0) / np.float32(args.input_scale) if args.input_scale != 255 else x
    dims = [-1 if d is None else d for d in spec.shape.as_list()]
    if int(np.prod(dims[1:])) != 784:
        raise ValueError(f"{args.model_dir}: serving_default input {name!r} {dims} cannot take a 28x28 image")
    out = fn(**{name: tf.constant(x.reshape(dims))})
    probs = next(v.numpy() for v in out.values() if v.dtype == tf.float32 and v.shape.rank == 2)
    keras_io.write_labels(args.output, probs.argmax(axis=1))
    if args.probabilities:
        keras_io.write_probabilities(args.probabilities, probs)


def cmd_inspect(args):
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    subprocess.run([cli, "show", "--dir", args.model_dir, "--all"], check=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="fake_digits", description="Python stand-in for digits.jar (tests only).")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--model", choices=notebook_models.MODEL_NAMES, default="double-conv")
    t.add_argument("--data", required=True)
    t.add_argument("--epochs", type=int, default=10)
    t.add_argument("--seed", type=int, default=2)
    t.add_argument("--output", default="saved_models")
    t.add_argument("--model-version", type=int, default=1)
    r = sub.add_parser("predict")
    r.add_argument("--model-dir", required=True)
    r.add_argument("--input", required=True)
    r.add_argument("--output", required=True)
    r.add_argument("--probabilities")
    r.add_argument("--limit", type=int)
    r.add_argument("--input-scale", type=float, default=255)
    i = sub.add_parser("inspect")
    i.add_argument("--model-dir", required=True)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)  # argparse exits 2 on bad usage, like picocli
    try:
        {"train": cmd_train, "predict": cmd_predict, "inspect": cmd_inspect}[args.command](args)
    except Exception as e:  # one line, exit 1: the contract for bad input
        print(f"error: {e}".splitlines()[0], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
