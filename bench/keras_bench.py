"""The Keras side of `make bench`: the notebook's pipeline as a Keras user runs it today.

Subcommands (each prints its figures as one JSON line on stdout; bench/run.py reads them):
  read TRAIN_CSV RUNS            pandas.read_csv + /255 + reshape + to_categorical, median of RUNS (after one warm run)
  worker TRAIN_CSV               long-lived; answers stdin lines `train MODEL BATCH WARMUP STEPS PRECISION` with img/s of model.fit
  fit TRAIN_CSV EPOCHS [EXPORT]  the notebook's fit with validation each epoch, one line per epoch; then model.export
  predict MODEL_DIR TEST_CSV OUT score a SavedModel through its serving_default signature into a Kaggle submission
  floats TEST_CSV OUT            test.csv's pixels /255 as raw float32 (row-major), the input of both sides' `infer`
  infer MODEL_DIR FLOATS BATCH   in-process inference img/s from that file (the loop of `predict`, nothing else)
"""
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

import numpy as np
import pandas as pd

# The notebook's models have one definition, shared with the interop checks.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import notebook_models  # noqa: E402

VALIDATION_SPLIT = 0.1
SEED = 2
INFERENCE_BATCH = 1000
WARMUP_BATCHES = 3  # steady state on both sides: graph tracing here, JIT compilation in the JVM


def report(**fields):
    print(json.dumps(fields), flush=True)


def load_training(path):
    """train.csv as the notebook prepares it: /255, (-1,28,28,1) float32, one-hot labels."""
    import keras
    frame = pd.read_csv(path)
    y = keras.utils.to_categorical(frame.pop("label").values, num_classes=10)
    x = (frame.values / 255.0).astype("float32").reshape(-1, 28, 28, 1)
    return x, y


def split(x, y):
    """sklearn's train_test_split(x, y, test_size=0.1, random_state=2), which the notebook calls:
    the same permutation (numpy's legacy RandomState), the first ceil(0.1 n) rows held out."""
    permutation = np.random.RandomState(SEED).permutation(len(x))
    n_validation = int(np.ceil(VALIDATION_SPLIT * len(x)))
    validation, train = permutation[:n_validation], permutation[n_validation:]
    return x[train], y[train], x[validation], y[validation]


def read(path, runs):
    load_training(path)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        load_training(path)
        seconds.append(time.perf_counter() - start)
    report(median_s=statistics.median(seconds), runs_s=seconds)


def worker(path):
    import keras

    class Throughput(keras.callbacks.Callback):
        """Times the steps after `warmup`: from the end of the last warm-up batch to the end of the
        epoch, when Keras has finished every step it dispatched."""

        def __init__(self, warmup):
            super().__init__()
            self.warmup = warmup

        def on_train_batch_end(self, batch, logs=None):
            if batch == self.warmup - 1:
                self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = time.perf_counter() - self.start

    x_train, y_train, _, _ = split(*load_training(path))
    models = {}
    report(ready=True)
    for line in sys.stdin:
        command, name, batch, warmup, steps, precision = line.split()
        if command != "train":
            raise ValueError(f"expected 'train MODEL BATCH WARMUP STEPS', got: {line}")
        batch, warmup, steps = int(batch), int(warmup), int(steps)
        if (name, precision) not in models:
            # Keras's mixed precision: the policy in force when the layers are made decides their dtypes.
            keras.mixed_precision.set_global_policy("mixed_bfloat16" if precision == "mixed-bfloat16" else "float32")
            # a .keras file is the model as saved and compiled there (issue 16's bench row)
            models[(name, precision)] = (keras.saving.load_model(name) if name.endswith(".keras")
                                         else bn_cnn() if name == "bn-cnn" else notebook_models.build_model(name))
            keras.mixed_precision.set_global_policy("float32")
        model = models[(name, precision)]
        timer = Throughput(max(warmup, 1))
        model.fit(x_train, y_train, batch_size=batch, epochs=1, steps_per_epoch=timer.warmup + steps,
                  shuffle=True, verbose=0, callbacks=[timer])
        report(img_s=steps * batch / timer.seconds)


