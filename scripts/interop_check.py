#!/usr/bin/env python3
"""`make interop`: the automated proof of issue 4 that digits and Python TF/Keras interoperate.

  a. Java -> Python: `digits train` exports load in tf.saved_model with the same
     probabilities (<= 1e-5) and classes; saved_model_cli shows the contract; a TF Serving
     REST body runs through the signature; the folder layout is TF Serving's.
  b. Python -> Java: Keras models saved three ways (make_keras_models.py) are described by
     `digits inspect` and scored by `digits predict` like Keras's own predict (>= 99.9 %).
  c. Training parity: keras_parity.py's curve and states, then the Java KerasParityTest via Maven.
  d. Keras files: make_keras_files.py's .keras/.h5 files, then the Java KerasFileParityTest.
  e. Ensembles: a `train --ensemble 2 --tta` export loads in Python, scores as Java does, and its
     serving_default is the mean of its member_1/member_2 signatures.
  f. Training settings: training_settings_parity.py's optimizers, schedules and losses (Keras 3's own
     objects, saved in compiled model files), then the Java TrainingSettingsParityTest.
  g. Back to Keras (issue 17): a .keras written by Keras, fine-tuned by `digits train --init-from
     --save-keras --save-h5`, loads in Keras 3 (same layers and parameter counts, config.json as
     Keras itself re-saves it, predict == Java within 1e-5, evaluate == `digits evaluate` within
     1e-4) and tf-keras (.h5, predict within 1e-5); Keras saves it again and digits scores that
     file like Keras; and Keras's fit continues Java's training from the saved optimizer state
     (KerasContinuationTest's files: each step's loss within 1e-4 of Java's next steps). bn-cnn
     (trained by digits, no Keras original) loads, predicts, evaluates and comes back the same way.
     Issue 16's Functional models (keras_models.FUNCTIONAL), a chain of every other layer kind and a
     residual CNN, the last two with their own initializers, regularizers and constraints: Keras
     writes them, `digits train --model FILE.keras --save-keras --save-h5`, writes
     each layer's config as Keras wrote it, Keras (and tf-keras for the .h5) loads that with Java's
     probabilities, re-saves the same config.json, and digits scores the re-save like Keras.
  h. A Keras user's own model trained in Java (issue 16): keras_fit_parity.py compiles a residual CNN,
     a separable/depthwise CNN with Concatenate branches and a model with the augmentation layers,
     saves them and trains each 20 steps in Keras; the Java KerasFitParityTest trains the same files
     with their own compile settings on the same batches: each loss and every weight after the 20
     steps within 1e-4 of Keras's.

Prints one `PASS ...` / `FAIL ...` line per check and ends with `N passed, M failed`;
exits 1 if anything failed.

    python scripts/interop_check.py --jar target/digits.jar --data data/train.csv --test data/test.csv --work build/interop
"""
import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
SCRIPTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(SCRIPTS)
sys.path.insert(0, SCRIPTS)

import numpy as np  # noqa: E402

import keras_io  # noqa: E402
import keras_models  # noqa: E402
import notebook_models  # noqa: E402

ROWS_A = 1000          # rows of train.csv compared in check a (issue 4)
PROB_TOL = 1e-5        # max abs probability difference Java vs Python (PRODUCT.md 4)
MIN_AGREEMENT = 0.999  # label agreement with Keras's predict (issue 4)
REST_ROWS = 3          # images in the TF Serving request body


class CheckFailed(Exception):
    """A check's own verdict (as opposed to a crash, which is reported the same way)."""


