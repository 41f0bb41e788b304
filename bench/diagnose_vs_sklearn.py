"""`reglab diagnose` against what a practitioner gets by hand: scikit-learn's MLP on the same split.

    .venv/bin/python bench/diagnose_vs_sklearn.py                     # breast_cancer, wine, diabetes
    .venv/bin/python bench/diagnose_vs_sklearn.py --datasets wine

For each shipped table, ``reglab.diagnose`` runs with its defaults; the split it used (the same
DataConfig, so the same rows and the same training-part standardisation) is then given to
``MLPClassifier`` / ``MLPRegressor`` with hidden layers (128, 128), ``early_stopping=True`` (its own 10 %
of the training rows for validation) and scikit-learn's defaults otherwise, over the same number of
seeds as diagnose's verification. Both are scored on the test part that neither saw: accuracy, or R²
(on the standardised target, as reglab reports it). Prints a table and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor

import reglab
import workloads as wl  # bench/ is on the path: this script's own folder
from reglab.config import DataConfig
from reglab.data import load


def sklearn_score(split, seed: int) -> float:
    """scikit-learn's MLP (128, 128, early stopping) trained on ``split``'s training and validation rows, scored on its test rows."""
    X = np.concatenate([split.X_train, split.X_val])
    y = np.concatenate([split.y_train, split.y_val])
    regression = split.task == "regression"
    estimator = MLPRegressor if regression else MLPClassifier
    model = estimator(hidden_layer_sizes=(128, 128), early_stopping=True, max_iter=1000, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    predicted = model.predict(split.X_test)
    return r2_score(split.y_test, predicted) if regression else accuracy_score(split.y_test, predicted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="breast_cancer,wine,diabetes")
    args = parser.parse_args()
    machine = wl.print_machine()  # the CPU and its matmul peak, beside every figure
    rows = []
    for name in args.datasets.split(","):
        start = time.perf_counter()
        diagnosis = reglab.diagnose(DataConfig(dataset=name))
        seconds = time.perf_counter() - start
        tuned = [r for r in diagnosis.runs["tuned"] if not r.diverged]
        score = tuned[0].score_name
        ours = [r.test[score] for r in tuned]
        # each verification fit (a fold, or the fresh sample) is scored on its own split: scikit-learn on the same one
        theirs = [sklearn_score(r.split if r.split is not None else load(r.data), r.config.seed) for r in tuned]
        rows.append({
            "dataset": name, "score": score, "diagnose_s": round(seconds, 1), "verdict": diagnosis.verdict,
            "reglab_tuned": statistics.mean(ours), "sklearn_mlp": statistics.mean(theirs),
            "difference": statistics.mean(ours) - statistics.mean(theirs), "seeds": len(ours),
        })  # fmt: skip
    print(f"{'dataset':15} {'score':9} {'reglab tuned':>13} {'sklearn MLP':>12} {'difference':>11} {'diagnose':>9}")
    for r in rows:
        scores = f"{r['reglab_tuned']:13.4f} {r['sklearn_mlp']:12.4f} {r['difference']:+11.4f}"
        print(f"{r['dataset']:15} {r['score']:9} {scores} {r['diagnose_s']:8.1f}s")
    print(json.dumps({"machine": machine, "rows": rows}))


if __name__ == "__main__":
    main()
