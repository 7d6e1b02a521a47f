#!/usr/bin/env python3
"""Would one wider graph score an ensemble faster than its members side by side? (issue 19)

An ensemble export runs each member's convolutions on its own. The alternative: concatenate the
members' first-layer kernels along the output channels, run every later convolution as a grouped
convolution (TF infers the groups from the input's channels), and the first dense layers as one
batched product. Same arithmetic, fewer and larger ops. This times both forms of bn-cnn's trunk
(six convolutions and the 1024 -> 128 dense layer, random weights, batch 100, the Predictor's) in
Python TF on this CPU, alternated, and checks that they compute the same numbers.

    python bench/ensemble_grouped.py [MEMBERS] [SECONDS_PER_ROUND]
"""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

MEMBERS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
BATCH = 100
# bn-cnn's convolutions: (in channels, filters, kernel, stride, padding); 28x28 -> 4x4x64.
CONVS = [(1, 32, 3, 1, "VALID"), (32, 32, 3, 1, "VALID"), (32, 32, 5, 2, "SAME"),
         (32, 64, 3, 1, "VALID"), (64, 64, 3, 1, "VALID"), (64, 64, 5, 2, "SAME")]
FLAT = 4 * 4 * 64

rng = np.random.default_rng(0)
kernels = [[tf.constant(rng.normal(size=(k, k, i, o), scale=0.1).astype(np.float32)) for i, o, k, _, _ in CONVS]
           for _ in range(MEMBERS)]
dense = [tf.constant(rng.normal(size=(FLAT, 128), scale=0.05).astype(np.float32)) for _ in range(MEMBERS)]


@tf.function
def side_by_side(x):
    total = 0.0
    for member in range(MEMBERS):
        h = x
        for kernel, (_, _, _, stride, padding) in zip(kernels[member], CONVS):
            h = tf.nn.relu(tf.nn.conv2d(h, kernel, stride, padding))
        total += tf.nn.relu(tf.reshape(h, [-1, FLAT]) @ dense[member])
    return total


wide_kernels = [tf.concat([kernels[m][layer] for m in range(MEMBERS)], axis=3) for layer in range(len(CONVS))]
stacked_dense = tf.stack(dense)


@tf.function
def one_wide_graph(x):
    h = x
    for kernel, (_, _, _, stride, padding) in zip(wide_kernels, CONVS):
        h = tf.nn.relu(tf.nn.conv2d(h, kernel, stride, padding))
    # Channels are member-major: [batch, 4, 4, members * 64] -> [members, batch, 1024].
    h = tf.transpose(tf.reshape(h, [-1, 4, 4, MEMBERS, 64]), [3, 0, 1, 2, 4])
    return tf.reduce_sum(tf.nn.relu(tf.matmul(tf.reshape(h, [MEMBERS, -1, FLAT]), stacked_dense)), 0)


def images_per_second(f, x):
    f(x)
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < SECONDS:
        f(x)
        calls += 1
    return calls * BATCH / (time.perf_counter() - start)


x = tf.constant(rng.random((BATCH, 28, 28, 1)).astype(np.float32))
a, b = side_by_side(x).numpy(), one_wide_graph(x).numpy()
print(f"{MEMBERS} members, batch {BATCH}: largest difference {np.abs(a - b).max():.2e} (outputs up to {np.abs(a).max():.1f})")
for round_ in range(3):
    sep, wide = images_per_second(side_by_side, x), images_per_second(one_wide_graph, x)
    print(f"round {round_ + 1}: side by side {sep:,.0f} img/s, one wide graph {wide:,.0f} img/s ({wide / sep:.2f}x)")