class Report:
    """Collects PASS/FAIL lines; a check is a function that raises to fail."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, label, fn, *args):
        try:
            detail = fn(*args)
        except Exception as e:  # any crash is this check's failure, not the run's end
            self.failed += 1
            text = str(e).strip().replace("\n", " | ")
            print(f"FAIL {label}: {type(e).__name__ + ': ' if not isinstance(e, CheckFailed) else ''}{text}", flush=True)
            return None
        self.passed += 1
        print(f"PASS {label}" + (f": {detail}" if isinstance(detail, str) and detail else ""), flush=True)
        return detail

    def fail(self, label, why):
        self.failed += 1
        print(f"FAIL {label}: {why}", flush=True)


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def run_cli(cli, args, timeout=3600, expect_rc=0):
    """Run `digits <args>` (java -jar JAR, or --cli); return stdout; raise on a bad exit code."""
    cmd = cli + [str(a) for a in args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if expect_rc is not None and proc.returncode != expect_rc:
        # Last line that is not TF's C++ logging (I0000/W0000/E0000 ...), i.e. the program's own.
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip() and not re.match(r"^[IWEF]\d{4} ", ln)]
        tail = lines[-1] if lines else "(no output)"
        raise CheckFailed(f"`{' '.join(args[:1])}` exited {proc.returncode} (expected {expect_rc}): {tail}")
    return proc


def load_signature(directory):
    import tensorflow as tf

    return tf.saved_model.load(directory).signatures["serving_default"]


# ---- check a: Java -> Python -----------------------------------------------------------------


def check_layout(export):
    """TF Serving loads <name>/<integer version>/saved_model.pb + variables/."""
    version = os.path.basename(export)
    expect(version.isdigit(), f"version folder {version!r} is not an integer")
    for rel in ("saved_model.pb", "variables/variables.index"):
        expect(os.path.isfile(os.path.join(export, rel)), f"{export}/{rel} missing")
    data = glob.glob(os.path.join(export, "variables", "variables.data-*"))
    # An export of resource variables "succeeds" with an empty variables/ (MEASUREMENTS.md).
    expect(data and all(os.path.getsize(p) > 0 for p in data), f"{export}/variables holds no variable data")
    extras = sorted(set(os.listdir(export)) - {"saved_model.pb", "variables", "assets", "assets.extra", "fingerprint.pb"})
    expect(not extras, f"unexpected entries beside saved_model.pb (extras belong in assets.extra/): {extras}")
    return f"{export}"


def check_probabilities(export, x, java_probs_csv, java_labels_csv):
    """Python's signature call vs Java's predict on the same rows."""
    import tensorflow as tf

    out = load_signature(export)(image=tf.constant(x))
    probs = out["probabilities"].numpy()
    classes = out["class"].numpy()
    expect(out["class"].dtype == tf.int64, f"class is {out['class'].dtype.name}, expected int64")
    expect(np.array_equal(classes, probs.argmax(axis=1)), "class output != argmax(probabilities)")
    java_probs = keras_io.read_probabilities(java_probs_csv)
    java_labels = keras_io.read_labels(java_labels_csv)
    expect(java_probs.shape == probs.shape, f"Java wrote {java_probs.shape[0]} probability rows, Python has {probs.shape[0]}")
    diff = float(np.max(np.abs(java_probs - probs.astype(np.float64))))
    expect(diff <= PROB_TOL, f"max abs probability diff {diff:.3g} > {PROB_TOL}")
    expect(np.array_equal(java_labels, classes), f"{int(np.sum(java_labels != classes))} Java labels differ from Python's class")
    return f"{len(x)} rows, max abs diff {diff:.3g}, classes equal"


def check_saved_model_cli(export):
    """What TF's own tool reads: the signature TF Serving will serve."""
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    proc = subprocess.run([cli, "show", "--dir", export, "--all"], capture_output=True, text=True, timeout=600)
    expect(proc.returncode == 0, f"saved_model_cli exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    text = proc.stdout
    block = text.split("signature_def['serving_default']", 1)
    expect(len(block) == 2, "no signature_def['serving_default']")
    serving = block[1].split("signature_def[", 1)[0]
    for needle in ("Method name is: tensorflow/serving/predict", "inputs['image']", "outputs['probabilities']", "outputs['class']"):
        expect(needle in serving, f"serving_default lacks {needle!r}")
    expect("DT_INT64" in serving.split("outputs['class']", 1)[1].split("outputs[", 1)[0], "class is not DT_INT64")
    return "method tensorflow/serving/predict, input image, outputs probabilities + class"


def check_rest_body(export, x):
    """A TF Serving REST predict body (row format) round-trips through JSON into the signature."""
    import tensorflow as tf

    body = json.dumps({"signature_name": "serving_default", "instances": x[:REST_ROWS].tolist()})
    instances = np.array(json.loads(body)["instances"], dtype=np.float32)
    expect(instances.shape == (REST_ROWS, 28, 28, 1), f"instances parsed to shape {instances.shape}")
    fn = load_signature(export)
    via_rest = fn(image=tf.constant(instances))
    direct = fn(image=tf.constant(x[:REST_ROWS]))
    for key in ("probabilities", "class"):
        expect(np.array_equal(via_rest[key].numpy(), direct[key].numpy()), f"{key} via REST body != direct call")
    # The response TF Serving would send for this body (row format), built to prove it serializes.
    response = {"predictions": [{"probabilities": p.tolist(), "class": int(c)}
                                for p, c in zip(via_rest["probabilities"].numpy(), via_rest["class"].numpy())]}
    json.dumps(response)
    return f"{REST_ROWS} instances, {len(body)} bytes, equal to the direct call"


# Every model `digits train` offers: the notebook's two and bn-cnn (batch normalization exported in
# inference mode must load and score in Python like the others).
JAVA_MODELS = notebook_models.MODEL_NAMES + ("bn-cnn",)


def check_a(report, cli, args, x):
    for model in JAVA_MODELS:
        label = f"a {model}"
        out_dir = os.path.join(args.work, "java_models")
        export = os.path.join(out_dir, model, "1")
        shutil.rmtree(os.path.join(out_dir, model), ignore_errors=True)
        trained = report.run(f"{label} java train", lambda: run_cli(cli, [
            "train", "--model", model, "--data", args.data, "--epochs", 1, "--seed", 1,
            "--output", out_dir, "--model-version", 1]) and export)
        if not trained:
            report.fail(f"{label} (remaining checks)", "skipped: no export")
            continue
        report.run(f"{label} layout", check_layout, export)
        sub = os.path.join(args.work, f"java_{model}_submission.csv")
        probs = os.path.join(args.work, f"java_{model}_probs.csv")
        predicted = report.run(f"{label} java predict", lambda: run_cli(cli, [
            "predict", "--model-dir", export, "--input", args.data, "--output", sub,
            "--probabilities", probs, "--limit", ROWS_A, "--ignore-labels"]) and "ok")
        if predicted:
            report.run(f"{label} python == java", check_probabilities, export, x, probs, sub)
        report.run(f"{label} saved_model_cli", check_saved_model_cli, export)
        report.run(f"{label} TF Serving REST body", check_rest_body, export, x)
        report.run(f"{label} bfloat16 export", check_bfloat16_export, cli, args, export)


def check_bfloat16_export(cli, args, export):
    """`--export-precision mixed-bfloat16` (issue 18): the same weights (the export through a .keras file and
    back) as a SavedModel whose layers compute in bfloat16; Python runs it as written and its classes agree
    with the float32 export's on >= 99.9 % of test.csv."""
    import tensorflow as tf

    work = os.path.join(args.work, "bfloat16", os.path.basename(os.path.dirname(export)))
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    keras_file = os.path.join(work, "model.keras")
    twin = os.path.join(work, "twin", "1")
    run_cli(cli, ["convert", export, "--to", keras_file])
    run_cli(cli, ["convert", keras_file, "--output", twin, "--export-precision", "mixed-bfloat16"])
    loaded = tf.saved_model.load(twin)
    dtypes = {op.type: op.get_attr("T") for op in loaded.signatures["serving_default"].graph.get_operations()
              if op.type in ("MatMul", "Softmax")}
    expect(dtypes.get("MatMul") == tf.bfloat16 and dtypes.get("Softmax") == tf.float32,
           f"expected MatMul in bfloat16 and Softmax in float32; the graph has {dtypes}")
    x, _ = keras_io.load_csv(args.test)
    f32, bf16 = load_signature(export), loaded.signatures["serving_default"]
    agree, diff = 0, 0.0
    for i in range(0, len(x), 1000):
        batch = tf.constant(x[i:i + 1000])
        a, b = f32(image=batch), bf16(image=batch)
        expect(b["probabilities"].dtype == tf.float32, f"probabilities come out as {b['probabilities'].dtype}")
        agree += int(np.sum(a["class"].numpy() == b["class"].numpy()))
        diff = max(diff, float(np.max(np.abs(a["probabilities"].numpy() - b["probabilities"].numpy()))))
    share = agree / len(x)
    expect(share >= MIN_AGREEMENT, f"classes agree with float32 on {share:.4%} of test.csv (< {MIN_AGREEMENT:.1%})")
    expect(diff > 0, "the bfloat16 export scored exactly as float32: its graph did not compute in bfloat16")
    return f"classes agree on {agree:,} of {len(x):,} test.csv rows ({share:.3%}), largest probability difference {diff:.3g}"


# ---- check e: an ensemble export (train --ensemble --tta) in Python ----------------------------


def check_members_average(export, x):
    """serving_default's probabilities are the mean of the member_i signatures' (one graph)."""
    import tensorflow as tf

    loaded = tf.saved_model.load(export)
    keys = sorted(k for k in loaded.signatures.keys() if re.fullmatch(r"member_\d+", k))
    expect(len(keys) == 2, f"expected signatures member_1, member_2; found {sorted(loaded.signatures.keys())}")
    image = tf.constant(x)
    members = np.mean([loaded.signatures[k](image=image)["probabilities"].numpy() for k in keys], axis=0)
    ensemble = loaded.signatures["serving_default"](image=image)["probabilities"].numpy()
    diff = float(np.max(np.abs(members - ensemble)))
    # the mean of two float32 values in TF and in numpy: at most an ulp or so apart
    expect(diff <= 1e-6, f"serving_default differs from the members' mean by {diff:.3g}")
    return f"{len(keys)} members, max abs diff to their mean {diff:.3g}"


def check_e(report, cli, args, x):
    label = "e bn-cnn ensemble"
    out_dir = os.path.join(args.work, "java_ensemble")
    export = os.path.join(out_dir, "bn-cnn-ensemble", "1")
    shutil.rmtree(out_dir, ignore_errors=True)
    trained = report.run(f"{label} java train", lambda: run_cli(cli, [
        "train", "--model", "bn-cnn", "--ensemble", 2, "--tta", "--data", args.data, "--epochs", 1,
        "--output", out_dir]) and export)
    if not trained:
        report.fail(f"{label} (remaining checks)", "skipped: no export")
        return
    report.run(f"{label} layout", check_layout, export)
    sub = os.path.join(args.work, "java_ensemble_submission.csv")
    probs = os.path.join(args.work, "java_ensemble_probs.csv")
    predicted = report.run(f"{label} java predict", lambda: run_cli(cli, [
        "predict", "--model-dir", export, "--input", args.data, "--output", sub,
        "--probabilities", probs, "--limit", ROWS_A, "--ignore-labels"]) and "ok")
    if predicted:
        report.run(f"{label} python == java", check_probabilities, export, x, probs, sub)
    report.run(f"{label} serving_default = members' mean", check_members_average, export, x)
    report.run(f"{label} TF Serving REST body", check_rest_body, export, x)


# ---- check b: Python -> Java -----------------------------------------------------------------


def shape_forms(dims):
    """Spellings of a shape a saved_model_cli-like printout may use (spaces removed)."""
    inner = ",".join(str(d) for d in dims)
    return ("(" + inner + ")", "[" + inner + "]", "{" + inner + "}")


def check_inspect(cli, export):
    """`digits inspect` names the signature's real input/output names and shapes."""
    text = run_cli(cli, ["inspect", "--model-dir", export]).stdout
    compact = re.sub(r"\s+", "", text)
    info = keras_io.signature_info(export)
    expect("serving_default" in text, "no serving_default in inspect output")
    for kind in ("inputs", "outputs"):
        for name, (dtype, dims) in info[kind].items():
            expect(re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text), f"{kind[:-1]} {name!r} not named")
            expect(any(f in compact for f in shape_forms(dims)), f"shape {dims} of {name!r} not shown")
    return "; ".join(f"{k}: " + ", ".join(f"{n} {d}" for n, (_, d) in info[k].items()) for k in ("inputs", "outputs"))


