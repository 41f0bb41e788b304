"""W1/W2 through reglab's stacked engine and through the plain PyTorch loop, in one invocation.

    .venv/bin/python bench/engine_speed.py                  # W1 + W2, full plain loop (~3 min)
    .venv/bin/python bench/engine_speed.py --plain-models 8 # plain loop time extrapolated from 8 models

Prints reglab's W2 time, its ratio to the plain loop, the FLOP floor (3·2·Σfan_in·fan_out per sample
per epoch at the measured matmul peak) and reglab's peak resident memory. Numbers go into
bench/RESULTS.md by hand, with the command that produced them.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads as wl  # noqa: E402
from reglab.config import DataConfig, RunConfig  # noqa: E402
from reglab.data import load  # noqa: E402
from reglab.regularizers import make_regularizer  # noqa: E402
from reglab.runs import Run, train_runs  # noqa: E402

DATA = DataConfig(dataset="moons", n_samples=500, noise=0.3, test_size=0.3, val_size=0.0, standardize=False, seed=0)


def reglab_runs(workload: list[dict], epochs: int) -> list[Run]:
    """The workload as reglab runs: subgradient L1 (as the plain loop does), Glorot init, Adam."""
    return [
        Run(
            RunConfig(
                hidden=wl.HIDDEN,
                penalty=make_regularizer(r["penalty"], r["lam"]),
                l1_method="subgradient",
                optimizer="adam",
                lr=wl.LR,
                epochs=epochs,
                batch_size=wl.BATCH,
                seed=r["seed"],
            ),
            DATA,
        )
        for r in workload
    ]


def time_reglab(workload: list[dict], epochs: int) -> tuple[float, list]:
    load(DATA)
    start = time.perf_counter()
    results = train_runs(reglab_runs(workload, epochs))
    return time.perf_counter() - start, results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=wl.EPOCHS)
    parser.add_argument("--plain-models", type=int, default=64, help="plain-loop models to time (extrapolated to 64)")
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    machine = wl.print_machine()  # the CPU and its matmul peak, beside every figure

    w1_seconds, _ = time_reglab(wl.W1, args.epochs)
    w2_seconds, results = time_reglab(wl.W2, args.epochs)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor = wl.floor_seconds(64, n_train=len(load(DATA).X_train), epochs=args.epochs)
    report = {
        "epochs": args.epochs,
        "reglab_w1_seconds": round(w1_seconds, 2),
        "reglab_w2_seconds": round(w2_seconds, 2),
        "flop_floor_seconds": round(floor, 2),
        "w2_over_floor": round(w2_seconds / floor, 2),
        "peak_rss_mib": round(peak_mib),
        "w2_mean_test_accuracy": round(sum(r.test["accuracy"] for r in results) / len(results), 4),
    }
    if not args.skip_plain:
        from plain_loop import train_plain

        X_train, y_train, X_test, y_test = wl.moons_split()
        n = max(1, min(args.plain_models, len(wl.W2)))
        plain = train_plain(wl.W2, X_train, y_train, epochs=args.epochs, models=n, X_test=X_test, y_test=y_test)
        measured = sum(r["seconds"] for r in plain)
        total = measured * len(wl.W2) / n
        report.update(
            plain_models_timed=n,
            plain_w2_seconds=round(total, 1),
            plain_is_estimate=n < len(wl.W2),
            speedup=round(total / w2_seconds, 1),
        )
    report["machine"] = machine
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>24}: {value}")
    return report


if __name__ == "__main__":
    main()
