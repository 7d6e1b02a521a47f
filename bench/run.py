"""`make bench`: digits against Keras (and DJL) on this machine, side by side, in one process tree.

Runs every measurement as a child of this process, alternating sides where the machine's other load
makes single runs noisy, and writes BENCHMARKS.md atomically. Expects `make build data`, the bench
classes in target/bench-classes, and the bench/jmh and bench/djl modules packaged (the Makefile's
bench target does all that).

  python bench/run.py --python .venv/bin/python [--quick] [--out BENCHMARKS.md]
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
JAVA_CP = "target/bench-classes:target/digits.jar:target/lib/*"
DJL_CP = "bench/djl/target/classes:bench/djl/target/lib/*:target/digits.jar:target/lib/*"
JMH_CP = "bench/jmh/target/classes:bench/jmh/target/lib/*:target/digits.jar:target/lib/*"
DIGITS = ["java", "-jar", "target/digits.jar"]
TARGET_ACCURACY = 0.986
BN_CNN_TARGETS = (0.995, 0.996)
VAL_ACCURACY = re.compile(r"val_accuracy: (\d\.\d+)")


# ----------------------------------------------------------------------------- running things

def run_json(cmd, env=None, timeout=900):
    """Runs a bench program to completion; returns its last JSON line."""
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return last_json(out.stdout.splitlines(), cmd)


def last_json(lines, cmd):
    for line in reversed(lines):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{' '.join(cmd)} printed no JSON result")


def timed(cmd, env=None, timeout=900):
    """Runs a whole command under /usr/bin/time -v: wall seconds, peak RSS in MiB, its stdout."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-v", "-o", report.name] + cmd, cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=timeout)
        wall = time.perf_counter() - start
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr[-3000:]}")
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read()).group(1))
    return wall, rss_kb / 1024, out.stdout