def check_predict_agreement(cli, args, folder):
    out = os.path.join(args.work, f"java_{os.path.basename(folder)}_submission.csv")
    run_cli(cli, ["predict", "--model-dir", os.path.join(folder, "1"), "--input", args.test, "--output", out])
    java = keras_io.read_labels(out)
    keras = keras_io.read_labels(os.path.join(folder, "keras_labels.csv"))
    expect(len(java) == len(keras), f"Java labeled {len(java)} rows, Keras {len(keras)}")
    agreement = float(np.mean(java == keras))
    expect(agreement >= MIN_AGREEMENT, f"agreement {agreement:.5f} < {MIN_AGREEMENT} ({int(np.sum(java != keras))} rows differ)")
    return f"agreement {agreement:.5f} on {len(java)} rows ({int(np.sum(java != keras))} differ)"


def write_wrong_input_model(directory):
    """A SavedModel whose only input cannot take a 28x28 image (10 features)."""
    import tensorflow as tf

    class Wrong(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 10], tf.float32, name="features")])
        def serve(self, features):
            return {"scores": tf.nn.softmax(features)}

    shutil.rmtree(directory, ignore_errors=True)
    module = Wrong()
    tf.saved_model.save(module, directory, signatures={"serving_default": module.serve})


def check_errors(cli, args):
    """Clear one-line errors and exit 1 for a non-SavedModel and for a model with no image input."""
    not_model = os.path.join(args.work, "not_a_model")
    os.makedirs(not_model, exist_ok=True)
    out = os.path.join(args.work, "should_not_exist.csv")
    if os.path.exists(out):
        os.remove(out)  # left by an earlier run: the check is that this run writes none
    proc = run_cli(cli, ["predict", "--model-dir", not_model, "--input", args.test, "--output", out], expect_rc=1)
    expect(proc.stderr.strip(), "no error message for a folder that is not a SavedModel")
    wrong = os.path.join(args.work, "wrong_input", "1")
    write_wrong_input_model(wrong)
    proc = run_cli(cli, ["predict", "--model-dir", wrong, "--input", args.test, "--output", out], expect_rc=1)
    expect("features" in proc.stderr, f"error does not name the signature's input 'features': {proc.stderr.strip()[-200:]}")
    expect(not os.path.exists(out), f"{out} was written despite the error")
    return "not a SavedModel -> exit 1; input (-1,10) -> exit 1 naming 'features'"


