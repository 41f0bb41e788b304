"""Verify: is the tuned model better than the baseline on data neither has seen, by more than chance?

The method depends on where the data comes from (:mod:`reglab.diagnosis.resample`):

* a reglab generator: both models train on the diagnosis's split with ``seeds`` fresh model seeds
  (paired: the same seed for both) and are scored on a fresh sample of 20,000 points; with
  ``d_s = tuned_s − baseline_s`` the test is the paired t-test over seeds;
* a table: ``folds``-fold cross-validation repeated ``repeats`` times over every labelled row, both models
  trained on the same folds with the same seed per fit, all ``2·J`` models as ONE stack
  (``J = folds·repeats`` fits); the test is Nadeau and Bengio's corrected resampled t-test
  (:func:`reglab.measures.stats.corrected_resampled_test`), whose ``n_test/n_train`` term accounts for the
  overlap of the fits' training sets.

On a table the folds hold the rows the search chose the configuration on: re-tuning inside every fit (nested
cross-validation) would remove that selection's slight optimism, at ``folds · repeats`` times the search's cost.

The verified quantity is the test data loss (log loss for classification; for regression the MSE in the
units of the diagnosis's standardised target). The difference is *significant* when ``p < 0.05``; the
smallest difference the verification could detect (``p < 0.05`` with 80% power) is
``(t_{0.975, J−1} + t_{0.8, J−1}) · se``. A fit on which either model diverged is left out of the pairs.
The task's other metrics (:mod:`reglab.diagnosis.metrics`) are compared by the same test.

Also: the shrinkage of the weights, per layer (range, L2 norm ``√Σw²`` and mean ``|w|`` of each kernel,
averaged over fits, before and after, and their ratio), and for 2-D classification the length of the
decision boundary (:func:`reglab.measures.boundary_length` on a 200-point grid over the training and test
points, in raw units).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from reglab.config import DataConfig, RunConfig
from reglab.data import Split
from reglab.diagnosis.metrics import fit_metrics, majority_note, metric_names, skew_note
from reglab.diagnosis.resample import fold_splits, fresh_split, labelled_rows, uses_fresh_sample
from reglab.diagnosis.settings import Settings
from reglab.engine import stack_key
from reglab.measures import boundary_grid, boundary_length, grid_predictions, summarize
from reglab.measures.stats import corrected_resampled_test
from reglab.rules import ALPHA, LEVEL
from reglab.runs import Run, RunResult, StackPlan, train_runs

__all__ = ["ALPHA", "Method", "Verification", "boundary_lengths", "compare", "shrinkage", "verify"]

RESOLUTION = 200  # grid points along the longer side, for boundary lengths


@dataclass
class Method:
    """How the verification held data out: the fits, their rows and the test that compares them."""

    name: str  # "fresh sample" | "repeated k-fold"
    splits: list[Split]  # one per fit
    seeds: list[int]  # model seed of each fit, shared by both models
    places: list[dict[str, int]] = field(default_factory=list)  # repeat and fold of each fit (k-fold only)
    folds: int | None = None
    repeats: int | None = None

    @property
    def n_test(self) -> int:
        """Test rows of a fit, as the correction counts them: 0 for one fixed training set."""
        return 0 if self.name == "fresh sample" else len(self.splits[0].X_test)

    @property
    def n_train(self) -> int:
        """Rows a fit learns from (its training and validation parts)."""
        return len(self.splits[0].X_train) + len(self.splits[0].X_val)

    def document(self, data: DataConfig, rows: int, pairs: int, loss: dict[str, Any]) -> dict[str, Any]:
        """The method's part of the verification document: its name and description, fits, rows, test and power."""
        return {
            "name": self.name, "description": self.describe(data, rows), "fits": len(self.seeds), "pairs": pairs,
            "folds": self.folds, "repeats": self.repeats, "seeds": self.seeds,
            "rows": {part: len(getattr(self.splits[0], f"X_{part}")) for part in ("train", "val", "test")},
            "test": "paired t-test over seeds" if self.n_test == 0 else "corrected resampled t-test (Nadeau and Bengio, 2003)",
            "correction": self.n_test / self.n_train, "detectable": loss["detectable"], "labelled_rows": rows,
        }  # fmt: skip

    def describe(self, data: DataConfig, rows: int) -> str:
        if self.name == "fresh sample":
            return (f"both models trained on the diagnosis's split with {len(self.seeds)} fresh seeds and scored on "
                    f"{len(self.splits[0].X_test):,} new points drawn by the {data.dataset} generator; "
                    "paired t-test over the seeds")  # fmt: skip
        return (f"{self.folds}-fold cross-validation repeated {self.repeats} times over all {rows:,} labelled rows "
                f"({len(self.seeds)} fits, both models on the same folds, one stack); Nadeau and Bengio's corrected resampled "
                f"t-test (n_test/n_train = {self.n_test}/{self.n_train})")  # fmt: skip


