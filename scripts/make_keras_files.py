"""Trains the notebook's two models and a BatchNormalization model for 1 epoch each in Keras 3 and
in tf-keras (and three Functional models -- residual, separable/depthwise with Concatenate
branches, augmentation -- for 1 epoch on the first --functional-rows rows), saves them as Keras
files, and writes each file's probabilities on the first 1,000 rows of train.csv, for
KerasFileParityTest (make interop):

    keras3_<model>.keras, keras3_<model>.h5   written by Keras 3 (`keras`)
    tfkeras_<model>.h5                        written by tf-keras (`tf_keras`)
    <file>.probs.csv                          1,000 rows x 10 probabilities, from the file reloaded

Usage: python scripts/make_keras_files.py --data data/train.csv --out DIR
"""
import argparse
import os
import pathlib
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_models  # noqa: E402

PARITY_ROWS = 1000


def load(path, rows):
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.uint8, max_rows=rows)
    images = (data[:, 1:] / 255.0).astype(np.float32).reshape(-1, 28, 28, 1)
    return images, data[:, 0].astype(np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="data/train.csv", help="labeled CSV (.csv or .csv.gz)")
    parser.add_argument("--out", required=True, help="folder for the Keras files and probabilities")
    parser.add_argument("--rows", type=int, default=None, help="train on the first N rows only (default: all)")
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--functional-rows", type=int, default=4000,
                        help="rows the Functional models train on (default: 4000)")
    args = parser.parse_args()

    import keras
    import tf_keras

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    images, labels = load(args.data, args.rows)
    parity = images[:PARITY_ROWS]
    writers = {
        "keras3": (keras, [".keras", ".h5"]),
        "tfkeras": (tf_keras, [".h5"]),
    }
    for prefix, (K, suffixes) in writers.items():
        models = [(name, build, len(images)) for name, build in keras_models.MODELS.items()]
        models += [(name, build, args.functional_rows) for name, build in keras_models.FUNCTIONAL.items()]
        for name, build, rows in models:
            K.utils.set_random_seed(args.seed)
            model = build(K)
            model.compile(optimizer=K.optimizers.RMSprop(learning_rate=0.001), loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
            print(f"{prefix} {name}: training 1 epoch on {min(rows, len(images)):,} rows", flush=True)
            model.fit(images[:rows], labels[:rows], epochs=1, batch_size=32, verbose=2)
            for suffix in suffixes:
                path = out / f"{prefix}_{name}{suffix}"
                model.save(path)
                # Score the file as Keras reads it back, so that the check compares file with file.
                reloaded = K.models.load_model(path)
                keras_models.write_probabilities(f"{path}.probs.csv", reloaded.predict(parity, batch_size=250, verbose=0))
                print(f"wrote {path} ({path.stat().st_size:,} bytes) and {path}.probs.csv", flush=True)


if __name__ == "__main__":
    main()