def check_b(report, cli, args):
    keras_dir = args.keras_dir or os.path.join(args.work, "keras_models")
    if not args.keras_dir:
        made = report.run("b make_keras_models.py", lambda: subprocess.run(
            [sys.executable, os.path.join(SCRIPTS, "make_keras_models.py"), "--data", args.data, "--test", args.test,
             "--out", keras_dir, "--epochs", str(args.keras_epochs)], check=True, timeout=3600,
            stdout=subprocess.DEVNULL) and keras_dir)
        if not made:
            return
    for model in notebook_models.MODEL_NAMES:
        for fmt in keras_io.FORMATS:
            folder = os.path.join(keras_dir, f"{fmt}-{model}")
            report.run(f"b {fmt}-{model} java inspect", check_inspect, cli, os.path.join(folder, "1"))
            report.run(f"b {fmt}-{model} java predict", check_predict_agreement, cli, args, folder)
    report.run("b bad models get clear errors", check_errors, cli, args)


# ---- check c: training parity ----------------------------------------------------------------


def check_c(report, args):
    parity = os.path.abspath(os.path.join(args.work, "parity"))
    bf16 = os.path.abspath(os.path.join(args.work, "parity-bf16"))
    made = report.run("c keras_parity.py --policy mixed_bfloat16", lambda: subprocess.run(
        [sys.executable, os.path.join(SCRIPTS, "keras_parity.py"), "--data", args.data, "--out", bf16,
         "--policy", "mixed_bfloat16", "--steps", "20"], check=True, timeout=1800, stdout=subprocess.DEVNULL) and bf16)
    script_then_java_test(report, "c", "keras_parity.py", ["--data", args.data], parity, "KerasParityTest",
                          {"digits.parity.dir": parity, "digits.data": os.path.abspath(args.data),
                           **({"digits.parity.bf16.dir": bf16} if made else {})})


def script_then_java_test(report, letter, script, script_args, out, test_class, properties, timeout=1800):
    """Python's side first (scripts/`script` writing under `out`), then the Java test that reads it."""
    made = report.run(f"{letter} {script}", lambda: subprocess.run(
        [sys.executable, os.path.join(SCRIPTS, script), *script_args, "--out", out],
        check=True, timeout=timeout, stdout=subprocess.DEVNULL) and out)
    if made:
        report.run(f"{letter} java {test_class}", run_java_test, test_class, properties)


def run_java_test(test_class, properties):
    """Runs one JUnit class through Maven with system properties; fails unless it ran and passed."""
    reports = os.path.join(REPO, "target", "surefire-reports")
    for old in glob.glob(os.path.join(reports, f"*{test_class}*")):
        os.remove(old)
    cmd = ["mvn", "-q", "-B", "test", f"-Dtest={test_class}", "-Dsurefire.failIfNoSpecifiedTests=false"]
    cmd += [f"-D{k}={v}" for k, v in properties.items()]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=3600)
    xml = glob.glob(os.path.join(reports, f"TEST-*{test_class}.xml"))
    expect(xml, f"mvn exited {proc.returncode} and wrote no {test_class} report: "
                f"{(proc.stdout + proc.stderr).strip()[-400:]}")
    suite = ET.parse(xml[0]).getroot()
    counts = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
    expect(counts["tests"] > counts["skipped"], f"{test_class} ran no test: {counts}")
    expect(proc.returncode == 0 and counts["failures"] == counts["errors"] == 0,
           f"mvn exited {proc.returncode}, {counts}: {(proc.stdout + proc.stderr).strip()[-400:]}")
    return f"{counts['tests']} tests passed"


# ---- check d: Keras model files (.keras, .h5) in the Java graph -------------------------------
# Sequential and Functional files (residual CNN with Add/BatchNormalization/GlobalAveragePooling2D,
# separable/depthwise CNN with Concatenate branches, augmentation layers), each by Keras 3 and tf-keras:
# Java's probabilities from the file's weights against Keras's predict on 1,000 rows, within 1e-5.
# Training-step parity of these models (20 steps of Keras's fit from the file, with its compile
# settings) is check h.


def check_d(report, args):
    files = os.path.abspath(os.path.join(args.work, "keras-files"))
    script_then_java_test(report, "d", "make_keras_files.py", ["--data", args.data], files, "KerasFileParityTest",
                          {"digits.keras.dir": files, "digits.data": os.path.abspath(args.data)})


# ---- check f: optimizers, schedules and losses from compile settings -----------------------------


def check_f(report, args):
    settings = os.path.abspath(os.path.join(args.work, "training-settings"))
    script_then_java_test(report, "f", "training_settings_parity.py", [], settings, "TrainingSettingsParityTest",
                          {"digits.settings.dir": settings}, timeout=600)


# ---- check g: back to Keras (.keras / .h5 written by digits) ------------------------------------

G_TRAIN_ROWS = 4200    # rows of train.csv the Java fine-tuning runs on (a few seconds per model)
G_LOSS_TOL = 1e-4      # issue 17: evaluate and the continued fit's losses, Keras vs Java


