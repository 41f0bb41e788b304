"""Wall time of ``reglab diagnose`` with its default settings, whole process, on two inputs:

1. ``--dataset breast_cancer`` (target: within 2 minutes, aim 1);
2. a CSV of 50,000 rows and about 25 columns, written to /tmp: scikit-learn's ``make_classification``
   (20 numeric features, 8 informative, 3% of labels flipped) plus two text columns (one informative,
   one noise) and, with ``--missing-cells``, 1% of the numeric cells left empty (target: within 10 minutes).

Prints one line per case: seconds, the load average before it ran, the verdict, the chosen
configuration and the verified difference of test data loss with its 95% interval. Run from the
repository root: ``OMP_NUM_THREADS=1 .venv/bin/python bench/diagnose_speed.py [--only csv] [--missing-cells]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import workloads as wl  # bench/ is on the path: this script's own folder

ROWS, FEATURES = 50_000, 20
RUN = "import sys, reglab.cli.diagnosing; from reglab.cli import main; main(sys.argv[1:])"


def write_table(path: Path, missing: bool, seed: int = 0) -> None:
    """The 50,000-row CSV of the module docstring."""
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(ROWS, FEATURES, n_informative=8, n_redundant=4, flip_y=0.03, random_state=seed)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(FEATURES)])
    if missing:
        frame = frame.mask(rng.random(frame.shape) < 0.01)
    frame["region"] = np.where(rng.random(ROWS) < 0.7, np.where(y == 1, "north", "south"), rng.choice(["north", "south", "east"], ROWS))
    frame["colour"] = rng.choice(["red", "green", "blue", "grey"], ROWS)
    frame["label"] = np.where(y == 1, "yes", "no")
    frame.to_csv(path, index=False)


def run(args: list[str], out: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUN, "diagnose", *args, "--out", str(out), "--json"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"reglab diagnose {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}")
    return seconds, json.loads(proc.stdout)


def line(name: str, seconds: float, load: float, doc: dict) -> str:
    v, r = doc["verification"], doc["recommendation"]
    low, high = v["ci95"]
    return (f"{name}: {seconds:.1f} s (load {load:.2f}); verdict {doc['verdict']} ({doc['baseline']['seeds_agreeing']}); "
            f"chosen {r['reglab']}; test data loss tuned − baseline {v['difference']:+.4f} [{low:.4f}, {high:.4f}], "
            f"p = {v['p_value']:.3g}; test {v['score']} {v['score_difference']['difference']:+.4f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("breast_cancer", "csv"))
    parser.add_argument("--missing-cells", action="store_true", help="leave 1% of the numeric cells empty (needs --missing)")
    parser.add_argument("--extra", default="", help="further options for the CSV case, e.g. '--missing mean'")
    options = parser.parse_args()
    wl.print_machine()  # the CPU and its matmul peak, beside every figure
    work = Path(tempfile.mkdtemp(prefix="reglab-diagnose-bench-"))
    if options.only in (None, "breast_cancer"):
        load = os.getloadavg()[0]
        seconds, doc = run(["--dataset", "breast_cancer"], work / "breast_cancer")
        print(line("breast_cancer", seconds, load, doc), flush=True)
    if options.only in (None, "csv"):
        table = Path("/tmp/reglab_diagnose_50k.csv")
        write_table(table, options.missing_cells)
        load = os.getloadavg()[0]
        seconds, doc = run(["--dataset", str(table), "--target", "label", *options.extra.split()], work / "csv")
        print(line(f"{table.name} ({ROWS} rows, {doc['data']['features']} input columns)", seconds, load, doc), flush=True)


if __name__ == "__main__":
    main()
