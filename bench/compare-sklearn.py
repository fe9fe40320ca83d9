"""autograd beside scikit-learn's MLPRegressor / MLPClassifier, on the same rows.

For each data set — the shipped moons, blobs and sine, and scikit-learn's
bundled iris, wine, breast cancer, diabetes and digits — the rows are split
80/20 with a fixed seed and written as CSV; both tools train on the same
training rows, with their defaults, and are scored on the same test rows
(accuracy for classes, R² for numbers). Prints a Markdown table.

    sudo apt-get install python3-sklearn
    npm run bench:sklearn            # or: /usr/bin/python3 bench/compare-sklearn.py

autograd runs as `autograd train train.csv --layers auto,16,16,auto` (plus
`--task classify` where the target is classes), everything else default:
SGD, lr 0.05, batch 32, 100 epochs, tanh, features and targets standardised.
scikit-learn runs as MLPClassifier() / MLPRegressor() with random_state=0 —
its defaults: one hidden layer of 100 ReLU units, Adam, lr 0.001, batch
min(200, n), up to 200 epochs, L2 1e-4 — on features standardised with
StandardScaler, as its user guide advises (it does not scale them itself).
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "bin", "autograd.js")
SEED = 0


def shipped(name, classify):
    with open(os.path.join(ROOT, "data", f"{name}.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    x = np.array([[float(v) for v in r[:-1]] for r in body])
    y = np.array([r[-1] for r in body]) if classify else np.array([float(r[-1]) for r in body])
    return header[:-1], header[-1], x, y


def bundled(loader):
    d = loader()
    names = [str(n).replace(" ", "_").replace("(", "").replace(")", "") for n in d.feature_names]
    if len(set(names)) != len(names):
        names = [f"x{i}" for i in range(len(names))]
    return names, "target", d.data, d.target


SETS = [
    ("moons", True, lambda: shipped("moons", True)),
    ("blobs", True, lambda: shipped("blobs", True)),
    ("sine", False, lambda: shipped("sine", False)),
    ("iris", True, lambda: bundled(datasets.load_iris)),
    ("wine", True, lambda: bundled(datasets.load_wine)),
    ("breast cancer", True, lambda: bundled(datasets.load_breast_cancer)),
    ("diabetes", False, lambda: bundled(datasets.load_diabetes)),
    ("digits", True, lambda: bundled(datasets.load_digits)),
]


def write_csv(path, features, target, x, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([*features, target])
        for row, label in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [label if isinstance(label, str) else repr(label.item())])


def autograd(args):
    return subprocess.run(["node", BIN, *args], capture_output=True, text=True, check=True)


def run_autograd(folder, classify):
    model = os.path.join(folder, "model.json")
    flags = ["--task", "classify"] if classify else []
    started = time.perf_counter()
    autograd(["train", os.path.join(folder, "train.csv"), "-l", "auto,16,16,auto", "-q", "-o", model, *flags])
    seconds = time.perf_counter() - started
    metrics = json.loads(autograd(["evaluate", "-m", model, os.path.join(folder, "test.csv"), "--json"]).stdout)
    return (metrics["accuracy"] if classify else metrics["targets"][0]["r2"]), seconds


def run_sklearn(classify, x_train, y_train, x_test, y_test):
    model = MLPClassifier(random_state=SEED) if classify else MLPRegressor(random_state=SEED)
    pipeline = make_pipeline(StandardScaler(), model)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(x_train, y_train)
    seconds = time.perf_counter() - started
    predicted = pipeline.predict(x_test)
    score = accuracy_score(y_test, predicted) if classify else r2_score(y_test, predicted)
    return score, seconds


def main():
    print("| data | rows (train / test) | task | autograd | scikit-learn | autograd s | scikit-learn s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, classify, load in SETS:
        features, target, x, y = load()
        order = np.random.default_rng(SEED).permutation(len(x))
        cut = int(round(len(x) * 0.8))
        train, test = order[:cut], order[cut:]
        with tempfile.TemporaryDirectory() as folder:
            write_csv(os.path.join(folder, "train.csv"), features, target, x[train], y[train])
            write_csv(os.path.join(folder, "test.csv"), features, target, x[test], y[test])
            ours, our_seconds = run_autograd(folder, classify)
        theirs, their_seconds = run_sklearn(classify, x[train], y[train], x[test], y[test])
        metric = "accuracy" if classify else "R²"
        print(
            f"| {name} | {len(train)} / {len(test)} | {'classify' if classify else 'regress'} | "
            f"{metric} {ours:.3f} | {metric} {theirs:.3f} | {our_seconds:.2f} | {their_seconds:.2f} |"
        )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