def without_ids(node):
    """A config with Keras's object-sharing ids (Python memory addresses) left out."""
    if isinstance(node, dict):
        return {k: without_ids(v) for k, v in node.items() if k != "shared_object_id"}
    if isinstance(node, list):
        return [without_ids(v) for v in node]
    return node


def first_difference(a, b, path="config"):
    """Where two JSON trees differ first, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    same = a == b or (isinstance(a, float) and isinstance(b, float) and np.float32(a) == np.float32(b))
    return None if same else f"{path}: {a!r} != {b!r}"


def keras_config(path):
    import zipfile

    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("config.json"))


def java_probabilities(cli, args, model, limit=ROWS_A):
    """`digits predict --probabilities` on the first rows of the data (a SavedModel or a Keras file)."""
    out = os.path.join(args.work, "keras_out", "probs.csv")
    run_cli(cli, ["predict", "--model-dir", model, "--input", args.data, "--output", out + ".labels",
                  "--probabilities", out, "--limit", limit, "--ignore-labels"])
    return keras_io.read_probabilities(out)


def max_diff(a, b):
    expect(a.shape == b.shape, f"shapes {a.shape} != {b.shape}")
    return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))


def layer_table(model):
    """(class, parameter count) of each layer; a Functional model's InputLayer (Sequential lists none) left out."""
    return [(type(layer).__name__, layer.count_params()) for layer in model.layers
            if type(layer).__name__ != "InputLayer"]


def check_keras_loads(path, expected_layers, optimizer, x, java_probs):
    """Keras 3 loads the file: the expected layers and parameter counts, its optimizer, Java's probabilities."""
    import keras

    loaded = keras.saving.load_model(path)
    expect(layer_table(loaded) == expected_layers, f"layers {layer_table(loaded)} != {expected_layers}")
    expect(type(loaded.optimizer).__name__ == optimizer, f"compiled with {type(loaded.optimizer).__name__}, not {optimizer}")
    diff = max_diff(loaded.predict(x, batch_size=250, verbose=0), java_probs)
    expect(diff <= PROB_TOL, f"max abs probability diff {diff:.3g} > {PROB_TOL}")
    return f"{len(expected_layers)} layers, {loaded.count_params():,} parameters; predict vs Java max diff {diff:.3g}"


def bn_cnn_layers():
    """bn-cnn as Keras layers (326,954 parameters): RandomAffine becomes Keras's three augmentation layers."""
    rows = [("RandomRotation", 0), ("RandomZoom", 0), ("RandomTranslation", 0)]
    inputs = 1
    for filters in (32, 64):
        for size in (3, 3, 5):
            rows += [("Conv2D", size * size * inputs * filters), ("BatchNormalization", 4 * filters), ("Activation", 0)]
            inputs = filters
        rows.append(("Dropout", 0))
    return rows + [("Flatten", 0), ("Dense", 4 * 4 * 64 * 128 + 128), ("BatchNormalization", 4 * 128),
                   ("Activation", 0), ("Dropout", 0), ("Dense", 128 * 10 + 10)]


def check_config_as_keras_writes_it(path, resaved):
    """config.json equals what Keras writes when it saves the loaded model again (object ids aside)."""
    d = first_difference(without_ids(keras_config(path)), without_ids(keras_config(resaved)))
    expect(d is None, f"differs from Keras's own: {d}")
    return "identical to Keras's re-saved config.json"


def check_evaluate(cli, path, export, data):
    """Keras's evaluate on train's validation split (sklearn's split: numpy permutation) == `digits evaluate`."""
    import keras

    java = json.loads(run_cli(cli, ["evaluate", "--model-dir", export, "--json"]).stdout)
    x, labels = keras_io.load_csv(data)
    n_val = int(np.ceil(0.1 * len(x)))
    rows = np.random.RandomState(2).permutation(len(x))[:n_val]
    expect(java["rows"] == n_val, f"digits evaluated {java['rows']} rows, the split has {n_val}")
    loss, accuracy = keras.saving.load_model(path).evaluate(x[rows], keras_io.one_hot(labels[rows]), batch_size=250,
                                                             verbose=0)
    expect(abs(loss - java["loss"]) <= G_LOSS_TOL, f"loss {loss:.6f} vs digits {java['loss']:.6f}")
    expect(abs(accuracy - java["accuracy"]) <= G_LOSS_TOL, f"accuracy {accuracy:.6f} vs digits {java['accuracy']:.6f}")
    return f"{n_val} rows: loss {loss:.6f} vs {java['loss']:.6f}, accuracy {accuracy:.4f} vs {java['accuracy']:.4f}"


def check_tf_keras_loads(path, optimizer, x, java_probs):
    """tf-keras loads the .h5 compiled with the optimizer it was trained with, and scores as Java does."""
    import tf_keras

    loaded = tf_keras.models.load_model(path)
    expect(type(loaded.optimizer).__name__ == optimizer, f"compiled with {type(loaded.optimizer).__name__}, not {optimizer}")
    diff = max_diff(loaded.predict(x, batch_size=250, verbose=0), java_probs)
    expect(diff <= PROB_TOL, f"max abs probability diff {diff:.3g} > {PROB_TOL}")
    return f"{type(loaded.optimizer).__name__}-compiled; predict vs Java max diff {diff:.3g}"


def check_digits_reads_keras_save(cli, args, path, x):
    """Keras saves the model again; digits scores that file as Keras does."""
    import keras

    keras_probs = keras.saving.load_model(path).predict(x, batch_size=250, verbose=0)
    diff = max_diff(java_probabilities(cli, args, path), keras_probs)
    expect(diff <= PROB_TOL, f"max abs probability diff {diff:.3g} > {PROB_TOL}")
    return f"max diff {diff:.3g}"