class Worker:
    """A long-lived bench process answering one JSON line per command line (TrainWorker,
    keras_bench.py worker, DjlWorker), so that sides alternate while all stay warm."""

    def __init__(self, name, cmd, env, log_dir):
        self.name = name
        self.cmd = cmd
        self.log = open(log_dir / f"{name}.log", "w")
        self.process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True, bufsize=1)
        self.answer()  # {"ready": true} once the data are loaded

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.answer()

    def answer(self):
        for line in self.process.stdout:
            if line.startswith("{"):
                return json.loads(line)
        raise RuntimeError(f"{self.name} ended early (exit {self.process.wait()}); see {self.log.name}")

    def close(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# ----------------------------------------------------------------------------- the rows

def read_csv_row(py, data, runs):
    ours = run_json(["java", "-cp", JAVA_CP, "io.digits.bench.ReadCsv", str(data / "train.csv"), str(runs)])
    theirs = run_json([py, str(BENCH / "keras_bench.py"), "read", str(data / "train.csv"), str(runs)])
    return ours["median_s"], theirs["median_s"]


TRAIN_CONFIGS = [  # model, batch, warm-up steps, timed steps (quick runs divide the timed steps)
    ("double-conv", 32, 20, 300),
    ("double-conv", 256, 5, 40),
    ("simple", 32, 20, 1000),
    ("simple", 256, 5, 130),
]
# Opt-in bfloat16 (digits --precision mixed-bfloat16 vs Keras's mixed_bfloat16 policy): digits and Keras only.
BF16_CONFIGS = [("double-conv", 32, 20, 300), ("double-conv", 256, 5, 40), ("bn-cnn", 32, 10, 100), ("bn-cnn", 256, 3, 15)]


def add_train_workers(workers, py, data, env, log_dir):
    """Starts digits' TrainWorker and Keras's worker into `workers` (which the caller closes, also when the
    second fails to start)."""
    workers.append(Worker("digits", ["java", "-cp", JAVA_CP, "io.digits.bench.TrainWorker",
                                     str(data / "train.csv")], env, log_dir))
    workers.append(Worker("keras", [py, str(BENCH / "keras_bench.py"), "worker", str(data / "train.csv")],
                          env, log_dir))


def throughput_rows(py, data, rounds, quick, env, djl_env, log_dir):
    """Row 2 (and DJL's inference for row 4): rounds of A, B, C per configuration, medians."""
    workers = []
    try:
        add_train_workers(workers, py, data, env, log_dir)
        djl, djl_blocked = None, None
        try:
            djl = Worker("djl", ["java", "-Dai.djl.offline=true", "-cp", DJL_CP, "io.digits.bench.djl.DjlWorker",
                                 str(data / "train.csv"), str(data / "test.csv")], djl_env, log_dir)
            workers.append(djl)
        except (RuntimeError, OSError) as e:
            djl_blocked = f"DJL worker did not start: {str(e).splitlines()[0]}"
        samples = {}
        for _ in range(rounds):
            for model, batch, warmup, steps in TRAIN_CONFIGS:
                steps = max(2, steps // 10) if quick else steps
                for w in workers:
                    figure = w.ask(f"train {model} {batch} {warmup} {steps} float32")["img_s"]
                    samples.setdefault((w.name, model, batch), []).append(figure)
            for model, batch, warmup, steps in BF16_CONFIGS:
                steps = max(2, steps // 10) if quick else steps
                for w in workers[:2]:
                    figure = w.ask(f"train {model} {batch} {warmup} {steps} mixed-bfloat16")["img_s"]
                    samples.setdefault((w.name, model, batch, "bf16"), []).append(figure)
        djl_inference = None
        if djl:
            djl_inference = [djl.ask("infer double-conv 1000")["img_s"] for _ in range(rounds)]
        return samples, djl_inference, djl_blocked
    finally:
        for w in workers:
            w.close()


def bfloat16_rows(py, data, rounds, env, log_dir):
    """Row 2b alone (`--only bfloat16`): each BF16_CONFIGS model and batch trained by digits and Keras, in
    float32 and in bfloat16 (`--precision mixed-bfloat16`, Keras's `mixed_bfloat16`), the four alternated in
    each round, both processes warm."""
    workers = []
    try:
        add_train_workers(workers, py, data, env, log_dir)
        samples = {}
        for _ in range(rounds):
            for model, batch, warmup, steps in BF16_CONFIGS:
                for precision in ("float32", "mixed-bfloat16"):
                    for w in workers:
                        figure = w.ask(f"train {model} {batch} {warmup} {steps} {precision}")["img_s"]
                        samples.setdefault((w.name, model, batch, precision), []).append(figure)
        return samples
    finally:
        for w in workers:
            w.close()


def bfloat16_section(samples, rounds):
    med = statistics.median
    L = [f"| model, batch | digits float32 | digits bfloat16 | Keras float32 | Keras `mixed_bfloat16` | digits / Keras in"
         f" bfloat16 (median of {rounds}) |", "|---|---|---|---|---|---|"]
    every = []
    for model, batch, _, _ in BF16_CONFIGS:
        cell = {(side, p): samples[(side, model, batch, p)] for side in ("digits", "keras")
                for p in ("float32", "mixed-bfloat16")}
        ours, theirs = med(cell[("digits", "mixed-bfloat16")]), med(cell[("keras", "mixed-bfloat16")])
        L.append(f"| {model}, {batch} | {fmt(med(cell[('digits', 'float32')]))} | {fmt(ours)} | "
                 f"{fmt(med(cell[('keras', 'float32')]))} | {fmt(theirs)} | {ratio(ours, theirs, True)} |")
        every.append(f"{model} b{batch}: " + "; ".join(f"{side} {p} {spread(v)}" for (side, p), v in cell.items()))
    return "\n".join(L) + "\n\nEvery sample, img/s: " + ". ".join(every) + ".\n"


KERAS_FILE_CONFIG = ("double-conv", 32, 20, 300)  # model, batch, warm-up steps, timed steps


def keras_file_rows(py, data, rounds, quick, env, work):
    """Row 10 (issue 16): models from .keras files. (a) double-conv saved by Keras 3 (compiled as the
    notebook compiles it) against `--model double-conv`, the same TF ops, so the ratio should be ~1.0; (b) the
    residual CNN of scripts/keras_models.py (SGD with nesterov momentum and ExponentialDecay, categorical
    cross-entropy), trained from the same file by digits and by Keras's `fit`. One worker per side, both
    graphs kept warm, alternated in each round."""
    model, batch, warmup, steps = KERAS_FILE_CONFIG
    steps = max(2, steps // 10) if quick else steps
    double_conv, residual = work / "double-conv.keras", work / "residual_cnn.keras"
    subprocess.run([py, "-c", "import sys; sys.path.insert(0, 'scripts'); import keras, notebook_models, keras_models; "
                    f"notebook_models.build_model('{model}').save('{double_conv}'); "
                    "m = keras_models.residual_cnn(keras); "
                    "m.compile(optimizer=keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.01, 1000, 0.9),"
                    " momentum=0.9, nesterov=True), loss='categorical_crossentropy', metrics=['accuracy']); "
                    f"m.save('{residual}')"], cwd=ROOT, env=env, check=True, capture_output=True)
    samples = {"built-in": [], "file": [], "residual digits": [], "residual Keras": []}
    ours = Worker("digits-keras-file", ["java", "-cp", JAVA_CP, "io.digits.bench.TrainWorker",
                                        str(data / "train.csv")], env, work)
    theirs = Worker("keras-file", [py, str(BENCH / "keras_bench.py"), "worker", str(data / "train.csv")], env, work)
    try:
        for _ in range(rounds):
            for side, worker, name in (("built-in", ours, model), ("file", ours, str(double_conv)),
                                       ("residual digits", ours, str(residual)),
                                       ("residual Keras", theirs, str(residual))):
                samples[side].append(worker.ask(f"train {name} {batch} {warmup} {steps} float32")["img_s"])
    finally:
        ours.close()
        theirs.close()
    return samples


def keras_file_section(samples, rounds):
    model, batch, warmup, steps = KERAS_FILE_CONFIG
    med = {side: statistics.median(values) for side, values in samples.items()}
    # each round's runs are seconds apart, so their ratio cancels most of the machine's other load
    paired = statistics.median(f / b for f, b in zip(samples["file"], samples["built-in"]))
    residual = statistics.median(d / k for d, k in zip(samples["residual digits"], samples["residual Keras"]))
    return f"""
## A Keras file's model trained in Java (issue 16)

`digits train --model double-conv.keras` (the notebook's double-conv saved by Keras 3, compiled as the
notebook compiles it: its graph, weights, RMSprop and loss come from the file) against `--model double-conv`
(the project's own layers), and the residual CNN of `scripts/keras_models.py` (Functional: Add,
BatchNormalization, GlobalAveragePooling2D; SGD with nesterov momentum and ExponentialDecay) trained from
one `.keras` file by digits and by Keras's `fit`: `io.digits.bench.TrainWorker` and `bench/keras_bench.py
worker`, each one process with its graphs warm, alternated in each of {rounds} rounds; batch {batch}, {warmup}
warm-up + {steps} timed steps; medians.

| model | img/s | per step |
|---|---|---|
| `--model double-conv` | {fmt(med['built-in'])} | {1000 * batch / med['built-in']:.2f} ms |
| `--model double-conv.keras` | {fmt(med['file'])} | {1000 * batch / med['file']:.2f} ms |
| file / built-in, median of the rounds' ratios | {paired:.2f}x | |
| residual CNN, digits `--model residual_cnn.keras` | {fmt(med['residual digits'])} | {1000 * batch / med['residual digits']:.2f} ms |
| residual CNN, Keras `fit` | {fmt(med['residual Keras'])} | {1000 * batch / med['residual Keras']:.2f} ms |
| digits / Keras, median of the rounds' ratios | {residual:.2f}x | |

Every sample (img/s): {'; '.join(f"{side} {spread(values)}" for side, values in samples.items())}.
"""


def scoring_rows(py, data, ours_model, keras_model, rounds, env, work):
    """Row 4: each side scores test.csv with its own 1-epoch export, whole command and in process, alternated
    digits / Keras per round; the in-process loops read one raw float32 file of test.csv's pixels /255 written
    once, so neither side parses or scales inside its timed loop. digits also scores with
    --precision mixed-bfloat16 (the same export), and its classes are compared with float32's."""
    floats = work / "test.f32"
    subprocess.run([py, str(BENCH / "keras_bench.py"), "floats", str(data / "test.csv"), str(floats)], cwd=ROOT,
                   env=env, check=True)
    infer = lambda precision: run_json(["java", "-cp", JAVA_CP, "io.digits.bench.Infer", str(ours_model), str(floats),
                                        "1000", precision], env)["img_s"]
    predict = lambda out, *extra: timed(DIGITS + ["predict", "--model-dir", str(ours_model), "--input",
                                                  str(data / "test.csv"), "--output", str(out), *extra], as_user(env))
    # the same weights exported with --export-precision mixed-bfloat16 (through a .keras file and back)
    twin = work / "bf16-export" / "1"
    subprocess.run(DIGITS + ["convert", str(ours_model), "--to", str(work / "ours.keras")], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    subprocess.run(DIGITS + ["convert", str(work / "ours.keras"), "--output", str(twin), "--export-precision",
                             "mixed-bfloat16"], cwd=ROOT, env=env, check=True, capture_output=True)
    tf_infer = lambda model: run_json([py, str(BENCH / "keras_bench.py"), "infer", str(model), str(floats), "1000"],
                                      env)["img_s"]
    r = {key: [] for key in ("predict_ours", "predict_bf16", "predict_theirs", "infer_ours", "infer_bf16",
                             "infer_theirs", "tf_ours", "tf_twin", "infer_twin")}
    for _ in range(rounds):
        r["predict_ours"].append(predict(work / "ours.csv"))
        r["predict_bf16"].append(predict(work / "ours-bf16.csv", "--precision", "mixed-bfloat16"))
        r["predict_theirs"].append(timed([py, str(BENCH / "keras_bench.py"), "predict", str(keras_model),
                                          str(data / "test.csv"), str(work / "keras.csv")], env))
        r["infer_ours"].append(infer("float32"))
        r["infer_theirs"].append(run_json([py, str(BENCH / "keras_bench.py"), "infer", str(keras_model), str(floats),
                                           "1000"], env)["img_s"])
        r["infer_bf16"].append(infer("mixed-bfloat16"))
        r["tf_ours"].append(tf_infer(ours_model))
        r["tf_twin"].append(tf_infer(twin))
        r["infer_twin"].append(run_json(["java", "-cp", JAVA_CP, "io.digits.bench.Infer", str(twin), str(floats), "1000",
                                         "float32"], env)["img_s"])
    predict_twin = DIGITS + ["predict", "--model-dir", str(twin), "--input", str(data / "test.csv"), "--output",
                             str(work / "twin.csv")]
    subprocess.run(predict_twin, cwd=ROOT, env=as_user(env), check=True, capture_output=True)
    r["twin_agreement"] = agreement(work / "ours.csv", work / "twin.csv")[2]
    r["submissions"] = agreement(work / "ours.csv", work / "keras.csv")
    r["bf16_agreement"] = agreement(work / "ours.csv", work / "ours-bf16.csv")[2]
    return r


def memory_rows(py, data, rounds, env, work):
    """Row 5 alone: peak RSS of `train --epochs 1` + export and of predict on test.csv, digits and Keras
    alternated in each round; the highest of the rounds (what a machine must have free)."""
    r = {key: [] for key in ("train_ours", "train_theirs", "predict_ours", "predict_theirs")}
    ours, theirs = work / "ours", work / "keras"
    for _ in range(rounds):
        r["train_ours"].append(timed(DIGITS + ["train", "--model", "double-conv", "--data", str(data / "train.csv"),
                                               "--epochs", "1", "--stop-at-accuracy", "0", "--output", str(ours),
                                               "--model-version", "1", "--overwrite"], as_user(env)))
        r["train_theirs"].append(timed([py, str(BENCH / "keras_bench.py"), "fit", str(data / "train.csv"), "1",
                                        str(theirs / "1")], env))
        r["predict_ours"].append(timed(DIGITS + ["predict", "--model-dir", str(ours / "double-conv" / "1"), "--input",
                                                 str(data / "test.csv"), "--output", str(work / "ours.csv")], as_user(env)))
        r["predict_theirs"].append(timed([py, str(BENCH / "keras_bench.py"), "predict", str(theirs / "1"),
                                          str(data / "test.csv"), str(work / "keras.csv")], env))
    return r


def memory_section(r, rounds):
    """Row 5 as its own Markdown table, for `--only memory`."""
    L = ["| peak RSS, MiB (highest of " + str(rounds) + "; every round) | digits | Keras | ratio |", "|---|---|---|---|"]
    for key, what in (("train", "train double-conv 1 epoch + export"), ("predict", "predict test.csv")):
        ours, theirs = r[key + "_ours"], r[key + "_theirs"]
        high_ours, high_theirs = max(t[1] for t in ours), max(t[1] for t in theirs)
        L.append(f"| {what} | {high_ours:,.0f} ({' / '.join(f'{t[1]:,.0f}' for t in ours)}) | {high_theirs:,.0f} "
                 f"({' / '.join(f'{t[1]:,.0f}' for t in theirs)}) | {ratio(high_ours, high_theirs, False)} |")
    return "\n".join(L)


def scoring_section(r, rounds):
    """Row 4 as its own Markdown table, for `--only scoring`."""
    med = statistics.median
    L = ["| what | digits | Keras | ratio |", "|---|---|---|---|"]
    p_ours, p_theirs = med([p[0] for p in r["predict_ours"]]), med([p[0] for p in r["predict_theirs"]])
    L.append(f"| score test.csv into submission.csv, whole command, s (median of {rounds}) | {p_ours:.2f} | "
             f"{p_theirs:.2f} | {ratio(p_ours, p_theirs, False)} |")
    i_ours, i_theirs, i_bf16 = med(r["infer_ours"]), med(r["infer_theirs"]), med(r["infer_bf16"])
    L.append(f"| inference in process, batch 1000, img/s (median of {rounds}) | {fmt(i_ours)} | {fmt(i_theirs)} | "
             f"{ratio(i_ours, i_theirs, True)} |")
    L.append(f"| inference, digits `--precision mixed-bfloat16` vs Keras float32, img/s | {fmt(i_bf16)} | "
             f"{fmt(i_theirs)} | {ratio(i_bf16, i_theirs, True)} |")
    tf_ours, tf_twin, i_twin = med(r["tf_ours"]), med(r["tf_twin"]), med(r["infer_twin"])
    L.append(f"| `--export-precision mixed-bfloat16` export vs the float32 export, both in Python TF's signature call,"
             f" batch 1000, img/s (TF Serving runs the graph as written) | {fmt(tf_twin)} | {fmt(tf_ours)} | "
             f"{ratio(tf_twin, tf_ours, True)} |")
    L.append(f"| the same bfloat16 export in digits (float32 session) vs Keras float32, img/s | {fmt(i_twin)} | "
             f"{fmt(i_theirs)} | {ratio(i_twin, i_theirs, True)} |")
    rss_ours, rss_theirs = max(p[1] for p in r["predict_ours"]), max(p[1] for p in r["predict_theirs"])
    L.append(f"| peak RSS of predict test.csv, MiB (highest of {rounds}) | {rss_ours:,.0f} | {rss_theirs:,.0f} | "
             f"{ratio(rss_ours, rss_theirs, False)} |")
    L.append("")
    L.append(f"Every sample (alternated per round): inference digits float32 {spread(r['infer_ours'])}, "
             f"digits mixed-bfloat16 {spread(r['infer_bf16'])}, Keras float32 {spread(r['infer_theirs'])} img/s; "
             f"whole command digits {spread([p[0] for p in r['predict_ours']], 2)} s, digits mixed-bfloat16 "
             f"{spread([p[0] for p in r['predict_bf16']], 2)} s, Keras {spread([p[0] for p in r['predict_theirs']], 2)} s. "
             f"mixed-bfloat16 classes agree with float32's on {100 * r['bf16_agreement']:.2f} % of test.csv. "
             f"bfloat16 export: Python TF float32 export {spread(r['tf_ours'])}, bfloat16 export "
             f"{spread(r['tf_twin'])}, digits on the bfloat16 export {spread(r['infer_twin'])} img/s; its classes "
             f"(digits predict) agree with the float32 export's on {100 * r['twin_agreement']:.2f} % of test.csv.")
    return "\n".join(L) + "\n"


def time_to_accuracy(cmd, env, timeout, target=TARGET_ACCURACY):
    """Launches a training process and watches its per-epoch lines: wall seconds from launch to the
    end of the first epoch whose val_accuracy >= target, then kills it."""
    return times_to_accuracies(cmd, env, timeout, (target,))[target]


def times_to_accuracies(cmd, env, timeout, targets):
    """time_to_accuracy for several targets in one run: {target: result}; the run ends once the
    highest target is reached (or the command ends, or the timeout)."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, bufsize=1)
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    epochs, best, reached = 0, 0.0, {}
    try:
        for line in process.stdout:
            match = VAL_ACCURACY.search(line)
            if not match:
                continue
            epochs += 1
            accuracy = float(match.group(1))
            best = max(best, accuracy)
            for target in targets:
                if accuracy >= target and target not in reached:
                    reached[target] = {"seconds": time.perf_counter() - start, "epoch": epochs, "val_accuracy": accuracy}
            if len(reached) == len(targets):
                break
        return {t: reached.get(t, {"seconds": None, "epoch": epochs, "val_accuracy": best}) for t in targets}
    finally:
        watchdog.cancel()
        process.kill()
        process.wait()


def agreement(a, b):
    la, lb = Path(a).read_text().splitlines(), Path(b).read_text().splitlines()
    same = sum(x == y for x, y in zip(la[1:], lb[1:]))
    return len(la) - 1, len(lb) - 1, same / max(1, len(la) - 1)


def layer_flops(layers):
    """Forward FLOPs per image from layer shapes: conv 2*H*W*kh*kw*cin*cout (same padding),
    dense 2*in*out, pooling halves H and W (its compares are not counted)."""
    h, w, c = 28, 28, 1
    total = 0
    for layer in layers:
        kind = layer[0]
        if kind == "conv":
            _, k, out = layer
            total += 2 * h * w * k * k * c * out
            c = out
        elif kind == "pool":
            h, w = h // 2, w // 2
        elif kind == "dense":
            _, out = layer
            total += 2 * (h * w * c) * out
            h, w, c = 1, 1, out
    return total


MODEL_LAYERS = {  # the notebook's models (PRODUCT.md section 2); flatten, dropout and activations cost ~0
    "double-conv": [("conv", 5, 32), ("pool",), ("conv", 3, 64), ("pool",), ("dense", 256), ("dense", 10)],
    "simple": [("dense", 256), ("dense", 10)],
}


# ----------------------------------------------------------------------------- the report

def cpu():
    """The CPU's model name with the SIMD extensions that decide TF's kernels."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.*)", cpuinfo).group(1)
    flags = set(re.search(r"flags\s*:\s*(.*)", cpuinfo).group(1).split())
    simd = ", ".join(f for f in ("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile") if f in flags)
    return f"{model} ({simd})"


def machine(py):
    mem_kb = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = subprocess.run([py, "-c", "import tensorflow as tf, keras, pandas, numpy, sys;"
                               "print(tf.__version__, keras.__version__, pandas.__version__, numpy.__version__,"
                               " sys.version.split()[0])"], capture_output=True, text=True, env=quiet_env())
    tf, keras, pandas, numpy, python = versions.stdout.split()
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    libs = " ".join(sorted(os.listdir(ROOT / "target" / "lib")))
    tf_java = re.search(r"tensorflow-core-api-([\d.]+)\.jar", libs).group(1)
    return {
        "cpu": cpu(), "nproc": subprocess.run(
            ["nproc"], capture_output=True, text=True).stdout.strip(),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB", "load": os.getloadavg(),
        "kernel": platform.release(), "java": java, "tf_java": tf_java, "tf": tf, "keras": keras,
        "pandas": pandas, "numpy": numpy, "python": python,
    }


def as_user(env):
    """digits' whole commands run as a user runs them: TF_CPP_MIN_LOG_LEVEL would keep them in one JVM
    instead of the quiet child, which has its own first heap, collector and malloc arenas."""
    return {k: v for k, v in env.items() if k != "TF_CPP_MIN_LOG_LEVEL"}


def quiet_env(**extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="1", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def fmt(value, unit="", digits=0):
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def ratio(ours, theirs, higher_is_better):
    if ours is None or theirs is None:
        return "n/a"
    return f"{(ours / theirs if higher_is_better else theirs / ours):.2f}x"


def spread(values, digits=0):
    return " / ".join(f"{v:,.{digits}f}" for v in values)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=".venv/bin/python", help="Python with tensorflow-cpu, keras, pandas")
    parser.add_argument("--data", default="data", help="folder with train.csv and test.csv")
    parser.add_argument("--out", default="BENCHMARKS.md")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds per measurement")
    parser.add_argument("--quick", action="store_true", help="tiny step counts and 1 epoch: checks the harness")
    parser.add_argument("--serve-only", metavar="BASE", type=Path,
                        help="only the serve rows, against the model base folder BASE; replaces them in --out")
    parser.add_argument("--only", choices=["scoring", "keras-file", "memory", "bn-cnn", "bfloat16"],
                        help="only row 4 (scoring, with --ours/--keras exports given), row 5 (memory: peak RSS of"
                             " training and scoring), row 2b (bfloat16: training in float32 and bfloat16, digits and"
                             " Keras), row 9 (bn-cnn: time to 0.995/0.996, digits and Keras, one after"
                             " the other) or row 10 (keras-file: models from .keras files); prints Markdown, writes"
                             " nothing")
    parser.add_argument("--ours", help="--only scoring: digits' double-conv export (a version folder)")
    parser.add_argument("--keras", help="--only scoring: Keras's double-conv export")
    args = parser.parse_args()
    if args.only:
        with tempfile.TemporaryDirectory(prefix="digits-bench-") as work:
            print(f"load at start: {os.getloadavg()}", file=sys.stderr)
            if args.only == "bn-cnn":
                section = bn_cnn_section(bn_cnn_rows(args.python, Path(args.data), args.quick, quiet_env(), Path(work)))
            elif args.only == "scoring":
                section = scoring_section(scoring_rows(args.python, Path(args.data), Path(args.ours),
                                                       Path(args.keras), args.rounds, quiet_env(), Path(work)),
                                          args.rounds)
            elif args.only == "bfloat16":
                section = bfloat16_section(bfloat16_rows(args.python, Path(args.data), args.rounds, quiet_env(),
                                                         Path(work)), args.rounds)
            elif args.only == "memory":
                section = memory_section(memory_rows(args.python, Path(args.data), args.rounds, quiet_env(),
                                                     Path(work)), args.rounds)
            else:
                section = keras_file_section(keras_file_rows(args.python, Path(args.data), args.rounds, False,
                                                             quiet_env(), Path(work)), args.rounds)
            print(f"load at end: {os.getloadavg()}", file=sys.stderr)
            print(section)
        return
    data, py = Path(args.data), args.python
    rounds = 1 if args.quick else args.rounds
    env = quiet_env()
    # libgomp's default spin-waiting collapses PyTorch 10x when the cores are shared with other load
    djl_env = quiet_env(OMP_WAIT_POLICY="PASSIVE", DJL_CACHE_DIR=str(ROOT / "bench/djl/target/djl-cache"))
    work = Path(tempfile.mkdtemp(prefix="digits-bench-"))
    started = datetime.datetime.now(datetime.timezone.utc)
    log = lambda text: print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)
    if args.serve_only:
        log("8. digits serve: load test on loopback, batched and unbatched")
        serve = serve_load(args.serve_only.resolve(), data / "test.csv", rounds, 2 if args.quick else 5, env, log)
        replace_section(Path(args.out), "## digits serve under load", serve_section(serve))
        log(f"wrote the serve rows into {args.out}")
        return
    try:
        info = machine(py)
        log(f"machine: {info['cpu']}, {info['nproc']} cores, load {info['load']}")

        log("1. reading train.csv")
        read_ours, read_theirs = read_csv_row(py, data, 2 if args.quick else 5)

        # the peak is taken before and after the throughput rows, the best of both: one measurement
        # under a burst of other load would understate the ceiling
        matmul = ["java", "-cp", JAVA_CP, "io.digits.bench.MatmulPeak", "4096", "2" if args.quick else "5"]
        log("6. matmul peak")
        peaks = [run_json(matmul)]

        log("2. training throughput (digits, Keras, DJL alternating)")
        samples, djl_inference, djl_blocked = throughput_rows(py, data, rounds, args.quick, env, djl_env, work)
        peaks.append(run_json(matmul))
        peak = max(peaks, key=lambda p: p["gflop_s"])

        log("3. time to val_accuracy >= 0.986")
        epochs = "1" if args.quick else "10"
        limit = 120 if args.quick else 300  # seconds per side before giving up
        tta_ours = time_to_accuracy(DIGITS + ["train", "--model", "double-conv", "--data", str(data / "train.csv"),
                                              "--epochs", epochs, "--stop-at-accuracy", "0", "--output",
                                              str(work / "tta"), "--model-version", "1", "--overwrite"], as_user(env), limit)
        tta_theirs = time_to_accuracy([py, "-u", str(BENCH / "keras_bench.py"), "fit", str(data / "train.csv"),
                                       epochs], env, limit)

        log("5. train 1 epoch + export, peak RSS")
        train_ours = timed(DIGITS + ["train", "--model", "double-conv", "--data", str(data / "train.csv"),
                                     "--epochs", "1", "--stop-at-accuracy", "0", "--output", str(work / "ours"),
                                     "--model-version", "1", "--overwrite"], as_user(env))
        train_theirs = timed([py, str(BENCH / "keras_bench.py"), "fit", str(data / "train.csv"), "1",
                              str(work / "keras" / "1")], env)

        log("4. scoring test.csv (whole command, alternating), inference img/s")
        scoring = scoring_rows(py, data, work / "ours" / "double-conv" / "1", work / "keras" / "1", rounds, env, work)
        ours_model = work / "ours" / "double-conv" / "1"

        log("JMH: CSV reader")
        jmh_json = work / "jmh.json"
        jmh_args = ["-f", "1", "-wi", "1", "-i", "1", "-w", "1s", "-r", "1s"] if args.quick else \
                   ["-f", "1", "-wi", "2", "-i", "3", "-w", "2s", "-r", "2s"]
        subprocess.run(["java", "-cp", JMH_CP, "org.openjdk.jmh.Main", "CsvReaderBenchmark", *jmh_args,
                        "-p", f"train={data / 'train.csv'}", "-p", f"test={data / 'test.csv'}",
                        "-rf", "json", "-rff", str(jmh_json)], cwd=ROOT, check=True, capture_output=True)
        jmh = json.loads(jmh_json.read_text())

        log("7. predict on a generated 1,000,000-row file (bounded memory)")
        stream = run_json(["bash", str(BENCH / "stream_predict.sh"), str(ours_model), str(work / "stream")], env,
                          timeout=1800)

        log("8. digits serve: load test on loopback, batched and unbatched")
        serve = serve_load(ours_model.parent, data / "test.csv", rounds, 2 if args.quick else 5, env, log)

        log("9. bn-cnn: launch to val_accuracy >= 0.995 and 0.996, digits and Keras (issues 8, 19)")
        bn_cnn = bn_cnn_rows(py, data, args.quick, env, work)

        log("10. a .keras file's model vs the same model built in (alternating)")
        keras_file = keras_file_rows(py, data, rounds, args.quick, env, work)

        text = report(info, started, args, py, rounds, read_ours, read_theirs, samples, djl_inference,
                      djl_blocked, tta_ours, tta_theirs, train_ours, train_theirs, scoring, peak, jmh)
        text += own_rows(stream, serve, bn_cnn) + keras_file_section(keras_file, rounds)
        out = Path(args.out)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, out)
        log(f"wrote {out} in {(datetime.datetime.now(datetime.timezone.utc) - started).total_seconds():.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(info, started, args, py, rounds, read_ours, read_theirs, samples, djl_inference, djl_blocked,
           tta_ours, tta_theirs, train_ours, train_theirs, scoring, peak, jmh):
    med = statistics.median
    predict_ours, predict_theirs = scoring["predict_ours"], scoring["predict_theirs"]
    infer_ours, infer_theirs, infer_bf16 = scoring["infer_ours"], scoring["infer_theirs"], scoring["infer_bf16"]
    L = []
    L.append("# Benchmarks: digits vs Keras (and DJL) on this machine\n")
    L.append(f"Written by `make bench` (bench/run.py) on {started:%Y-%m-%d %H:%M} UTC"
             f"{' with --quick (harness check, not figures)' if args.quick else ''}. "
             "Every figure below was measured in that one run; the machine is shared, so the load at the start "
             f"was {info['load'][0]:.1f} / {info['load'][1]:.1f} / {info['load'][2]:.1f} (1/5/15 min): read the "
             "ratios, measured side by side, rather than the absolute figures.\n")
    L.append("## Machine and software\n")
    L.append(f"- CPU: {info['cpu']}; `nproc`: {info['nproc']}; memory: {info['memory']}; Linux {info['kernel']}")
    L.append(f"- Java: {info['java']}; TensorFlow Java {info['tf_java']} (native TF {peak['tf_version']})")
    L.append(f"- Python {info['python']}: tensorflow-cpu {info['tf']}, Keras {info['keras']}, pandas {info['pandas']},"
             f" numpy {info['numpy']}")
    L.append("- JVM peer: DJL 0.36.0, PyTorch 2.7.1 CPU (`ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64`,"
             " `pytorch-jni:2.7.1-0.36.0`, `-Dai.djl.offline=true`), run with `OMP_WAIT_POLICY=PASSIVE` (see notes)\n")
    L.append("Ratio: how many times better digits is (speed ours/theirs, time and memory theirs/ours); "
             "above 1.00x digits wins.\n")

    L.append("## Results\n")
    L.append("| # | what | digits | Keras | ratio | DJL (PyTorch) |")
    L.append("|---|---|---|---|---|---|")
    L.append(f"| 1 | read train.csv into training tensors (median of warm runs) | {read_ours:.2f} s | "
             f"{read_theirs:.2f} s | {ratio(read_ours, read_theirs, False)} | |")
    for model, batch, _, _ in TRAIN_CONFIGS:
        ours = med(samples[("digits", model, batch)])
        theirs = med(samples[("keras", model, batch)])
        djl = samples.get(("djl", model, batch))
        L.append(f"| 2 | train {model}, batch {batch}, img/s (median of {rounds}) | {fmt(ours)} | {fmt(theirs)} | "
                 f"{ratio(ours, theirs, True)} | {fmt(med(djl)) if djl else 'blocked: ' + str(djl_blocked)} |")
    for model, batch, _, _ in BF16_CONFIGS:
        ours, theirs = med(samples[("digits", model, batch, "bf16")]), med(samples[("keras", model, batch, "bf16")])
        L.append(f"| 2b | train {model}, batch {batch}, img/s, bfloat16 opt-in (`--precision mixed-bfloat16` vs "
                 f"Keras `mixed_bfloat16`; median of {rounds}) | {fmt(ours)} | {fmt(theirs)} | "
                 f"{ratio(ours, theirs, True)} | |")
    L.append(f"| 3 | launch to end of first epoch with val_accuracy >= {TARGET_ACCURACY}, double-conv, from the CSV | "
             f"{tta_cell(tta_ours)} | {tta_cell(tta_theirs)} | {ratio(tta_ours['seconds'], tta_theirs['seconds'], False)} | |")
    p_ours, p_theirs = med([p[0] for p in predict_ours]), med([p[0] for p in predict_theirs])
    L.append(f"| 4 | score test.csv into submission.csv, whole command (median of {rounds}) | {p_ours:.1f} s | "
             f"{p_theirs:.1f} s | {ratio(p_ours, p_theirs, False)} | |")
    i_ours, i_theirs = med(infer_ours), med(infer_theirs)
    L.append(f"| 4 | inference, double-conv, batch 1000, img/s (median of {rounds}) | {fmt(i_ours)} | {fmt(i_theirs)} | "
             f"{ratio(i_ours, i_theirs, True)} | {fmt(med(djl_inference)) if djl_inference else 'blocked: ' + str(djl_blocked)} |")
    L.append(f"| 4b | inference, double-conv, batch 1000, img/s, digits `--precision mixed-bfloat16` vs Keras float32 "
             f"(median of {rounds}; classes agree with float32 on {100 * scoring['bf16_agreement']:.2f} % of test.csv) | "
             f"{fmt(med(infer_bf16))} | {fmt(i_theirs)} | {ratio(med(infer_bf16), i_theirs, True)} | |")
    L.append(f"| 5 | peak RSS, train double-conv 1 epoch + export | {train_ours[1]:,.0f} MiB | {train_theirs[1]:,.0f} MiB | "
             f"{ratio(train_ours[1], train_theirs[1], False)} | |")
    rss_ours, rss_theirs = max(p[1] for p in predict_ours), max(p[1] for p in predict_theirs)
    L.append(f"| 5 | peak RSS, predict test.csv (highest of {rounds}) | {rss_ours:,.0f} MiB | {rss_theirs:,.0f} MiB | "
             f"{ratio(rss_ours, rss_theirs, False)} | |")
    L.append(f"| 5 | (wall time of that 1-epoch train + export job) | {train_ours[0]:.1f} s | {train_theirs[0]:.1f} s | "
             f"{ratio(train_ours[0], train_theirs[0], False)} | |")
    for model in ("double-conv", "simple"):
        forward = layer_flops(MODEL_LAYERS[model])
        training = 3 * forward
        ours = med(samples[("digits", model, 256)]) * training / 1e9
        theirs = med(samples[("keras", model, 256)]) * training / 1e9
        L.append(f"| 6 | {model}: {forward / 1e6:.2f} MFLOP/img forward, {training / 1e6:.2f} training; achieved "
                 f"GFLOP/s training at batch 256 (% of measured matmul peak) | {ours:.1f} ({100 * ours / peak['gflop_s']:.0f} %) | "
                 f"{theirs:.1f} ({100 * theirs / peak['gflop_s']:.0f} %) | {ratio(ours, theirs, True)} | |")
    L.append(f"\nMeasured peak: float32 matmul {peak['n']}x{peak['n']} in a TF Java session, best of the runs "
             f"before and after row 2: **{peak['gflop_s']:.0f} GFLOP/s** ({peak['best_s'] * 1e3:.0f} ms). At that rate "
             f"double-conv training could reach about "
             f"{peak['gflop_s'] * 1e9 / (3 * layer_flops(MODEL_LAYERS['double-conv'])):,.0f} img/s. Training is counted "
             "as 3x forward, a slight overcount (no gradient is computed for the input image), and the peak was "
             "measured under the same shared load: a percentage near 100 % means the kernels run at the matmul "
             "ceiling, not beyond it.\n")

    L.append("## Every sample (rounds alternated digits, Keras, DJL per configuration)\n")
    L.append("| configuration | digits img/s | Keras img/s | DJL img/s |")
    L.append("|---|---|---|---|")
    for model, batch, _, _ in TRAIN_CONFIGS:
        L.append(f"| train {model} b{batch} | {spread(samples[('digits', model, batch)])} | "
                 f"{spread(samples[('keras', model, batch)])} | {spread(samples.get(('djl', model, batch), []))} |")
    L.append(f"| inference double-conv b1000 | {spread(infer_ours)} | {spread(infer_theirs)} | {spread(djl_inference or [])} |")
    L.append(f"| inference double-conv b1000, digits mixed-bfloat16 | {spread(infer_bf16)} | | |")
    L.append(f"| predict whole command, s | {spread([p[0] for p in predict_ours], 2)} | "
             f"{spread([p[0] for p in predict_theirs], 2)} | |")
    rows_ours, rows_theirs, agree = scoring["submissions"]
    L.append(f"\nSubmissions: digits wrote {rows_ours:,} rows, Keras {rows_theirs:,}; the two 1-epoch models "
             f"(trained separately) agree on {100 * agree:.1f} % of test.csv.\n")

    L.append("## JMH: the CSV reader (bench/jmh, CsvReaderBenchmark)\n")
    L.append("| benchmark | ms/op | error (99.9 %) |")
    L.append("|---|---|---|")
    for b in jmh:
        m = b["primaryMetric"]
        error = m["scoreError"]  # "NaN" (a string) when there was a single iteration
        error = f"± {error:,.1f}" if isinstance(error, (int, float)) else "n/a"
        L.append(f"| {b['benchmark'].rsplit('.', 1)[1]} | {m['score']:,.1f} | {error} |")

    L.append("\n## How each row is measured\n")
    L.append(f"""1. `java -cp {JAVA_CP} io.digits.bench.ReadCsv data/train.csv 5` (DigitCsv.readLabeled, then
   Dataset.images/oneHot tensors of all 42,000 rows) vs `bench/keras_bench.py read data/train.csv 5`
   (pandas.read_csv, /255, reshape (-1,28,28,1), to_categorical); one warm run each, then the median.
2. Three warm worker processes, asked in turn (digits, Keras, DJL) for each configuration, {rounds} rounds:
   `io.digits.bench.TrainWorker` (TrainingGraph.step on shuffled indices of the 37,800 training rows of the
   notebook's split), `keras_bench.py worker` (model.fit on the same rows, shuffle on, a callback timing from the
   end of the warm-up batches to the end of the epoch), `io.digits.bench.djl.DjlWorker` (same rows, NCHW,
   Keras-style RMSprop from array ops). Warm-up and timed steps: {', '.join(f'{m} b{b}: {w}+{s}' for m, b, w, s in TRAIN_CONFIGS)}.
   All three read back loss and accuracy every step (the Keras timing callback makes fit hand its logs to
   Python every step, as its default progress bar, verbose=1, does).
3. `java -jar target/digits.jar train --model double-conv --data data/train.csv --epochs 10 --stop-at-accuracy 0 ...`
   vs `python -u bench/keras_bench.py fit data/train.csv 10` (pandas read, the notebook's split, fit batch 32
   with validation each epoch); stdout read as it arrives, the clock stopped at the first epoch line with
   val_accuracy >= {TARGET_ACCURACY}, then the process is killed. Clock starts before the process is launched.
4. `java -jar target/digits.jar predict --model-dir M --input data/test.csv --output submission.csv` vs
   `bench/keras_bench.py predict M data/test.csv submission.csv` (tf.saved_model.load, signature serving_default,
   batches of 1000, CSV written by pandas), each scoring its own side's 1-epoch export from row 5. Inference
   img/s in process, both sides from one raw float32 file of test.csv's pixels /255 written once by
   `keras_bench.py floats` (no CSV parsing or scaling in either timed loop): digits `io.digits.bench.Infer M
   test.f32 1000 PRECISION` (Predictor, what predict calls), Keras `keras_bench.py infer M test.f32 1000`
   (signature calls on numpy slices); the first 3 batches are warm-up in both (graph tracing, JIT); the
   sides alternate per round. 4b: the same Infer with `mixed-bfloat16`, and `digits predict --precision
   mixed-bfloat16` whose submission is compared with float32's.
5. `/usr/bin/time -v` Maximum resident set size of `digits train --epochs 1` + export vs `keras_bench.py fit
   data/train.csv 1 EXPORT_DIR` (model.export), and of the predict commands of row 4.
6. FLOPs from the layer shapes (conv 2*H*W*kh*kw*cin*cout, dense 2*in*out; training taken as 3x forward) times
   the batch-256 training img/s of row 2; peak from `io.digits.bench.MatmulPeak 4096 5`.

JMH: `java -cp {JMH_CP} org.openjdk.jmh.Main CsvReaderBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s`.

Notes: DJL runs with `OMP_WAIT_POLICY=PASSIVE` because with libgomp's default spin-waiting PyTorch's steps ran
about 10x slower on these 2 shared cores (measured while developing this harness: double-conv b32 forward 215 ms
vs 23 ms per step). Keras resolves `jit_compile` to False on CPU; TF Java runs its defaults (oneDNN on).
""")
    return "\n".join(L) + "\n"


SERVE_CLIENTS = (1, 8, 32)
SERVE_WARMUP_SECONDS = 5  # the JIT compiler is still at work for the first seconds of load
# unbatched: the server before batching (8 worker threads, its default then, and TF's own thread pools);
# batched: today's defaults
SERVE_MODES = (("unbatched", ["--no-batching", "--threads", "8", "--tensorflow-intra-op-parallelism", "0",
                              "--tensorflow-inter-op-parallelism", "0"]),
               ("batched", []))


def serve_load(base_path, csv, rounds, seconds, env, log):
    """`digits serve` unbatched and batched, alternated in each round, each under 1, 8 and 32 clients of
    bench/java/io/digits/bench/ServeLoad.java (one image per request, keep-alive): its JSON results by mode
    and client count, one per round."""
    results = {mode: {c: [] for c in SERVE_CLIENTS} for mode, _ in SERVE_MODES}
    load = [os.getloadavg()]
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for r in range(rounds):
        for mode, flags in SERVE_MODES:
            with Serving(base_path, flags, env) as port:
                for clients in SERVE_CLIENTS:
                    result = run_json(["java", "-cp", JAVA_CP, "io.digits.bench.ServeLoad", str(port), base_path.name,
                                       str(csv), str(clients), str(SERVE_WARMUP_SECONDS), str(seconds)], env)
                    log(f"   round {r + 1}, {mode}, {clients} clients: {result['requests_s']:,.0f} requests/s, "
                        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms")
                    results[mode][clients].append(result)
    load.append(os.getloadavg())
    return {"results": results, "rounds": rounds, "seconds": seconds, "load": load, "model": base_path.name,
            "started": started, "cpu": cpu(), "nproc": os.cpu_count()}


class Serving:
    """`java -jar target/digits.jar serve` on a free loopback port, for a with-block; stopped (Ctrl-C's path) after."""

    def __init__(self, base_path, flags, env):
        self.cmd = DIGITS + ["serve", "--model-base-path", str(base_path), "--port", "0"] + flags
        self.env = as_user(env)

    def __enter__(self):
        self.process = subprocess.Popen(self.cmd, cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        for line in self.process.stdout:
            found = re.search(r"REST API at http://127\.0\.0\.1:(\d+)/", line)
            if found:
                return int(found.group(1))
        raise RuntimeError(f"{' '.join(self.cmd)} ended before listening (exit {self.process.wait()})")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=60)


def serve_section(serve):
    """The serve rows: medians over the rounds, and the batched/unbatched ratio of each round at 32 clients."""
    med = statistics.median
    res = serve["results"]
    L = [f"""## digits serve under load: batched and unbatched (issue 18)

`python bench/run.py --serve-only BASE` (also part of `make bench`): `digits serve` on loopback with the double-conv
export, started once per mode, and `bench/java/io/digits/bench/ServeLoad.java` in another JVM: N keep-alive clients
each sending one-image `:predict` requests back to back ({SERVE_WARMUP_SECONDS} s warm-up, then {serve['seconds']} s timed). The two modes
alternate in each of {serve['rounds']} rounds, server and clients on the same 2 cores; medians of the rounds.
Batched is today's default server: batching with TF Serving's defaults (max_batch_size 1000,
batch_timeout_micros 0, num_batch_threads = CPUs, max_enqueued_batches 10; 64 HTTP threads), each call's ops on its
batch thread; unbatched is `--no-batching --threads 8 --tensorflow-intra-op-parallelism 0
--tensorflow-inter-op-parallelism 0`, the server as it was before batching (8 worker threads, TF's own thread pools;
it now also runs a lone image as two rows and streams the request's numbers, see the README). Started {serve['started']} on
{serve['cpu']}, {serve['nproc']} cores; load average (1 min) {serve['load'][0][0]:.1f} at the start, {serve['load'][1][0]:.1f} at
the end (the end's counts the run's own server and client threads).

| clients | unbatched requests/s | p50 | p99 | batched requests/s | p50 | p99 | batched / unbatched |
|---|---|---|---|---|---|---|---|"""]
    for c in SERVE_CLIENTS:
        u, b = res["unbatched"][c], res["batched"][c]
        ur, br = med([x["requests_s"] for x in u]), med([x["requests_s"] for x in b])
        L.append(f"| {c} | {ur:,.0f} | {med([x['p50_ms'] for x in u]):.1f} ms | {med([x['p99_ms'] for x in u]):.1f} ms "
                 f"| {br:,.0f} | {med([x['p50_ms'] for x in b]):.1f} ms | {med([x['p99_ms'] for x in b]):.1f} ms "
                 f"| {br / ur:.2f}x |")
    per_round = [b["requests_s"] / u["requests_s"] for u, b in zip(res["unbatched"][32], res["batched"][32])]
    L.append(f"\nBatched / unbatched requests/s at 32 clients, round by round: {spread(per_round, 2)}.\n")
    return "\n".join(L) + "\n"


def replace_section(path, heading, text):
    """Swaps the section starting with `heading` (up to the next `## `) in an existing BENCHMARKS.md, atomically."""
    old = path.read_text()
    start = old.index(heading)
    end = old.find("\n## ", start + 1)
    new = old[:start] + text.rstrip("\n") + ("\n" + old[end:] if end >= 0 else "\n")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new)
    os.replace(tmp, path)


def bn_cnn_rows(py, data, quick, env, work):
    """Row 9: bn-cnn with its default recipe, digits then the same recipe in Keras (scripts/bn_cnn_model.py),
    each from launch to the first epoch at each target; --quick cuts both to 1 epoch."""
    cut = ["--epochs", "1"] if quick else []
    limit = 300 if quick else 1200
    return {
        "digits": times_to_accuracies(DIGITS + ["train", "--model", "bn-cnn", "--data", str(data / "train.csv"),
                                                *cut, "--output", str(work / "bn"), "--model-version", "1",
                                                "--overwrite"], as_user(env), limit, BN_CNN_TARGETS),
        "Keras": times_to_accuracies([py, "-u", str(ROOT / "scripts" / "bn_cnn_model.py"), "fit",
                                      str(data / "train.csv"), *cut[1:]], env, limit, BN_CNN_TARGETS),
    }


def bn_cnn_section(bn_cnn):
    """Row 9 as its own Markdown section."""
    return f"""
## bn-cnn: beyond the notebook (issues 8, 19)

`java -jar target/digits.jar train --model bn-cnn --data data/train.csv` with its defaults (the recipe of
`train --help`: 6 epochs of 64, Adam with a linear warm-up to 0.002 over half an epoch, then a cosine
down to 5 % of it at the end of epoch 5, flat after; dropout 0.1; in-graph augmentation of 6 degrees,
6 % zoom and shift; float32) beside the same recipe in Keras 3 (`python scripts/bn_cnn_model.py fit
data/train.csv`), one after the other; whole process from launch, stdout read as it arrives: each
clock stops at the end of the first epoch with val_accuracy at or above the target on the notebook's
10 % split (a side that reaches the last target stops there).

| target | digits | Keras |
|---|---|---|
""" + "".join(f"| val_accuracy >= {t} | {tta_cell(bn_cnn['digits'][t])} | {tta_cell(bn_cnn['Keras'][t])} |\n"
              for t in BN_CNN_TARGETS)


def own_rows(stream, serve, bn_cnn):
    """Large input, the REST server (no Keras counterpart), and the stronger model beside its Keras recipe."""
    return bn_cnn_section(bn_cnn) + f"""
## Large input: predict streams (issue 7)

`bench/stream_predict.sh MODEL` scores a generated file of {stream['rows_big']:,} rows
({stream['input_bytes_big'] / 2**30:.2f} GiB; test.csv's rows repeated) with the double-conv export of row 5, and
test.csv for comparison; peak resident memory from `/usr/bin/time`:

| input | rows | wall time | peak RSS |
|---|---|---|---|
| data/test.csv | {stream['rows_small']:,} | {stream['seconds_small']:.1f} s | {stream['peak_kib_small'] / 1024:,.0f} MiB |
| generated | {stream['rows_big']:,} | {stream['seconds_big']:.1f} s | {stream['peak_kib_big'] / 1024:,.0f} MiB |

""" + serve_section(serve)


def tta_cell(result):
    if result["seconds"] is None:
        return f"not reached in {result['epoch']} epochs (best {result['val_accuracy']:.4f})"
    return f"{result['seconds']:.1f} s (epoch {result['epoch']}, {result['val_accuracy']:.4f})"


if __name__ == "__main__":
    main()
