"""``reglab tune`` (batched ask/tell, a batch trained as one stack) against Optuna's ordinary
``study.optimize`` with one plain PyTorch model per trial, on the same search, in one invocation.

Search: penalty in {l1, l2}, λ in [1e-5, 1] (log), dropout in [0, 0.5]; moons (500 points, 30 %
test, 20 % of the rest for validation), hidden 64,64, Adam lr 1e-3, batch 32, E epochs; objective
the validation data loss (BCE, mean) at the last epoch; TPE sampler, successive halving every E/10
epochs on both sides. The plain side is the idiomatic loop: ``nn.Sequential`` (Linear, ReLU, Dropout)
× 2 + Linear, loss = BCEWithLogits (mean) + λ·Σ|W| or λ·Σ W² over the hidden kernels (autograd),
``trial.report`` and ``trial.should_prune`` at the same epochs.

Second measure: the same reglab study run by one worker, then by two worker processes at once on
one SQLite study (``--workers``); wall seconds of each, every worker under reglab's thread policy
(one worker alone takes both cores; two at once take one each) unless OMP_NUM_THREADS is set.

Usage: ``python bench/tune_speed.py [--trials 64] [--epochs 200] [--batch 32] [--workers]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optuna
import torch
from torch import nn

import workloads as wl  # bench/ is on the path: this script's own folder
from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.tuning import SearchSpace, tune

DATA = DataConfig(dataset="moons", n_samples=500, val_size=0.2)
SPACE = SearchSpace(("l1", "l2"), 1e-5, 1.0, 0.0, 0.5)


def plain_objective(epochs: int, every: int):
    split = load(DATA)
    X, y = torch.as_tensor(split.X_train, dtype=torch.float32), torch.as_tensor(split.y_train, dtype=torch.float32).view(-1, 1)
    Xv, yv = torch.as_tensor(split.X_val, dtype=torch.float32), torch.as_tensor(split.y_val, dtype=torch.float32).view(-1, 1)

    def objective(trial: optuna.Trial) -> float:
        kind = trial.suggest_categorical("penalty", ["l1", "l2"])
        lam = trial.suggest_float("lam", 1e-5, 1.0, log=True)
        rate = trial.suggest_float("dropout", 0.0, 0.5)
        torch.manual_seed(trial.number)
        layers = [nn.Linear(2, 64), nn.ReLU(), nn.Dropout(rate), nn.Linear(64, 64), nn.ReLU(), nn.Dropout(rate), nn.Linear(64, 1)]
        model = nn.Sequential(*layers)
        hidden = [model[0].weight, model[3].weight]
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.BCEWithLogitsLoss()
        for epoch in range(1, epochs + 1):
            model.train()
            for rows in torch.randperm(len(X)).split(32):
                # forward, loss and penalty
                loss = loss_fn(model(X[rows]), y[rows])
                loss = loss + lam * sum(w.abs().sum() if kind == "l1" else w.square().sum() for w in hidden)
                # backward and update
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            if epoch % every == 0:
                model.eval()
                with torch.no_grad():
                    value = loss_fn(model(Xv), yv).item()
                trial.report(value, epoch)
                if trial.should_prune():
                    raise optuna.TrialPruned()
        return value

    return objective


def run_plain(trials: int, epochs: int, prune: bool = True) -> tuple[float, float]:
    every = max(1, epochs // 10)
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=every, reduction_factor=3) if prune else optuna.pruners.NopPruner()
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0), pruner=pruner)
    start = time.perf_counter()
    study.optimize(plain_objective(epochs, every), n_trials=trials)
    return time.perf_counter() - start, study.best_value


def run_reglab(trials: int, epochs: int, batch: int, folder: Path, prune: bool = True) -> tuple[float, float]:
    start = time.perf_counter()
    base = RunConfig(hidden=(64, 64), epochs=epochs)
    result = tune(DATA, base, SPACE, trials=trials, batch=batch, storage=folder, sampler_seed=0, prune=prune)
    return time.perf_counter() - start, result.study.best_value


WORKER = (
    "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); import tune_speed as t; "
    "t.run_reglab(*map(int, sys.argv[2:5]), Path(sys.argv[5]))"
)


def run_workers(n: int, trials: int, epochs: int, batch: int, folder: Path) -> float:
    command = [sys.executable, "-c", WORKER, str(Path(__file__).parent), str(trials), str(epochs), str(batch), str(folder)]
    start = time.perf_counter()
    workers = [subprocess.Popen(command) for _ in range(n)]
    assert all(w.wait() == 0 for w in workers)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--workers", action="store_true", help="also time two worker processes against one")
    parser.add_argument("--no-prune", action="store_true", help="train every trial to the end on both sides")
    a = parser.parse_args()
    wl.print_machine()  # the CPU and its matmul peak, beside every figure
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        batched, batched_best = run_reglab(a.trials, a.epochs, a.batch, Path(tmp) / "batched", not a.no_prune)
        plain, plain_best = run_plain(a.trials, a.epochs, not a.no_prune)
        pruning = "no pruning" if a.no_prune else "successive halving"
        print(f"{a.trials} trials × {a.epochs} epochs, {pruning}, torch threads {torch.get_num_threads()}")
        print(f"reglab tune (batch {a.batch}):  {batched:7.1f} s   best val data loss {batched_best:.4f}")
        print(f"optuna optimize, plain PyTorch: {plain:7.1f} s   best val data loss {plain_best:.4f}")
        print(f"ratio: {plain / batched:.1f}x")
        if a.workers:
            one = run_workers(1, a.trials, a.epochs, a.batch, Path(tmp) / "one")
            two = run_workers(2, a.trials, a.epochs, a.batch, Path(tmp) / "two")
            print(f"one worker: {one:.1f} s; two workers on one study: {two:.1f} s")


if __name__ == "__main__":
    main()