def check_fit_continues(folder, data):
    """Keras's fit from continue.keras on Java's next batches: losses == Java's, weights == Java's after.keras."""
    import keras

    java = np.loadtxt(os.path.join(folder, "java_losses.csv"), delimiter=",", skiprows=1, ndmin=2)
    first, steps = int(java[0, 0]), len(java)
    x, labels = keras_io.load_csv(data, limit=(first + steps) * 32)
    model = keras.saving.load_model(os.path.join(folder, "continue.keras"))
    sparse = "sparse" in json.dumps(model.get_compile_config()["loss"])
    y = labels if sparse else keras_io.one_hot(labels)
    start = int(model.optimizer.iterations.numpy())
    expect(start == first, f"Keras's optimizer resumes at iteration {start}, Java stopped after {first} steps")
    running = []
    record = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: running.append(float(logs["loss"])))
    model.fit(x[first * 32:], y[first * 32:], batch_size=32, epochs=1, shuffle=False, verbose=0, callbacks=[record])
    # fit logs the mean loss of the epoch so far; each step's own loss is the difference of sums.
    losses = np.array([running[0]] + [(k + 1) * running[k] - k * running[k - 1] for k in range(1, len(running))])
    worst = float(np.max(np.abs(losses - java[:, 1]) / np.maximum(1.0, np.abs(java[:, 1]))))
    expect(worst <= G_LOSS_TOL, f"losses {losses} vs Java's {java[:, 1]}: worst {worst:.3g}")
    after = keras.saving.load_model(os.path.join(folder, "after.keras"), compile=False).get_weights()
    weights = max(max_diff(a, b) for a, b in zip(model.get_weights(), after))
    # Weights within 1e-5: each of the 3 updates moves a weight by about lr (Adam-like) or lr*sqrt(1/(1-rho))
    # ~ 3e-3 (RMSprop) or lr*|m| (SGD), and float32 gradients that differ in the last bits (oneDNN's
    # summation order) move it by ~1e-8 (measured 3e-8); the same steps from a fresh optimizer of the same
    # config end far further away (printed): the check sees the saved state.
    fresh = keras.saving.load_model(os.path.join(folder, "continue.keras"), compile=False)
    fresh.compile(optimizer=type(model.optimizer).from_config(model.optimizer.get_config()), loss=model.loss)
    fresh.fit(x[first * 32:], y[first * 32:], batch_size=32, epochs=1, shuffle=False, verbose=0)
    reset = max(max_diff(a, b) for a, b in zip(fresh.get_weights(), after))
    expect(weights <= 1e-5 < reset, f"weights after the steps differ from Java's by {weights:.3g}"
                                    f" (a fresh optimizer: {reset:.3g})")
    return (f"steps {first + 1}-{first + steps}: worst relative loss diff {worst:.3g}; weights max diff {weights:.3g}"
            f" (with a fresh optimizer instead: {reset:.3g})")


def check_g(report, cli, args):
    import keras

    work = os.path.abspath(os.path.join(args.work, "keras_out"))
    os.makedirs(work, exist_ok=True)
    x, labels = keras_io.load_csv(args.data, limit=G_TRAIN_ROWS)
    small = os.path.join(work, "train_head.csv")
    with open(small, "w") as f:
        f.write("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n")
        for label, row in zip(labels, np.rint(x.reshape(-1, 784) * 255).astype(np.int64)):
            f.write(f"{label}," + ",".join(map(str, row)) + "\n")
    rows = x[:ROWS_A]
    for model in notebook_models.MODEL_NAMES + ("bn-cnn",):
        label = f"g {model}"
        out = os.path.join(work, "saved_models")
        j1 = os.path.join(work, f"{model}.digits.keras")
        h5 = os.path.join(work, f"{model}.digits.h5")
        train = ["train", "--model", model, "--data", small, "--epochs", 1, "--output", out, "--model-version", 1,
                 "--overwrite", "--save-keras", j1, "--save-h5", h5]
        if model in notebook_models.MODEL_NAMES:
            # Hop 0: Keras writes the model (1 epoch on the rows), digits reads it and fine-tunes it.
            k0 = os.path.join(work, f"{model}.keras0.keras")
            keras.utils.set_random_seed(1)
            start = notebook_models.build_model(model, api="keras")
            start.fit(x, keras_io.one_hot(labels), batch_size=32, epochs=1, verbose=0)
            start.save(k0)
            report.run(f"{label} hop 0: digits reads Keras's .keras", check_digits_reads_keras_save, cli, args, k0, rows)
            train += ["--init-from", k0]
            expected, optimizer = layer_table(notebook_models.build_model(model, api="keras", compile=False)), "RMSprop"
        else:
            expected, optimizer = bn_cnn_layers(), "Adam"
        # Hop 1: digits trains it and writes .keras and .h5.
        if not report.run(f"{label} java train --save-keras --save-h5", lambda: run_cli(cli, train) and "ok"):
            continue
        export = os.path.join(out, model, "1")
        java_probs = java_probabilities(cli, args, export)
        report.run(f"{label} hop 1: Keras loads digits's .keras", check_keras_loads, j1, expected, optimizer, rows,
                   java_probs)
        report.run(f"{label} keras evaluate == digits evaluate", check_evaluate, cli, j1, export, small)
        report.run(f"{label} tf-keras loads digits's .h5", check_tf_keras_loads, h5, optimizer, rows, java_probs)
        keras_saves_again(report, cli, args, label, j1, os.path.join(work, f"{model}.keras2.keras"), rows)
    check_g_functional(report, cli, args, work, small, rows)
    continuation = os.path.join(work, "continuation")
    ran = report.run("g java KerasContinuationTest", run_java_test, "KerasContinuationTest",
                     {"digits.keras-out.dir": continuation, "digits.data": os.path.abspath(args.data)})
    if ran:
        for folder in sorted(glob.glob(os.path.join(continuation, "*"))):
            report.run(f"g {os.path.basename(folder)}: Keras fit continues Java's training", check_fit_continues,
                       folder, args.data)


