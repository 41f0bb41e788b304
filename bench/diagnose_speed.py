"""Wall time of ``reglab diagnose`` with its default settings, whole process, on tables like those practitioners bring:

1. ``breast_cancer``: 569 rows × 30 columns, shipped (target: within 60 s);
2. ``imbalanced``: 5,822 rows × 86 numeric columns, 6 % positive, like an insurance table (target: 60 s);
3. ``moons``: the lecture's case, 200 points and a 256×256 network (verified on a fresh sample);
4. ``csv``: 50,000 rows and about 25 columns: scikit-learn's ``make_classification`` (20 numeric features, 8
   informative, 3 % of labels flipped) plus two text columns (one informative, one noise) and, with
   ``--missing-cells``, 1 % of the numeric cells left empty (target: within 5 minutes);
5. ``regression``: 53,940 rows, 6 numeric and 3 text columns, a right-skewed price-like target (target: 5 minutes).

The tables are written to /tmp. Prints the machine (CPU model, cores, matmul peak) and one line per case:
seconds, the load average before it ran, the verdict, the verification's method and number of fits, the
verified difference of test loss with its 95% interval, p and the detectable difference, and the decision.
Run from the repository root: ``OMP_NUM_THREADS=1 .venv/bin/python bench/diagnose_speed.py [--only csv] [--missing-cells]``.
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
CASES = ("breast_cancer", "imbalanced", "moons", "csv", "regression")


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


def write_imbalanced(path: Path, seed: int = 0) -> None:
    """5,822 rows × 86 numeric columns, 6 % of them positive."""
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(5_822, 86, n_informative=10, weights=[0.94], flip_y=0.02, random_state=seed)
    frame = pd.DataFrame(X.round(4), columns=[f"v{i}" for i in range(86)])
    frame["caravan"] = np.where(y == 1, "Yes", "No")
    frame.to_csv(path, index=False)


def write_regression(path: Path, seed: int = 0) -> None:
    """53,940 rows: six numbers and three text columns; the price grows exponentially with them (skewness 1.8)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    n = 53_940
    frame = pd.DataFrame(rng.normal(size=(n, 6)).round(3), columns=["carat", "depth", "table", "x", "y", "z"])
    cut, colour, clarity = (rng.integers(0, k, n) for k in (5, 7, 8))
    log_price = 7.8 + 0.45 * frame["carat"] + 0.06 * cut + 0.03 * colour - 0.03 * clarity + 0.1 * frame["x"] * frame["y"]
    frame["cut"], frame["colour"], frame["clarity"] = (np.array(list("ABCDEFGH"))[c] for c in (cut, colour, clarity))
    frame["price"] = np.exp(log_price + 0.15 * rng.normal(size=n)).round(0)
    frame.to_csv(path, index=False)


def run(args: list[str], out: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUN, "diagnose", *args, "--out", str(out), "--json"], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"reglab diagnose {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}")
    return seconds, json.loads(proc.stdout)


def line(name: str, seconds: float, load: float, doc: dict) -> str:
    v, method = doc["verification"], doc["verification"]["method"]
    low, high = v["ci95"]
    quantity = "log loss" if v["quantity"] == "log_loss" else "MSE"
    return (f"{name}: {seconds:.1f} s (load {load:.2f}); verdict {doc['verdict']} ({doc['baseline']['seeds_agreeing']}); "
            f"{method['name']}, {method['pairs']} fits; test {quantity} tuned − baseline {v['difference']:+.4f} [{low:+.4f}, {high:+.4f}], "
            f"p = {v['p_value']:.3g}, detectable {method['detectable']:.4f}; decision: {doc['advice']['decision']}")  # fmt: skip


def arguments(case: str, options: argparse.Namespace) -> tuple[str, list[str]]:
    """The case's name and its command-line arguments (its table written first)."""
    if case == "breast_cancer":
        return case, ["--dataset", "breast_cancer"]
    if case == "moons":
        return "moons (200 points, 256×256)", ["--dataset", "moons", "--n-samples", "200", "--hidden", "256,256"]
    if case == "imbalanced":
        table = Path("/tmp/reglab_diagnose_imbalanced.csv")
        write_imbalanced(table)
        return f"{table.name} (5,822 rows × 86 columns, 6 % positive)", ["--dataset", str(table), "--target", "caravan"]
    if case == "regression":
        table = Path("/tmp/reglab_diagnose_regression.csv")
        write_regression(table)
        return f"{table.name} (53,940 rows, skewed target)", ["--dataset", str(table), "--target", "price"]
    table = Path("/tmp/reglab_diagnose_50k.csv")
    write_table(table, options.missing_cells)
    return f"{table.name} ({ROWS} rows, 22 columns)", ["--dataset", str(table), "--target", "label", *options.extra.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=CASES, action="append", help="a case to run (repeatable); all by default")
    parser.add_argument("--missing-cells", action="store_true", help="leave 1% of the numeric cells empty (needs --missing)")
    parser.add_argument("--extra", default="", help="further options for the CSV case, e.g. '--missing mean'")
    options = parser.parse_args()
    wl.print_machine(file=sys.stdout)  # the CPU and its matmul peak, beside every figure
    work = Path(tempfile.mkdtemp(prefix="reglab-diagnose-bench-"))
    for case in options.only or CASES:
        name, args = arguments(case, options)
        load = os.getloadavg()[0]
        seconds, doc = run(args, work / case)
        print(line(name, seconds, load, doc), flush=True)


if __name__ == "__main__":
    main()