def method_for(data: DataConfig, split: Split, settings: Settings, first_seed: int) -> Method:
    """A fresh sample for a generator's data, repeated k-fold over every labelled row otherwise."""
    if uses_fresh_sample(data):
        fresh = fresh_split(split, data, settings.fresh_rows)
        seeds = list(range(first_seed, first_seed + settings.seeds))
        return Method("fresh sample", [fresh] * len(seeds), seeds)
    fits = fold_splits(split, data.val_size, settings.folds, settings.repeats, seed=first_seed)
    seeds = list(range(first_seed, first_seed + len(fits)))
    places = [{"repeat": f.repeat + 1, "fold": f.fold + 1} for f, _ in fits]
    return Method("repeated k-fold", [s for _, s in fits], seeds, places, settings.folds, settings.repeats)


def compare(tuned: list[float], baseline: list[float], confidence: float = LEVEL, *, n_train: int = 1, n_test: int = 0) -> dict[str, Any]:
    """The difference ``tuned − baseline`` over fits: mean, interval, p-value, whether it is significant and the
    smallest difference the test could detect (corrected for overlapping training sets when ``n_test > 0``)."""
    test = corrected_resampled_test(tuned, baseline, n_train, n_test, confidence)
    p = test["p_value"]
    return {
        "difference": test["mean_diff"], "ci95": [test["ci_low"], test["ci_high"]], "p_value": p,
        "significant": p is not None and p < ALPHA, "t": test["t"], "df": test["df"], "se": test["se"],
        "detectable": test["detectable"], "n": test["n"], "wins": test["wins"], "losses": test["losses"],
    }  # fmt: skip


def layer_shrinkage(results: list[RunResult]) -> list[dict[str, float]]:
    """Per layer, averaged over fits: the kernel's min, max, L2 norm and mean |w|."""
    rows = []
    for layer in range(len(results[0].kernels)):
        kernels = [np.asarray(r.kernels[layer], dtype=np.float64) for r in results]
        rows.append({
            "min": float(np.mean([k.min() for k in kernels])), "max": float(np.mean([k.max() for k in kernels])),
            "l2": float(np.mean([np.sqrt(np.sum(k * k)) for k in kernels])),
            "mean_abs": float(np.mean([np.abs(k).mean() for k in kernels])),
        })  # fmt: skip
    return rows


def shrinkage(baseline: list[RunResult], tuned: list[RunResult]) -> list[dict[str, Any]]:
    """Each layer's weights before (baseline) and after (tuned), and the ratio of L2 norms after/before."""
    before, after = layer_shrinkage(baseline), layer_shrinkage(tuned)
    n = len(before)
    return [
        {"layer": "output" if i == n - 1 else f"hidden {i + 1}", "before": b, "after": a,
         "l2_ratio": a["l2"] / b["l2"] if b["l2"] else None}
        for i, (b, a) in enumerate(zip(before, after))
    ]


def raw(split, X: np.ndarray) -> np.ndarray:
    return X if split.x_mean is None else X * split.x_scale + split.x_mean


def boundary_lengths(results: list[RunResult]) -> list[float]:
    """The decision boundary's length of each run, on one grid over the first run's training and test points."""
    split = results[0].split
    xx, yy = boundary_grid(np.vstack([raw(split, split.X_train), raw(split, split.X_test)]), RESOLUTION)
    lengths = []
    for r in results:
        labels = grid_predictions(xx, yy, r.kernels, r.biases, r.config.activation, r.task, transform=r.split.transform)["label"]
        lengths.append(boundary_length(labels, xx, yy))
    return lengths


Pairs = list[tuple[int, RunResult, RunResult]]


def train_pairs(baseline: RunConfig, tuned: RunConfig, data: DataConfig, method: Method, device: str) -> Pairs:
    """Both models on every fit, as stacks of runs that share shapes (one, when the fits do): ``(fit, baseline, tuned)``
    for the fits on which neither diverged."""
    runs = [Run(c.replace(seed=s), data) for s in method.seeds for c in (baseline, tuned)]
    splits = [s for s in method.splits for _ in (0, 1)]
    groups: dict[Any, list[int]] = {}
    for i, (run, split) in enumerate(zip(runs, splits)):
        groups.setdefault(stack_key(run.config, split), []).append(i)
    members = list(groups.values())
    plan = StackPlan(members, splits, [runs[g[0]].config.epochs for g in members], [torch.float32] * len(members))
    results = train_runs(runs, plan, device=device)
    pairs = [(j, b, t) for j, (b, t) in enumerate(zip(results[0::2], results[1::2])) if not (b.diverged or t.diverged)]
    if len(pairs) < 2:
        raise ValueError(f"The verification needs at least 2 fits on which neither model diverged. Got {len(pairs)} instead.")
    return pairs


