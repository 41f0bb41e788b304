"""Training on a machine that is not reglab's own: quiet, beside a busy core, two processes at once.

    .venv/bin/python bench/load_speed.py                 # every case, 3 rounds (~6 min on 2 cores)
    .venv/bin/python bench/load_speed.py --rounds 1      # one round

The job is one whole ``reglab sweep`` process (64 models 2→128→128→1 on moons, 100 epochs,
``--json``), as a user runs it. Each case runs under two thread settings, alternated within each
round so that a drifting host hits both alike:

* ``fixed 2`` — ``REGLAB_THREADS=2``: torch's default on a 2-core machine (what reglab did before
  it had a policy);
* ``policy`` — no setting: reglab's :class:`reglab.runs.threads.ThreadGovernor`.

Cases: ``quiet`` (nothing else running); ``busy`` (beside one CPU-bound process: a Python loop);
``pair`` (two sweeps started together, against the same two one after the other). Prints a table
of medians and, last, one JSON line with every figure. Targets: busy ≤ 1.5× the quiet time with the
policy, pair ≤ 1.2× the sequential time, and quiet with the policy no slower than fixed 2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import workloads as wl  # bench/ is on the path: this script's own folder

REGLAB = str(Path(sys.executable).with_name("reglab"))
SWEEP = [
    REGLAB, "sweep", "--penalty", "l1,l2", "--lam", "1e-4,1e-3,1e-2,1e-1", "--dropout", "0,0.2",
    "--seeds", "4", "--epochs", "100", "--json",
]  # fmt: skip  # 2 × 4 × 2 × 4 = 64 models, one stack
SETTINGS = {"fixed 2": {"REGLAB_THREADS": "2"}, "policy": {}}
BUSY_LOOP = "import time\nend = time.time() + 3600\nwhile time.time() < end:\n    pass\n"


def environment(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "REGLAB_THREADS", "MKL_NUM_THREADS")}
    return {**env, **extra}


def sweep(extra: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(SWEEP, env=environment(extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed(*procs_starters) -> float:
    """Starts every job at once and returns the wall time until the last one ends."""
    start = time.perf_counter()
    procs = [start_job() for start_job in procs_starters]
    for p in procs:
        if p.wait() != 0:
            raise SystemExit(f"a sweep failed with exit code {p.returncode}: {' '.join(SWEEP)}")
    return time.perf_counter() - start


def round_of_cases(setting: dict[str, str]) -> dict[str, float]:
    job = lambda: sweep(setting)
    quiet = timed(job)
    hog = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
    try:
        time.sleep(1.0)  # let the neighbour settle on its core
        busy = timed(job)
    finally:
        hog.kill()
        hog.wait()
    time.sleep(1.0)
    sequential = timed(job) + timed(job)
    pair = timed(job, job)
    return {"quiet": quiet, "busy": busy, "sequential": sequential, "pair": pair}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    machine = wl.print_machine()  # the CPU and its matmul peak, beside every figure
    times: dict[str, dict[str, list[float]]] = {name: {} for name in SETTINGS}
    for r in range(args.rounds):
        for name, setting in SETTINGS.items():
            for case, seconds in round_of_cases(setting).items():
                times[name].setdefault(case, []).append(seconds)
            done = ", ".join(f"{case} {v[-1]:.1f} s" for case, v in times[name].items())
            print(f"round {r + 1}/{args.rounds} {name}: {done}", file=sys.stderr)
    medians = {name: {case: statistics.median(v) for case, v in cases.items()} for name, cases in times.items()}
    print(f"{'setting':10} {'quiet':>8} {'busy':>8} {'busy/quiet':>11} {'sequential':>11} {'pair':>8} {'pair/seq':>9}")
    for name, m in medians.items():
        print(
            f"{name:10} {m['quiet']:8.1f} {m['busy']:8.1f} {m['busy'] / m['quiet']:11.2f} "
            f"{m['sequential']:11.1f} {m['pair']:8.1f} {m['pair'] / m['sequential']:9.2f}"
        )
    ratio = medians["policy"]["quiet"] / medians["fixed 2"]["quiet"]
    print(f"quiet, policy / fixed 2: {ratio:.2f}")
    document = {"machine": machine, "rounds": args.rounds, "medians_s": medians, "times_s": times, "quiet_policy_over_fixed2": ratio}
    print(json.dumps(document))


if __name__ == "__main__":
    main()
