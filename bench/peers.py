"""Training throughput of the peers, for `npm run bench`: scikit-learn and PyTorch.

Called by bench/train.js with a JSON file that lists the workloads, each with
its layer sizes, batch size and the path of its rows (float64, row-major, the
features then the targets of each row, as bench/train.js generated them).
Prints one JSON object per line: the workload's name and rows/s (epochs × rows
/ training seconds, median of a few runs) for each peer it could run.

Both peers do what autograd's bench does: plain SGD (no momentum, no L2),
learning rate 0.01, tanh hidden layers, a linear output, mean squared error,
rows reshuffled every epoch, float64, one thread:

- scikit-learn: MLPRegressor(solver='sgd'), its BLAS held to one thread;
- PyTorch: nn.Sequential of Linear + Tanh in float64, torch.set_num_threads(1).

    sudo apt-get install python3-sklearn python3-torch
"""

import json
import os
import sys
import time
import warnings

# One BLAS thread, set before numpy loads it.
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = "1"

import numpy as np  # noqa: E402

TARGET_SECONDS = 0.5
RUNS = int(os.environ.get("BENCH_RUNS", "3"))


def sized(rate, rows):
    """Whole epochs that take about TARGET_SECONDS at this rate."""
    return max(1, round(rate * TARGET_SECONDS / rows))


def median_rate(run, rows):
    run(1)  # warm-up: imports, allocation, first-call costs
    epochs = sized(run(1), rows)
    return sorted(run(epochs) for _ in range(RUNS))[RUNS // 2]


def sklearn_rate(w, x, y):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    def run(epochs):
        model = MLPRegressor(
            hidden_layer_sizes=tuple(w["layers"][1:-1]),
            activation="tanh",
            solver="sgd",
            learning_rate_init=0.01,
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=0.0,
            batch_size=w["batchSize"],
            max_iter=epochs,
            shuffle=True,
            tol=0.0,
            n_iter_no_change=epochs + 1,
            random_state=0,
        )
        target = y if y.shape[1] > 1 else y.ravel()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(x, target)
            seconds = time.perf_counter() - start
        return model.n_iter_ * len(x) / seconds

    return median_rate(run, len(x))


def torch_rate(w, x, y):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers = []
    sizes = w["layers"]
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]).double())
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    tx = torch.from_numpy(x)
    ty = torch.from_numpy(y)
    batch = w["batchSize"]

    def run(epochs):
        start = time.perf_counter()
        for _ in range(epochs):
            order = torch.randperm(len(tx))
            for s in range(0, len(tx), batch):
                rows = order[s : s + batch]
                optimizer.zero_grad()
                loss = loss_fn(model(tx[rows]), ty[rows])
                loss.backward()
                optimizer.step()
        return epochs * len(tx) / (time.perf_counter() - start)

    return median_rate(run, len(x))


def main():
    with open(sys.argv[1]) as f:
        workloads = json.load(f)
    for w in workloads:
        sizes = w["layers"]
        data = np.fromfile(w["path"], dtype=np.float64).reshape(w["rows"], sizes[0] + sizes[-1])
        x = np.ascontiguousarray(data[:, : sizes[0]])
        y = np.ascontiguousarray(data[:, sizes[0] :])
        result = {"name": w["name"]}
        for peer, rate in (("scikit-learn", sklearn_rate), ("PyTorch", torch_rate)):
            try:
                result[peer] = rate(w, x, y)
            except ImportError:
                result[peer] = None
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
