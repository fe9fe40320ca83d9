"""Training throughput of the peers, for `npm run bench`: scikit-learn and PyTorch.

Run by bench/train.js as a child process that answers one JSON line per
request, so that the peers take turns with the engines in each round of the
same run (a slow spell of the machine then hits them alike):

- {"workload": {"name", "layers", "batchSize", "rows", "path"}} loads the rows
  (float64, row-major, the features then the targets of each row, as
  bench/train.js wrote them) and answers {"peers": [the peers installed]};
- {"peer": "scikit-learn" or "PyTorch", "epochs": n} trains that peer for n
  epochs on them and answers {"rate": epochs × rows / training seconds}.

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


def sklearn_run(w, x, y):
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

    return run


def torch_run(w, x, y):
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

    return run


def main():
    runs = {}
    for line in sys.stdin:
        request = json.loads(line)
        if "workload" in request:
            w = request["workload"]
            sizes = w["layers"]
            data = np.fromfile(w["path"], dtype=np.float64).reshape(w["rows"], sizes[0] + sizes[-1])
            x = np.ascontiguousarray(data[:, : sizes[0]])
            y = np.ascontiguousarray(data[:, sizes[0] :])
            runs = {}
            for peer, make in (("scikit-learn", sklearn_run), ("PyTorch", torch_run)):
                try:
                    runs[peer] = make(w, x, y)
                except ImportError:
                    pass
            answer = {"peers": list(runs)}
        else:
            answer = {"rate": runs[request["peer"]](request["epochs"])}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