def loss_unit(result: RunResult, split: Split) -> float:
    """``(y_scale of the fit / y_scale of the diagnosis)²``: a fit's regression loss in the diagnosis's units."""
    return (result.split.y_scale / split.y_scale) ** 2 if result.task == "regression" else 1.0


def compared_metrics(rows: list[dict[str, Any]], names: tuple[str, ...], check: Callable) -> dict[str, Any]:
    """Each metric's mean per model and its difference over the fits where both models have it."""
    arms = {arm: {n: float(np.mean([r[arm][n] for r in rows if r[arm][n] is not None])) if any(r[arm][n] is not None for r in rows)
                  else None for n in names} for arm in ("baseline", "tuned")}  # fmt: skip
    differences = {}
    for n in names:
        both = [r for r in rows if r["baseline"][n] is not None and r["tuned"][n] is not None]
        differences[n] = check([r["tuned"][n] for r in both], [r["baseline"][n] for r in both]) if len(both) >= 2 else None
    if "majority_rate" in rows[0]["baseline"]:
        arms["majority_rate"] = float(np.mean([r["baseline"]["majority_rate"] for r in rows]))
    return {**arms, "difference": differences}


def notes_of(rows: list[dict[str, Any]], metrics: dict[str, Any], split: Split, data: DataConfig, check: Callable) -> list[str]:
    """The sentences the metrics call for: accuracy within noise of the majority rate; a skewed target."""
    if split.task == "regression":
        note = skew_note(labelled_rows(split)[1], data.target or "y")
        return [note] if note else []
    notes = []
    for arm in ("baseline", "tuned"):
        test = check([r[arm]["accuracy"] for r in rows], [r[arm]["majority_rate"] for r in rows])
        m = metrics[arm]
        note = majority_note(arm, m["accuracy"], metrics["majority_rate"], test, m["balanced_accuracy"], m["roc_auc"])
        notes += [note] if note else []
    return notes


def verify(
    data: DataConfig,
    split: Split,
    baseline: RunConfig,
    tuned: RunConfig,
    settings: Settings,
    first_seed: int,
    *,
    device: str = "cpu",
    confidence: float = LEVEL,
    progress: Callable[[str], None] | None = None,
) -> Verification:
    """Trains both models on every fit of the method and compares them; see the module docstring."""
    method = method_for(data, split, settings, first_seed)
    if progress:
        what = "a fresh sample" if method.name == "fresh sample" else f"{settings.folds}-fold × {settings.repeats}"
        progress(f"verify: the baseline and the chosen configuration on {len(method.seeds)} fits ({what}), one stack")
    pairs = train_pairs(baseline, tuned, data, method, device)
    names = metric_names(split.task)
    rows = [{"fit": j + 1, "seed": method.seeds[j], **(method.places[j] if method.places else {}),
             "baseline": fit_metrics(b, loss_unit(b, split)), "tuned": fit_metrics(t, loss_unit(t, split))}
            for j, b, t in pairs]  # fmt: skip
    check = lambda a, b: compare(a, b, confidence, n_train=method.n_train, n_test=method.n_test)  # noqa: E731
    metrics = compared_metrics(rows, names, check)
    loss = metrics["difference"][names[0]]
    for r in rows:
        r["difference"] = r["tuned"][names[0]] - r["baseline"][names[0]]
    before, after = [b for _, b, _ in pairs], [t for _, _, t in pairs]
    score = before[0].score_name
    rows_total = len(split.X_train) + len(split.X_val) + len(split.X_test)
    document = {
        "method": method.document(data, rows_total, len(pairs), loss),
        "quantity": names[0], "measure": f"test {'log loss' if names[0] == 'log_loss' else 'MSE'}, tuned − baseline",
        **{k: loss[k] for k in ("difference", "ci95", "p_value", "significant")}, "loss": loss,
        "score": score, "score_difference": metrics["difference"][score], "metrics": metrics,
        "notes": notes_of(rows, metrics, split, data, check), "per_fit": rows,
        "shrinkage": shrinkage(before, after), "boundary_length": None,
    }  # fmt: skip
    if split.task != "regression" and split.n_features == 2:
        lb, la = boundary_lengths(before), boundary_lengths(after)
        lengths = {"baseline": summarize(lb, confidence), "tuned": summarize(la, confidence)}
        document["boundary_length"] = {**lengths, **check(la, lb)}
    return Verification(before, after, document)


@dataclass
class Verification:
    baseline: list[RunResult]
    tuned: list[RunResult]
    document: dict[str, Any]
