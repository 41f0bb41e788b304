"""What subnormal floats cost on this CPU, and that reglab no longer pays it: W2 three ways, alternated in one invocation.

    .venv/bin/python bench/subnormal_speed.py                    # 2 rounds of the three arms, then W2 at 1,000 epochs
    .venv/bin/python bench/subnormal_speed.py --rounds 1 --long-epochs 0

Each arm trains W2 (64 models 2→128→128→1, moons, 300 epochs, bench/workloads.py) through reglab in a fresh process,
the arms one after another in each round:

- ``shipped``: reglab as it is (it flushes subnormals itself, reglab.engine.floats);
- ``injected``: flush-to-zero set from outside at start-up (``torch.set_flush_denormal(True)`` before anything
  computes), reglab's own call switched off: the reference the shipped arm must match (target ≤ 1.1×);
- ``kept``: reglab's call switched off and nothing flushed: what subnormals cost on this CPU (on Intel hosts W2 took
  110 s this way against 10.8 s flushed; AMD cores pay little).

Then W2 for ``--long-epochs`` epochs as shipped: the time of its last 100 epochs over its first 100 (target ≤ 1.2×;
subnormals made it grow without bound). Every arm reports the subnormal values left in its final weights. The CPU
model and the matmul peak measured now head the output; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads as wl  # noqa: E402

ARMS = ("shipped", "injected", "kept")


def child(arm: str, epochs: int) -> dict:
    """One arm in this (fresh) process: W2 through reglab, per-epoch timestamps, subnormals left in the weights."""
    import numpy as np
    import torch

    if arm == "injected":
        torch.set_flush_denormal(True)  # from outside, before any thread pool exists: its threads inherit the flag
    if arm != "shipped":
        import reglab.engine.trainer

        reglab.engine.trainer.flush_subnormals = lambda: True
    from engine_speed import DATA, reglab_runs
    from reglab.data import load
    from reglab.runs import train_runs

    load(DATA)
    stamps: list[float] = []
    start = time.perf_counter()
    results = train_runs(reglab_runs(wl.W2, epochs), on_epoch=lambda g, report: stamps.append(time.perf_counter()))
    seconds = time.perf_counter() - start
    tiny = float(np.finfo(np.float32).tiny)
    left = sum(int(np.sum((np.abs(k) > 0) & (np.abs(k) < tiny))) for r in results for k in r.kernels)
    epoch_s = np.diff([start, *stamps])
    return {"arm": arm, "epochs": epochs, "seconds": round(seconds, 2), "subnormal_weights": left,
            "first_100_s": round(float(epoch_s[:100].sum()), 2), "last_100_s": round(float(epoch_s[-100:].sum()), 2)}  # fmt: skip


def run_arm(arm: str, epochs: int) -> dict:
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", arm, "--epochs", str(epochs)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=wl.EPOCHS)
    parser.add_argument("--long-epochs", type=int, default=1000, help="0: skip the long run")
    parser.add_argument("--child", choices=ARMS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.epochs)))
        return
    machine = wl.print_machine()
    times: dict[str, list[float]] = {arm: [] for arm in ARMS}
    left: dict[str, int] = {}
    for r in range(args.rounds):
        for arm in ARMS:
            result = run_arm(arm, args.epochs)
            times[arm].append(result["seconds"])
            left[arm] = result["subnormal_weights"]
            print(f"round {r + 1}/{args.rounds} {arm:8}: W2 {result['seconds']:6.1f} s, "
                  f"{result['subnormal_weights']} subnormal weights left", file=sys.stderr, flush=True)  # fmt: skip
    medians = {arm: statistics.median(v) for arm, v in times.items()}
    report = {
        "machine": machine, "rounds": args.rounds, "w2_seconds": times, "w2_median_s": medians, "subnormal_weights": left,
        "shipped_over_injected": round(medians["shipped"] / medians["injected"], 3),
        "kept_over_shipped": round(medians["kept"] / medians["shipped"], 3),
    }  # fmt: skip
    print(f"W2 medians: shipped {medians['shipped']:.1f} s, injected {medians['injected']:.1f} s, kept {medians['kept']:.1f} s; "
          f"shipped/injected {report['shipped_over_injected']:.3f} (target ≤ 1.1), "
          f"kept/shipped {report['kept_over_shipped']:.2f}")  # fmt: skip
    if args.long_epochs:
        long = run_arm("shipped", args.long_epochs)
        report["long"] = {**long, "last_over_first": round(long["last_100_s"] / long["first_100_s"], 3)}
        print(f"W2 at {args.long_epochs} epochs, shipped: {long['seconds']:.1f} s; first 100 epochs {long['first_100_s']:.1f} s, "
              f"last 100 {long['last_100_s']:.1f} s: {report['long']['last_over_first']:.2f}× (target ≤ 1.2)")  # fmt: skip
    print(json.dumps(report))


if __name__ == "__main__":
    main()
