"""The demo's small stacks trained in one process or spread over two, alternating in one invocation.

    .venv/bin/python bench/spread_speed.py              # 2 rounds of each, the full demo's stacks
    .venv/bin/python bench/spread_speed.py --quick      # the quick demo's

Trains the stacks of ``reglab demo`` that :func:`reglab.runs.costs.threaded_first` spreads (capacity, the
evolution strip, more data, the float64 decay pair) with ``train_runs(workers=1)`` (this process, the
governor's threads) and ``workers=2`` (this process and a spawned one, one thread each), and prints the
seconds of each run and the ratio of the medians. Run it beside a busy process too:
``python3 -c "while True: pass" &``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import workloads as wl  # bench/ is on the path: this script's own folder
from reglab.lecture import planned, settings_for
from reglab.runs import StackPlan, train_runs
from reglab.runs.costs import threaded_first
from reglab.runs.plan import StackJob
from reglab.runs.threads import available_cores


def small_stacks(quick: bool):
    s = settings_for(quick)
    runs, _, p = planned(s)
    jobs = [StackJob(g, m, [runs[i].config for i in m], [p.splits[i] for i in m], p.dtypes[g]) for g, m in enumerate(p.groups)]
    _, spread = threaded_first(jobs, cores=2)
    ids = [i for j in spread for i in j.members]
    where = {i: k for k, i in enumerate(ids)}
    sub = StackPlan(
        groups=[[where[i] for i in j.members] for j in spread], splits=[p.splits[i] for i in ids],
        epochs=[j.configs[0].epochs for j in spread], dtypes=[j.dtype for j in spread],
    )  # fmt: skip
    return [runs[i] for i in ids], sub


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    wl.print_machine()  # the CPU and its matmul peak, beside every figure
    runs, sub = small_stacks(args.quick)
    print(f"{len(sub.groups)} stacks, {len(runs)} models, {available_cores()} cores")
    times: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for workers in (1, 2):
            start = time.perf_counter()
            train_runs(runs, sub, workers=workers)
            times[workers].append(time.perf_counter() - start)
            print(f"workers={workers}: {times[workers][-1]:.1f} s", flush=True)
    one, two = statistics.median(times[1]), statistics.median(times[2])
    print(f"median one process {one:.1f} s, two {two:.1f} s: {one / two:.2f}x")


if __name__ == "__main__":
    main()