def bn_cnn():
    """bn-cnn (scripts/bn_cnn_model.py, its augmentation layers included) compiled as TrainWorker trains every
    built-in model: the notebook's RMSprop and loss."""
    import keras
    import bn_cnn_model

    model = bn_cnn_model.build_model()
    notebook_models.compile_like_notebook(model, keras)
    return model


def fit(path, epochs, export_dir=None):
    import keras

    class EpochLine(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(f"Epoch {epoch + 1} - accuracy: {logs['accuracy']:.4f} - loss: {logs['loss']:.4f}"
                  f" - val_accuracy: {logs['val_accuracy']:.4f} - val_loss: {logs['val_loss']:.4f}", flush=True)

    x_train, y_train, x_val, y_val = split(*load_training(path))
    model = notebook_models.build_model("double-conv")
    model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_data=(x_val, y_val),
              verbose=0, callbacks=[EpochLine()])
    if export_dir:
        model.export(export_dir)


def test_images(test_csv):
    return (pd.read_csv(test_csv).values / 255.0).astype("float32").reshape(-1, 28, 28, 1)


def floats(test_csv, output):
    test_images(test_csv).astype("<f4").tofile(output + ".tmp")
    os.replace(output + ".tmp", output)


def infer(model_dir, floats_file, batch):
    """Times one pass of signature calls over the shared float file, after one whole pass of warm-up, as
    io.digits.bench.Infer does: steady state on both sides (any export: Keras's, digits' float32 or
    --export-precision mixed-bfloat16)."""
    import tensorflow as tf
    serve = tf.saved_model.load(model_dir).signatures["serving_default"]
    (input_name,) = serve.structured_input_signature[1].keys()
    images = np.fromfile(floats_file, dtype="<f4").reshape(-1, 28, 28, 1)

    def one_pass():
        for start in range(0, len(images), batch):
            outputs = serve(**{input_name: tf.constant(images[start:start + batch])})
            outputs.get("probabilities", next(iter(outputs.values()))).numpy()  # ours: also 'class'; Keras's: one output

    one_pass()
    timed_start = time.perf_counter()
    one_pass()
    report(img_s=len(images) / (time.perf_counter() - timed_start))


def predict(model_dir, test_csv, output):
    import tensorflow as tf
    serve = tf.saved_model.load(model_dir).signatures["serving_default"]
    (input_name,) = serve.structured_input_signature[1].keys()
    images = test_images(test_csv)
    labels = []
    timed_start = None
    for start in range(0, len(images), INFERENCE_BATCH):
        if start == WARMUP_BATCHES * INFERENCE_BATCH:
            timed_start = time.perf_counter()
        (scores,) = serve(**{input_name: tf.constant(images[start:start + INFERENCE_BATCH])}).values()
        labels.append(np.argmax(scores.numpy(), axis=1))
    timed = time.perf_counter() - timed_start
    labels = np.concatenate(labels)
    pd.DataFrame({"ImageId": np.arange(1, len(labels) + 1), "Label": labels}).to_csv(output + ".tmp", index=False)
    os.replace(output + ".tmp", output)
    report(img_s=(len(images) - WARMUP_BATCHES * INFERENCE_BATCH) / timed)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    command, args = sys.argv[1], sys.argv[2:]
    if command == "read":
        read(args[0], int(args[1]))
    elif command == "worker":
        worker(args[0])
    elif command == "fit":
        fit(args[0], int(args[1]), args[2] if len(args) > 2 else None)
    elif command == "predict":
        predict(*args)
    elif command == "floats":
        floats(*args)
    elif command == "infer":
        infer(args[0], args[1], int(args[2]))
    else:
        sys.exit(__doc__)