def every_layer_chain(K):
    """A chain of each layer kind digits writes that keras_models' models leave out (also as .h5 for tf-keras),
    the layers with weights carrying their own initializers, regularizers and constraints (activity
    regularizers only where tf-keras keeps them: Conv and Dense layers)."""
    L, R, C, I = K.layers, K.regularizers, K.constraints, K.initializers
    return K.Sequential([
        K.Input((28, 28, 1)), L.RandomContrast(0.1),
        L.Conv2D(4, 3, dilation_rate=2, padding="same", kernel_initializer="he_normal", kernel_regularizer=R.L2(1e-4),
                 kernel_constraint=C.MaxNorm(3, axis=[0, 1, 2]), activity_regularizer=R.L1(1e-5)),
        L.Conv2D(4, 3, groups=2, padding="same", bias_initializer=I.Constant(0.01), bias_constraint=C.NonNeg()),
        L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", depthwise_initializer=I.TruncatedNormal(stddev=0.1),
                          depthwise_regularizer=R.L1L2(1e-5, 1e-4), activity_regularizer=R.L2(1e-5)),
        L.ZeroPadding2D(((1, 2), (3, 4))), L.Cropping2D(((1, 2), (3, 4))), L.SpatialDropout2D(0.1),
        L.GaussianNoise(0.1), L.GaussianDropout(0.1),
        L.LayerNormalization(beta_regularizer=R.L2(1e-3), gamma_constraint=C.NonNeg()),
        L.ReLU(max_value=6.0, threshold=0.1), L.LeakyReLU(0.2),
        L.PReLU(shared_axes=[1, 2], alpha_initializer=I.Constant(0.1), alpha_regularizer=R.L2(1e-4),
                alpha_constraint=C.NonNeg()),
        L.ELU(0.5), L.GlobalMaxPooling2D(keepdims=True), L.Flatten(),
        L.Dense(10, kernel_initializer=I.VarianceScaling(2.0, "fan_out", "uniform"), kernel_regularizer=R.L1(1e-5),
                bias_constraint=C.UnitNorm(), activity_regularizer=R.L2(1e-5)),
        L.Softmax()], name="every_layer")


def regularized_cnn(K):
    """A residual CNN with a Concatenate branch whose layers carry their own initializers, weight and
    activity regularizers and constraints (check h's keras_models are left as they are)."""
    L, R, C, I = K.layers, K.regularizers, K.constraints, K.initializers
    inputs = K.Input((28, 28, 1))
    x = L.Conv2D(8, 3, padding="same", activation="relu", kernel_initializer="he_uniform",
                 kernel_regularizer=R.L2(1e-4), activity_regularizer=R.L1(1e-6))(inputs)
    y = L.Conv2D(8, 3, padding="same", use_bias=False, kernel_initializer=I.Orthogonal(gain=1.5),
                 kernel_constraint=C.MaxNorm(2, axis=[0, 1, 2]))(x)
    y = L.BatchNormalization(beta_regularizer=R.L1L2(1e-5, 1e-4), gamma_constraint=C.NonNeg())(y)
    x = L.Activation("relu")(L.Add()([x, y]))
    b = L.SeparableConv2D(8, 3, padding="same", depthwise_initializer="lecun_normal",
                          pointwise_initializer="lecun_normal", bias_initializer=I.RandomUniform(-0.01, 0.01),
                          depthwise_regularizer=R.L2(1e-4), pointwise_constraint=C.UnitNorm(axis=[0, 1, 2]))(x)
    x = L.MaxPooling2D(2)(L.Concatenate()([x, b]))
    x = L.GlobalAveragePooling2D()(x)
    outputs = L.Dense(10, activation="softmax", kernel_initializer=I.RandomNormal(stddev=0.05),
                      kernel_regularizer=R.L1(1e-5), bias_constraint=C.MaxNorm(1), activity_regularizer=R.L2(1e-5))(x)
    return K.Model(inputs, outputs, name="regularized_cnn")


def check_g_functional(report, cli, args, work, small, rows):
    """The round trip of issue 16's Functional models (keras_models.FUNCTIONAL), of every_layer_chain and
    of regularized_cnn: Keras writes the model (fresh weights), digits trains it 1 epoch and writes it
    (.keras, and .h5, which tf-keras loads), Keras loads that (same layers, Java's probabilities),
    saves it again (the same config.json), and digits scores Keras's file as Keras does."""
    import keras

    folder = os.path.join(work, "functional")
    os.makedirs(folder, exist_ok=True)
    O, S, L = keras.optimizers, keras.optimizers.schedules, keras.losses
    # each model with other compile settings, all of which digits trains with and writes back
    compiled = {
        "residual_cnn": (O.SGD(S.ExponentialDecay(0.01, 50, 0.9, staircase=True), momentum=0.9, nesterov=True,
                               clipvalue=0.5), L.CategoricalCrossentropy(label_smoothing=0.1)),
        "separable_cnn": (O.Adam(0.001, amsgrad=True, clipnorm=1.0), "sparse_categorical_crossentropy"),
        "augmented_cnn": (O.Nadam(S.CosineDecay(1e-4, 100, warmup_target=1e-3, warmup_steps=20)),
                          "categorical_crossentropy"),
        "every_layer": (O.AdamW(0.001, global_clipnorm=2.0), "categorical_crossentropy"),
        # named: the notebook models' RMSprops took Keras's automatic names rm_sprop and rm_sprop_1,
        # and digits writes the class's default name back
        "regularized_cnn": (O.RMSprop(0.001, momentum=0.5, centered=True, name="rm_sprop"), "categorical_crossentropy"),
    }
    models = dict(keras_models.FUNCTIONAL, every_layer=every_layer_chain, regularized_cnn=regularized_cnn)
    for name, build in models.items():
        label = f"g {name}"
        k0 = os.path.join(folder, f"{name}.keras")
        keras.utils.set_random_seed(1)
        model = build(keras)
        optimizer, loss = compiled[name]
        model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
        model.save(k0)
        out = os.path.join(folder, "saved_models")
        j1 = os.path.join(folder, f"{name}.digits.keras")
        h5 = os.path.join(folder, f"{name}.digits.h5")
        train = ["train", "--model", k0, "--data", small, "--epochs", 1, "--output", out, "--model-version", 1,
                 "--overwrite", "--save-keras", j1, "--save-h5", h5]
        if not report.run(f"{label} java train --model FILE.keras --save-keras --save-h5",
                          lambda: run_cli(cli, train) and "ok"):
            continue
        java_probs = java_probabilities(cli, args, os.path.join(out, name, "1"))
        report.run(f"{label} hop 1: Keras loads digits's .keras", check_keras_loads, j1, layer_table(model),
                   type(optimizer).__name__, rows, java_probs)
        report.run(f"{label} compile settings written back as Keras wrote them", check_compile_config_kept, k0, j1)
        report.run(f"{label} layer configs written back as Keras wrote them", check_layer_configs_kept, k0, j1)
        report.run(f"{label} tf-keras loads digits's .h5", check_tf_keras_loads, h5, type(optimizer).__name__,
                   rows, java_probs)
        keras_saves_again(report, cli, args, label, j1, os.path.join(folder, f"{name}.keras2.keras"), rows)


