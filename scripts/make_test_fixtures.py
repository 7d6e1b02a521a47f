#!/usr/bin/env python3
"""Write the small Keras-trained SavedModels that Java unit tests load without Python.

Trains the notebook's `simple` model for 1 epoch (Keras 3, and tf-keras for the tf-keras
fixture) and writes under src/test/resources/fixtures/:

  keras3-export-simple/1/   Keras 3 model.export(dir)
  tfkeras-save-simple/1/    tf-keras model.save(dir)
  module-784/1/             bare tf.Module, input `pixels` float32 (-1,784), output `scores`

each with expected.csv (index,p0..p9): Keras's probabilities on 16 synthetic images
pixel[i][k] = (i*37 + k*11) % 256 / 255, i in 0..15, k in 0..783, and a README.md.
Only weights are committed, never data rows.

    python scripts/make_test_fixtures.py --data data/train.csv
"""
import argparse
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import keras_io  # noqa: E402
import notebook_models  # noqa: E402

MAX_FIXTURE_BYTES = 3 * 1024 * 1024  # each fixture well below this (committed to git)

README = """# Keras-trained SavedModel fixtures

Made by `python scripts/make_test_fixtures.py --data data/train.csv` (the venv from
`make venv`; Keras {keras}, tf-keras {tf_keras}, TensorFlow {tf}). The `simple` notebook
model trained 1 epoch on train.csv; no data rows are stored here, only weights.

| fixture | writer | serving_default input | output |
|---|---|---|---|
{rows}

`expected.csv` in each fixture: `index,p0,...,p9`, Keras's own `model.predict` on 16
synthetic images (index 0..15, floats as shortest round-trip float32 text). Image i:

    pixel[i][k] = ((i*37 + k*11) % 256) / 255.0f    for k in 0..783 (row-major 28x28)

computed in float32 (the integer first, then one float32 division by 255), fed as
(-1,28,28,1) or (-1,784) as the signature wants. Java should match within 1e-5.
"""


def synthetic_expected(model):
    """Keras's probabilities for the 16 synthetic images."""
    return keras_io.keras_predict(model, keras_io.synthetic_images(16))


def write_fixture(folder, write, model, reference_model):
    """One fixture: SavedModel in folder/1, expected.csv from Keras, and a load-back check."""
    shutil.rmtree(folder, ignore_errors=True)
    write(model, os.path.join(folder, "1"))
    expected = synthetic_expected(reference_model)
    keras_io.write_probabilities(os.path.join(folder, "expected.csv"), expected, id_name="index", start=0)
    # Load it back as a stranger would: the signature must reproduce expected.csv.
    import tensorflow as tf

    info = keras_io.signature_info(os.path.join(folder, "1"))
    (name, (_, dims)), = info["inputs"].items()
    fn = tf.saved_model.load(os.path.join(folder, "1")).signatures["serving_default"]
    out = fn(**{name: tf.constant(keras_io.synthetic_images(16).reshape([-1] + dims[1:]))})
    (probs,) = [v.numpy() for v in out.values()]
    diff = float(np.max(np.abs(probs - expected)))
    assert diff <= 1e-6, f"{folder}: signature differs from Keras predict by {diff}"
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)
    assert size < MAX_FIXTURE_BYTES, f"{folder}: {size} bytes, limit {MAX_FIXTURE_BYTES}"
    print(f"{folder}: {size / 1024:.0f} KiB, input {name} {dims}, outputs {list(info['outputs'])}, diff {diff:.2g}")
    return info, size


def train_simple(api, x, y, seed, epochs):
    notebook_models.seed_everything(api, seed)
    model = notebook_models.build_model("simple", api=api)
    model.fit(x, keras_io.one_hot(y), epochs=epochs, batch_size=32, verbose=0)
    return model


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Write the committed Keras SavedModel fixtures for Java tests.")
    p.add_argument("--data", required=True, help="labeled train CSV (only the trained weights are kept)")
    p.add_argument("--out", default=os.path.join("src", "test", "resources", "fixtures"), help="fixtures folder")
    p.add_argument("--epochs", type=int, default=1, help="training epochs (default 1)")
    p.add_argument("--seed", type=int, default=2, help="seed for weights and shuffling")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    x, y = keras_io.load_csv(args.data)
    keras3 = train_simple("keras", x, y, args.seed, args.epochs)
    tfkeras = train_simple("tf_keras", x, y, args.seed, args.epochs)
    fixtures = [
        ("keras3-export-simple", "Keras 3 `model.export(dir)`", keras_io.export_keras3, keras3),
        ("tfkeras-save-simple", "tf-keras `model.save(dir)`", keras_io.save_tfkeras, tfkeras),
        ("module-784", "bare `tf.Module`, own `tf.function` signature", keras_io.save_module784, keras3),
    ]
    rows, total = [], 0
    for name, writer_text, write, model in fixtures:
        info, size = write_fixture(os.path.join(args.out, name), write, model, model)
        total += size
        fmt = lambda d: ", ".join(f"`{n}` {t} {s}" for n, (t, s) in d.items())  # noqa: E731
        rows.append(f"| `{name}/1` | {writer_text} | {fmt(info['inputs'])} | {fmt(info['outputs'])} |")
    import keras
    import tensorflow as tf
    import tf_keras

    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(README.format(keras=keras.__version__, tf_keras=tf_keras.__version__, tf=tf.__version__, rows="\n".join(rows)))
    print(f"total {total / 1024:.0f} KiB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
