#!/usr/bin/env python3
"""Does a model score test.csv as its validation figure suggests? (issue 19)

test.csv has no labels, so this compares the one thing that can be measured on both sets: how often
member 1 of a `train --ensemble N` export (seed 2, the model `train` alone gives with the same options)
agrees with the average of the OTHER members, which were trained independently. If test.csv's images
were harder or different from the validation rows, the models would disagree more there. Its validation
accuracy is printed beside it, with the sampling error of each rate (binomial, 2 sigma).
Also: the share of each predicted class on test.csv against the labels' shares in train.csv.

    python bench/test_vs_validation.py ENSEMBLE_VERSION_DIR data/train.csv data/test.csv
"""
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import keras_bench  # noqa: E402


def scores(signature, images):
    import tensorflow as tf

    return np.concatenate([signature(image=tf.constant(images[i:i + 500]))["probabilities"].numpy()
                           for i in range(0, len(images), 500)])


def two_sigma(p, n):
    return 2 * math.sqrt(max(p * (1 - p), 1e-12) / n)


def main(export, train_csv, test_csv):
    import tensorflow as tf

    x, y = keras_bench.load_training(train_csv)
    _, _, x_val, y_val = keras_bench.split(x, y)
    labels_val = y_val.argmax(1)
    x_test = keras_bench.test_images(test_csv)
    loaded = tf.saved_model.load(export)
    keys = sorted((k for k in loaded.signatures if k.startswith("member_")), key=lambda k: int(k.split("_")[1]))
    val = {k: scores(loaded.signatures[k], x_val) for k in keys}
    test = {k: scores(loaded.signatures[k], x_test) for k in keys}
    first, others = keys[0], keys[1:]
    rows = []
    for name, probs, n in (("validation rows", val, len(x_val)), ("test.csv", test, len(x_test))):
        mine = probs[first].argmax(1)
        reference = np.mean([probs[k] for k in others], axis=0).argmax(1)
        agree = float(np.mean(mine == reference))
        rows.append((name, n, agree))
    accuracy = float(np.mean(val[first].argmax(1) == labels_val))
    reference_accuracy = float(np.mean(np.mean([val[k] for k in others], axis=0).argmax(1) == labels_val))
    print(f"{first} (seed 2) vs the average of {', '.join(others)}, {export}")
    print()
    print("| rows | n | member 1 agrees with the others' average | ± 2 sigma |")
    print("|---|---|---|---|")
    for name, n, agree in rows:
        print(f"| {name} | {n:,} | {agree:.4f} | {two_sigma(agree, n):.4f} |")
    print()
    print(f"On the validation rows member 1's accuracy is {accuracy:.4f}, the others' average {reference_accuracy:.4f}.")
    gap = rows[0][2] - rows[1][2]
    bound = math.hypot(two_sigma(rows[0][2], rows[0][1]), two_sigma(rows[1][2], rows[1][1]))
    print(f"Agreement on validation minus on test.csv: {gap:+.4f} (2 sigma of the difference: {bound:.4f}).")
    train_share = np.bincount(y.argmax(1), minlength=10) / len(y)
    test_share = np.bincount(test[first].argmax(1), minlength=10) / len(x_test)
    worst = int(np.argmax(np.abs(train_share - test_share)))
    print(f"Predicted class shares on test.csv vs label shares in train.csv: largest difference "
          f"{abs(train_share[worst] - test_share[worst]):.4f} (digit {worst}: {test_share[worst]:.4f} vs "
          f"{train_share[worst]:.4f}; 2 sigma {two_sigma(train_share[worst], len(x_test)):.4f}).")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
