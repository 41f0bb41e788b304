"""Two versions of reglab on the same workloads, alternated in one invocation: did a change cost speed?

    .venv/bin/python bench/versions_speed.py 264c809                 # that commit against this working tree
    .venv/bin/python bench/versions_speed.py 264c809 cdd11f4 --rounds 3 --demo quick

Each version is a source tree: a commit is unpacked with ``git archive`` into a temporary folder (nothing in the
repository changes); without a second revision, B is this working tree, edits included. Every measurement runs in
a fresh process with ``PYTHONPATH`` set to that tree's ``src``, in the order A B B A A B … (so that a load that
rises or falls during the invocation weighs on both versions alike):

- ``W2``: 64 models 2→128→128→1 on moons, 300 epochs (bench/workloads.py), through ``reglab.runs.train_runs``;
- ``demo``: ``reglab demo`` (``--demo full``, the default, or ``quick``; ``none`` skips it) into a temporary folder,
  timed from the command's start to its exit.

It prints the CPU and its matmul peak first, every time with the load average of the minute, then the medians and
the ratio B / A of each workload. Both trees run with this interpreter and its packages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import workloads as wl  # noqa: E402

W2_PROGRAM = """
import sys, time
sys.path.insert(0, {bench!r})
import workloads as wl
from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.regularizers import make_regularizer
from reglab.runs import Run, train_runs

data = DataConfig(dataset="moons", n_samples=500, noise=0.3, test_size=0.3, standardize=False, seed=0)
load(data)
runs = [Run(RunConfig(hidden=wl.HIDDEN, penalty=make_regularizer(r["penalty"], r["lam"]), l1_method="subgradient",
                      optimizer="adam", lr=wl.LR, epochs=wl.EPOCHS, batch_size=wl.BATCH, seed=r["seed"]), data)
        for r in wl.W2]
start = time.perf_counter()
train_runs(runs)
print(time.perf_counter() - start)
"""


def unpack(revision: str, into: Path) -> Path:
    """The source tree of ``revision`` (``HEAD`` alone: this working tree)."""
    if revision == "WORKTREE":
        return ROOT
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision, "src"], check=True, capture_output=True)
    folder = into / revision
    folder.mkdir(parents=True)
    tar_path = into / f"{revision}.tar"
    tar_path.write_bytes(archive.stdout)
    with tarfile.open(tar_path) as tar:
        tar.extractall(folder, filter="data")
    return folder


def measure(tree: Path, workload: str, demo: str, scratch: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    if workload == "W2":
        program = W2_PROGRAM.format(bench=str(HERE))
        out = subprocess.run([sys.executable, "-c", program], env=env, check=True, capture_output=True, text=True)
        return float(out.stdout.strip().splitlines()[-1])
    out_dir = Path(tempfile.mkdtemp(dir=scratch))
    command = [sys.executable, "-m", "reglab", "demo", "--out", str(out_dir / "demo"), "--no-svg", "--json"]
    if demo == "quick":
        command.append("--quick")
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base", help="the revision to compare against (A)")
    parser.add_argument("head", nargs="?", default="WORKTREE", help="the revision measured (B); default: this working tree")
    parser.add_argument("--rounds", type=int, default=2, help="measurements of each workload per version (default 2)")
    parser.add_argument("--demo", choices=("full", "quick", "none"), default="full")
    args = parser.parse_args()
    wl.print_machine()
    workloads = ["W2"] + ([] if args.demo == "none" else ["demo"])
    times: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="reglab-versions-") as scratch:
        trees = {"A": unpack(args.base, Path(scratch)), "B": unpack(args.head, Path(scratch))}
        names = {"A": args.base, "B": "working tree" if args.head == "WORKTREE" else args.head}
        order = ["A", "B", "B", "A"] * ((args.rounds + 1) // 2)
        for round_ in range(args.rounds):
            for version in order[2 * round_: 2 * round_ + 2]:
                for workload in workloads:
                    seconds = measure(trees[version], workload, args.demo, Path(scratch))
                    times.setdefault((version, workload), []).append(seconds)
                    load = os.getloadavg()[0]
                    print(f"round {round_ + 1}: {version} ({names[version]}) {workload:4} {seconds:7.1f} s   load {load:.1f}", flush=True)
    for workload in workloads:
        a, b = statistics.median(times[("A", workload)]), statistics.median(times[("B", workload)])
        print(f"{workload}: median A {a:.1f} s, B {b:.1f} s, B / A = {b / a:.3f}")


if __name__ == "__main__":
    main()
