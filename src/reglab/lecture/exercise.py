"""The lecture's practical exercise, crossed: λ × {L1, L2} × four 2-D datasets of growing complexity.

Every cell is an arm (same architecture, so the whole exercise trains in one stack). Its numbers are computed from
per-seed scores keyed by the cell ``(dataset, penalty, λ)``, so the table and the prose are tested on fabricated
scores. Each dataset is its own family of comparisons (named "exercise: <dataset>"), corrected by Holm. Dropout is
measured on moons in its own section, not crossed here: the exercise would cost twice the time for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from reglab.lecture.compare import Family, clip, describe, said, word_of
from reglab.lecture.figure_data import boundary_panels, references
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.lecture.scores import ok, per_seed, test_scores, val_scores
from reglab.lecture.summaries import stat
from reglab.measures.ceiling import data_ceiling
from reglab.measures.inference import smallest_p
from reglab.regularizers import L1, L2
from reglab.views.report import figures

__all__ = ["EXERCISE", "across_datasets", "crossed_findings", "crossed_prose", "crossed_table"]

DATASET_NOISE = {"moons": 0.3, "circles": 0.1, "xor": 0.15, "spirals": 0.15}  # classes overlap a little on each
LAMS = (0.001, 0.01, 0.1)
KINDS = {"l1": L1, "l2": L2}
Cell = tuple[str, str, float]  # (dataset, penalty kind, λ)
Scores = Mapping[Cell, Sequence[float]]  # per-seed scores by cell


def cell_key(cell: Cell) -> str:
    dataset, kind, lam = cell
    return f"{dataset}·{kind}-{lam:g}"


def cell_name(cell: Cell) -> str:
    dataset, kind, lam = cell
    return f"{kind.upper()} λ = {lam:g}"


def crossed_arms(s: Settings) -> list[Arm]:
    arms = []
    for dataset, noise in DATASET_NOISE.items():
        for kind in KINDS:
            for lam in LAMS:
                cell = (dataset, kind, lam)
                config = {"penalty": KINDS[kind](lam=lam), "epochs": s.exercise_epochs}
                arms.append(Arm(cell_key(cell), f"{dataset} · {cell_name(cell)}", config, {"dataset": dataset, "noise": noise},
                                seeds=s.exercise_seeds))  # fmt: skip
    return arms


def _dataset_family(d: str, test: Scores, val: Scores, bayes: Sequence[float]) -> dict:
    """One dataset's comparisons: λ = 0.1 − λ = 0.001 per penalty, chosen L2 − chosen L1 (each λ chosen on validation
    accuracy), and the cell chosen on validation − the Bayes rule on the same points."""
    family = Family(f"exercise: {d}")
    cells = [c for c in test if c[0] == d]
    out: dict = {"strong_cost": {}}
    for kind in dict.fromkeys(c[1] for c in cells):
        weak, strong = (d, kind, min(LAMS)), (d, kind, max(LAMS))
        if weak in test and strong in test:
            what = f"{d}: {kind.upper()} λ = {max(LAMS):g} − λ = {min(LAMS):g}"
            out["strong_cost"][kind] = family.compare(what, test[weak], test[strong])
    kinds = [k for k in KINDS if any(c[1] == k for c in cells)]
    chosen = {kind: max((c for c in cells if c[1] == kind), key=lambda c: np.nanmean(val[c])) for kind in kinds}
    if len(chosen) == 2:
        out["l2_vs_l1"] = family.compare(f"{d}: chosen L2 − chosen L1", test[chosen["l1"]], test[chosen["l2"]])
    best = max(cells, key=lambda c: np.nanmean(val[c]))
    out["best"], out["chosen"] = cell_key(best), {k: cell_key(c) for k, c in chosen.items()}
    out["best_vs_bayes"] = family.compare(f"{d}: chosen cell − the Bayes rule", bayes, test[best])
    out["family"] = family.adjust()
    return out


def across_datasets(test: Scores) -> dict:
    """Whether the cost of L2 λ = 0.1 (against 0.001) differs between datasets: each other dataset's cost minus the
    first's, paired by seed index (the datasets' draws are independent, so under "the same cost" each difference is
    symmetric about 0, which is all the sign-flip test assumes), in a family of its own."""
    datasets = list(dict.fromkeys(c[0] for c in test))
    cost = {d: np.subtract(test[(d, "l2", max(LAMS))], test[(d, "l2", min(LAMS))]) for d in datasets
            if (d, "l2", max(LAMS)) in test and (d, "l2", min(LAMS)) in test}  # fmt: skip
    family = Family("exercise: across datasets")
    first = next(iter(cost), None)
    tests = {f"cost of L2 λ = 0.1 on {d} minus on {first}": family.compare(f"cost of L2 λ = 0.1, {d} − {first}", cost[first], cost[d])
             for d in cost if d != first}  # fmt: skip
    return {"tests": tests, "family": family.adjust()}


def crossed_findings(test: Scores, val: Scores, bayes: Mapping[str, Sequence[float]]) -> dict:
    """Per dataset (:func:`_dataset_family`): the cost of λ = 0.1 per penalty, L2 against L1, the cell chosen on
    validation and its distance to the Bayes rule on the same points, each family adjusted."""
    datasets = list(dict.fromkeys(c[0] for c in test))
    return {"datasets": {d: _dataset_family(d, test, val, bayes[d]) for d in datasets}, "names": {cell_key(c): cell_name(c) for c in test}}


def crossed_table(test: Scores, bayes: Mapping[str, Sequence[float]], ceilings: Mapping[str, float]) -> dict:
    """One row per cell: mean test accuracy [interval at :data:`reglab.rules.LEVEL`, clipped to 1] and the Bayes rule's on
    the same points."""
    rows = []
    for (d, kind, lam), values in test.items():
        shown = clip(stat(list(values)))
        rule = stat(list(bayes.get(d, [])))
        cell = "n/a" if shown is None else f"{shown['mean']:.3f} [{shown['ci_low']:.3f}, {shown['ci_high']:.3f}]"
        rows.append([f"{d} (ceiling {ceilings[d]:.3f})", kind.upper(), f"{lam:g}", cell, "n/a" if rule is None else f"{rule['mean']:.3f}"])
    return {"columns": ["dataset (Bayes ceiling)", "penalty", "λ", "test", "Bayes rule, same points"], "rows": rows}


def crossed_prose(findings: dict, ceilings: Mapping[str, float], collapsed: Mapping[str, bool]) -> str:
    """The conclusion from :func:`crossed_findings`, with ``collapsed[dataset]``: whether L1 at the largest λ predicts
    one class on that dataset (training accuracy at the majority share)."""
    names, parts = findings["names"], []
    for d, f in findings["datasets"].items():
        cost = "; ".join(describe(t, f"λ = 0.1 minus 0.001 with {k.upper()}") for k, t in f["strong_cost"].items())
        parts.append(
            f"On {d} (Bayes ceiling {ceilings[d]:.3f}): chosen on validation accuracy, {names[f['best']]}; "
            f"{describe(f['best_vs_bayes'], 'its test accuracy minus the Bayes rule on the same points')}. {cost}; "
            f"{describe(f.get('l2_vs_l1'), 'chosen L2 minus chosen L1')}."
        )
    text = " ".join(parts) + " "
    costs = [(f"{d} with {k.upper()}", word_of(t)) for d, f in findings["datasets"].items() for k, t in f["strong_cost"].items()]
    costly, calm = [c for c, w in costs if w == "lower"], [c for c, w in costs if w != "lower"]
    if costly:
        text += f"λ = 0.1 (the top of the lecture's range) costs test accuracy on {', '.join(costly)}"
        text += f", and not distinguishably on {', '.join(calm)}. " if calm else ". "
        text += "How much penalty a dataset tolerates depends on the boundary it needs: λ must be tuned per dataset. "
    else:
        text += "No dataset's test accuracy falls distinguishably from λ = 0.001 to λ = 0.1 here. "
    flat = [d for d, c in collapsed.items() if c]
    if flat:
        text += f"L1 at λ = 0.1 outputs a constant (one class everywhere) on {', '.join(flat)}."
    return text


def across_prose(across: dict, s: Settings) -> str:
    """The cost of λ = 0.1 compared between datasets, and why this section has fewer seeds when it has."""
    text = " " + "; ".join(describe(t, what) for what, t in across["tests"].items()) + "."
    if s.exercise_seeds < s.seeds:
        text += (
            f" This section has {s.exercise_seeds} seeds per cell, the others {s.seeds}: the crossed exercise is the demo's largest "
            f"stack, and fewer seeds keep the demo within its time. Each dataset is a family of its own, small enough for "
            f"{s.exercise_seeds} seeds to call a comparison (the smallest p is {smallest_p(s.exercise_seeds):.4f}); the caption of "
            "each family gives the effect it detects."
        )
    return text


def exercise(arms: Arms, s: Settings) -> dict:
    test, val, results_of = {}, {}, {}
    for key in arms:
        arm, results = arms[key]
        cell = (arm.data["dataset"], arm.config["penalty"].kind, arm.config["penalty"].lam)
        test[cell], val[cell], results_of[cell] = test_scores(results), val_scores(results), results
    datasets = list(dict.fromkeys(c[0] for c in test))
    first = {d: next(r for c, r in results_of.items() if c[0] == d) for d in datasets}
    bayes = {d: per_seed(first[d], lambda r: (r.population or {}).get("bayes_accuracy", float("nan"))) for d in datasets}
    ceilings = {d: data_ceiling(first[d][0].data, first[d][0].task) for d in datasets}
    findings = crossed_findings(test, val, bayes)
    across = across_datasets(test)
    collapsed = {}
    for d in datasets:
        strong = ok(results_of.get((d, "l1", max(LAMS)), []))
        collapsed[d] = bool(strong) and all(abs(r.train[r.score_name] - r.majority_rate) < 0.02 for r in strong)
    boundaries = {d: boundary_panels([(f"L2 λ = {lam:g}", results_of[(d, "l2", lam)][0]) for lam in LAMS], s.resolution) for d in datasets}
    means = {cell_key(c): float(np.nanmean(v)) for c, v in test.items()}
    lines = {k.upper(): {d: [means[cell_key((d, k, lam))] for lam in LAMS] for d in datasets} for k in KINDS}
    flat = [d for d, c in collapsed.items() if c]
    return {
        "table": crossed_table(test, bayes, ceilings),
        "figures": {
            "boundaries": boundaries,
            "grid": {"datasets": datasets, "lams": list(LAMS), "references": {d: references(first[d]) for d in datasets}, "lines": lines},
        },
        "numbers": {"findings": findings, "ceilings": ceilings, "means": means, "collapsed": collapsed, "across": across},
        "families": [f["family"] for f in findings["datasets"].values()] + [across["family"]],
        "conclusion": crossed_prose(findings, ceilings, collapsed) + across_prose(across, s),
        "headline": "λ = 0.1 against 0.001: " + "; ".join(
            f"{d} " + ", ".join(f"{k.upper()} {said(t)}" for k, t in f["strong_cost"].items()) for d, f in findings["datasets"].items()
        ) + (f"; L1 at λ = 0.1 outputs a constant on {', '.join(flat)}." if flat else "."),
    }


EXERCISE = Section("datasets", "The practical exercise: λ × L1/L2 × dataset", crossed_arms, exercise, figures.datasets)
