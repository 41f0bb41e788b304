"""Plain PyTorch baseline: one ``nn.Sequential`` per model, trained one after another.

This is the idiomatic way a user would train a workload without reglab: per model,
``torch.manual_seed(seed)``, Glorot-uniform kernels and zero biases, ``Adam(lr=1e-3)``,
a DataLoader-free loop over ``torch.randperm`` mini-batches, loss = ``BCEWithLogitsLoss``
(mean) + lam * sum(|W|) or lam * sum(W**2) over the two hidden kernels (autograd).

Measured per model: wall-clock seconds from seeding/building the model to the end of its last
optimizer step (accuracy evaluation excluded); the total is the sum over models. With
``--models N`` only the first N models are trained and the workload total is an *estimate*
(mean per-model time x number of models). Process start-up (``import torch`` ~1 s, scikit-learn
~1 s) is not included. Reference: a full W2 plain run takes ~170 s whole process.

Usage: ``python bench/plain_loop.py --workload W2 --models 2 [--threads 2] [--json]``;
from the repo root also ``from bench.plain_loop import train_plain``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads as wl  # noqa: E402


def _make_model(seed: int) -> nn.Sequential:
    torch.manual_seed(seed)
    h1, h2 = wl.HIDDEN
    model = nn.Sequential(
        nn.Linear(wl.N_FEATURES, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, 1)
    )
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def _penalty(model: nn.Sequential, kind: str, lam: float) -> torch.Tensor | float:
    if kind == "none" or lam == 0.0:
        return 0.0
    kernels = (model[0].weight, model[2].weight)  # hidden kernels only
    if kind == "l1":
        return lam * sum(w.abs().sum() for w in kernels)
    if kind == "l2":
        return lam * sum(w.pow(2).sum() for w in kernels)
    raise ValueError(f"unknown penalty {kind!r}")


@torch.no_grad()
def _accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    return ((model(X).squeeze(1) > 0).float() == y).float().mean().item()


def train_plain(workload_runs, X_train, y_train, epochs: int = wl.EPOCHS, models: int | None = None,
                *, X_test=None, y_test=None, batch: int = wl.BATCH, lr: float = wl.LR) -> list[dict]:
    """Train the first ``models`` runs of ``workload_runs`` (all if None) one after another.

    Returns one dict per model: the run's ``penalty``, ``lam``, ``seed`` plus ``train_acc``,
    ``test_acc`` (None without ``X_test``/``y_test``) and ``seconds`` (training time only).
    """
    Xtr = torch.as_tensor(X_train, dtype=torch.float32)
    ytr = torch.as_tensor(y_train, dtype=torch.float32).reshape(-1)
    Xte = None if X_test is None else torch.as_tensor(X_test, dtype=torch.float32)
    yte = None if y_test is None else torch.as_tensor(y_test, dtype=torch.float32).reshape(-1)
    n = Xtr.shape[0]
    loss_fn = nn.BCEWithLogitsLoss()
    results = []
    for run in list(workload_runs)[:models]:
        t0 = time.perf_counter()
        model = _make_model(run["seed"])
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(epochs):
            perm = torch.randperm(n)
            for i in range(0, n, batch):  # last partial batch kept
                idx = perm[i:i + batch]
                loss = loss_fn(model(Xtr[idx]).squeeze(1), ytr[idx])
                loss = loss + _penalty(model, run["penalty"], run["lam"])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
        seconds = time.perf_counter() - t0
        results.append({
            **run,
            "train_acc": _accuracy(model, Xtr, ytr),
            "test_acc": None if Xte is None else _accuracy(model, Xte, yte),
            "seconds": seconds,
        })
    return results


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workload", choices=sorted(wl.WORKLOADS), default="W2")
    p.add_argument("--models", type=int, default=None,
                   help="train only the first N models; the workload total is extrapolated")
    p.add_argument("--epochs", type=int, default=wl.EPOCHS)
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = p.parse_args(argv)
    wl.print_machine()  # the CPU and its matmul peak, beside every figure

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    runs = wl.WORKLOADS[args.workload]
    X_tr, y_tr, X_te, y_te = wl.moons_split()
    res = train_plain(runs, X_tr, y_tr, epochs=args.epochs, models=args.models, X_test=X_te, y_test=y_te)

    measured = sum(r["seconds"] for r in res)
    estimated = len(res) < len(runs)
    total = measured / len(res) * len(runs) if estimated else measured
    floor = wl.floor_seconds(len(runs), n_train=len(X_tr), epochs=args.epochs)
    report = {
        "workload": args.workload, "threads": torch.get_num_threads(), "epochs": args.epochs,
        "models_trained": len(res), "models_total": len(runs),
        "measured_seconds": measured, "total_seconds": total, "total_is_estimate": estimated,
        "flop_floor_seconds": floor, "results": res,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return report
    print(f"plain loop, {args.workload}, {report['threads']} thread(s), {args.epochs} epochs")
    for i, r in enumerate(res):
        print(f"  [{i:2d}] {r['penalty']:>4} lam={r['lam']:<7g} seed={r['seed']}  "
              f"train={r['train_acc']:.3f} test={r['test_acc']:.3f}  {r['seconds']:7.2f} s")
    print(f"measured: {measured:.2f} s for {len(res)}/{len(runs)} models "
          f"({measured / len(res):.2f} s/model)")
    label = "ESTIMATED total (linear extrapolation)" if estimated else "total"
    print(f"{label}: {total:.1f} s for {len(runs)} models; "
          f"FLOP floor {floor:.2f} s at {wl.PEAK_GFLOPS:g} GFLOP/s ({total / floor:.0f}x)")
    return report


if __name__ == "__main__":
    main()