def check_compile_config_kept(original, written):
    """digits writes the compile_config of the Keras file it trained: optimizer, schedule, loss, metrics."""
    d = first_difference(keras_config(original)["compile_config"], keras_config(written)["compile_config"])
    expect(d is None, f"compile_config differs from the file's own: {d}")
    optimizer = keras_config(written)["compile_config"]["optimizer"]
    return f"{optimizer['class_name']}, learning rate {json.dumps(optimizer['config']['learning_rate'])[:60]}"


def names_apart(layers):
    """A config's layers with each layer name replaced by the layer's position (in names and inbound nodes)."""
    position = {layer.get("name", layer["config"]["name"]): f"#{i}" for i, layer in enumerate(layers)}

    def replace(node):
        if isinstance(node, dict):
            return {k: replace(v) for k, v in node.items()}
        if isinstance(node, list):
            return [replace(v) for v in node]
        return position.get(node, node) if isinstance(node, str) else node
    return replace(layers)


def check_layer_configs_kept(original, written):
    """digits writes each layer's config as Keras wrote it in the file it trained: the same options
    (initializers, regularizers, constraints included) in the same order, layer for layer; names and
    Keras's object-sharing ids aside."""
    configs = [keras_config(path) for path in (original, written)]
    layers = [names_apart(without_ids(config["config"]["layers"])) for config in configs]
    kinds = [config["class_name"] for config in configs]
    if kinds[0] != kinds[1]:
        # a Functional chain comes back as a Sequential: the same layers, without the Functional wiring
        layers = [[{k: v for k, v in layer.items() if k not in ("name", "inbound_nodes")} for layer in model]
                  for model in layers]
    d = first_difference(*layers, path="layers")
    expect(d is None, f"differs from the file's own: {d}")
    options = sum(1 for layer in layers[0] for k, v in layer["config"].items()
                  if v is not None and k.endswith(("_regularizer", "_constraint")))
    return f"{len(layers[0])} layers identical ({' -> '.join(dict.fromkeys(kinds))}), {options} regularizers and constraints"


def keras_saves_again(report, cli, args, label, j1, k2, rows):
    """Hop 2: Keras saves digits's file again (the same config.json), and digits scores Keras's file like Keras."""
    import keras

    if report.run(f"{label} Keras saves it again", lambda: keras.saving.load_model(j1).save(k2) or k2):
        report.run(f"{label} config.json as Keras writes it", check_config_as_keras_writes_it, j1, k2)
        report.run(f"{label} hop 2: digits reads Keras's re-save", check_digits_reads_keras_save, cli, args, k2, rows)


# ---- check h: a Keras user's own model and compile settings, trained in Java --------------------


def check_h(report, args):
    parity = os.path.abspath(os.path.join(args.work, "fit-parity"))
    script_then_java_test(report, "h", "keras_fit_parity.py", ["--data", args.data], parity, "KerasFitParityTest",
                          {"digits.fit-parity.dir": parity, "digits.data": os.path.abspath(args.data)}, timeout=600)


# ---- main -------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Interop checks between digits (Java) and Python TensorFlow/Keras.")
    p.add_argument("--jar", default="target/digits.jar", help="the digits jar (default target/digits.jar)")
    p.add_argument("--java", default="java", help="java executable (default: java on PATH)")
    p.add_argument("--cli", help="command to run instead of `java -jar JAR` (e.g. another build of digits)")
    p.add_argument("--data", default="data/train.csv", help="labeled train CSV")
    p.add_argument("--test", default="data/test.csv", help="unlabeled test CSV")
    p.add_argument("--work", default="build/interop", help="scratch folder (recreated parts only)")
    p.add_argument("--keras-epochs", type=int, default=2, help="epochs for make_keras_models.py (default 2)")
    p.add_argument("--keras-dir", help="reuse models already made by make_keras_models.py instead of training")
    p.add_argument("--only", default="abcdefgh", help="which checks to run, e.g. 'ab' (default abcdefgh)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cli = shlex.split(args.cli) if args.cli else [args.java, "-jar", args.jar]
    os.makedirs(args.work, exist_ok=True)
    report = Report()
    if not args.cli and not os.path.isfile(args.jar):
        report.fail("setup", f"{args.jar} not found (build it with mvn package first)")
    if "a" in args.only:
        x, _ = keras_io.load_csv(args.data, limit=ROWS_A)
        check_a(report, cli, args, x)
    if "b" in args.only:
        check_b(report, cli, args)
    if "c" in args.only:
        check_c(report, args)
    if "d" in args.only:
        check_d(report, args)
    if "e" in args.only:
        x, _ = keras_io.load_csv(args.data, limit=ROWS_A)
        check_e(report, cli, args, x)
    if "f" in args.only:
        check_f(report, args)
    if "g" in args.only:
        check_g(report, cli, args)
    if "h" in args.only:
        check_h(report, args)
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
