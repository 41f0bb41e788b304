"""The lecture's practical exercise, crossed: λ × {L1, L2} × dropout {0, 0.3} × four 2-D datasets of growing complexity.

Every cell is an arm (same architecture, so the whole exercise trains in few stacks). Its numbers are
computed from per-seed test accuracies keyed by the cell ``(dataset, penalty, λ, dropout)``, so the
table and the prose are tested on fabricated scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from reglab.lecture.analysis import best_sentence, boundary_panels, per_seed, references, stat
from reglab.lecture.compare import best_of, clip, compare
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.measures.ceiling import data_ceiling
from reglab.regularizers import L1, L2
from reglab.views.report import figures

__all__ = ["DATASETS", "crossed_findings", "crossed_prose", "crossed_table"]

DATASET_NOISE = {"moons": 0.3, "circles": 0.1, "xor": 0.15, "spirals": 0.15}  # classes overlap a little on each
LAMS = (0.001, 0.01, 0.1)
KINDS = {"l1": L1, "l2": L2}
RATES = (0.0, 0.3)
Cell = tuple[str, str, float, float]  # (dataset, penalty kind, λ, dropout rate)


def cell_key(cell: Cell) -> str:
    dataset, kind, lam, rate = cell
    return f"{dataset}·{kind}-{lam:g}·dropout-{rate:g}"


def cell_name(cell: Cell) -> str:
    dataset, kind, lam, rate = cell
    return f"{kind.upper()} λ={lam:g}" + (f" + dropout {rate:g}" if rate else "")


def crossed_arms(s: Settings) -> list[Arm]:
    arms = []
    for dataset, noise in DATASET_NOISE.items():
        for kind in KINDS:
            for lam in LAMS:
                for rate in RATES:
                    cell = (dataset, kind, lam, rate)
                    config = {"penalty": KINDS[kind](lam=lam), "dropout": rate, "epochs": s.exercise_epochs}
                    arms.append(Arm(cell_key(cell), f"{dataset} · {cell_name(cell)}", config, {"dataset": dataset, "noise": noise},
                                    seeds=s.exercise_seeds))  # fmt: skip
    return arms


def crossed_findings(scores: Mapping[Cell, Sequence[float]]) -> dict:
    """Per dataset: the best cell (test accuracy) with the cells not distinguishable from it; per dataset and penalty,
    the paired test of λ = 0.1 − λ = 0.001 (no dropout); per dataset, how many (penalty, λ) cells dropout 0.3
    moves up, down or not distinguishably."""
    datasets = list(dict.fromkeys(c[0] for c in scores))
    out: dict = {"best": {}, "strong_cost": {}, "dropout": {}, "names": {cell_key(c): cell_name(c) for c in scores}}
    for d in datasets:
        cells = {c: v for c, v in scores.items() if c[0] == d}
        out["best"][d] = best_of({cell_key(c): v for c, v in cells.items()})
        for kind in dict.fromkeys(c[1] for c in cells):
            weak, strong = cells.get((d, kind, min(LAMS), 0.0)), cells.get((d, kind, max(LAMS), 0.0))
            if weak is not None and strong is not None:
                out["strong_cost"][f"{d}·{kind}"] = compare(weak, strong)
        words = [
            (compare(v, cells[(d, k, lam, 0.3)]) or {"word": "indistinguishable"})["word"]
            for (_, k, lam, rate), v in cells.items()
            if rate == 0.0 and (d, k, lam, 0.3) in cells
        ]
        out["dropout"][d] = {w: words.count(w) for w in ("higher", "lower", "indistinguishable", "tie")}
    return out


def crossed_table(scores: Mapping[Cell, Sequence[float]], ceilings: Mapping[str, float]) -> dict:
    """One row per (dataset, penalty, λ): mean test accuracy [95% interval, clipped to 1] without and with dropout 0.3."""
    rows = []
    for d, kind, lam, rate in scores:
        if rate != 0.0:
            continue
        cells = [clip(stat(list(scores.get((d, kind, lam, r), [])))) for r in RATES]
        shown = ["n/a" if c is None else f"{c['mean']:.3f} [{c['ci_low']:.3f}, {c['ci_high']:.3f}]" for c in cells]
        rows.append([f"{d} (ceiling {ceilings[d]:.3f})", kind.upper(), f"{lam:g}", *shown])
    return {"columns": ["dataset (Bayes ceiling)", "penalty", "λ", "test, no dropout", "test, dropout 0.3"], "rows": rows}


def crossed_prose(findings: dict, ceilings: Mapping[str, float]) -> str:
    """The conclusion from :func:`crossed_findings`: the best cells per dataset, where λ = 0.1 costs accuracy, and dropout's effect."""
    parts = [best_sentence(b, f"On {d} (Bayes ceiling {ceilings[d]:.3f}), the highest mean test accuracy", name=findings["names"].get)
             for d, b in findings["best"].items()]  # fmt: skip
    text = "; ".join(parts) + ". "
    costly = [k for k, t in findings["strong_cost"].items() if t and t["word"] == "lower"]
    calm = [k for k in findings["strong_cost"] if k not in costly]
    fmt_cells = lambda ks: ", ".join(k.replace("·", " with ").replace("l1", "L1").replace("l2", "L2") for k in ks)  # noqa: E731
    if costly:
        text += f"λ = 0.1 (the top of the lecture's range) costs test accuracy distinguishably against λ = 0.001 on {fmt_cells(costly)}"
        text += f", and not distinguishably on {fmt_cells(calm)}. " if calm else ". "
        text += "How much penalty a dataset tolerates depends on the boundary it needs: λ must be tuned per dataset. "
    else:
        text += "No dataset's test accuracy falls distinguishably from λ = 0.001 to λ = 0.1 here. "
    counts = findings["dropout"]
    text += "Dropout 0.3 added to each penalty cell: " + "; ".join(
        f"{d} {c['higher']} up, {c['lower']} down, {c['indistinguishable'] + c['tie']} not distinguishable" for d, c in counts.items()
    ) + "."
    return text


def exercise(arms: Arms, s: Settings) -> dict:
    cells: dict[Cell, list[float]] = {}
    for key in arms:
        arm, results = arms[key]
        p = arm.config["penalty"]
        cells[(arm.data["dataset"], p.kind, p.lam, arm.config["dropout"])] = per_seed(results, lambda r: r.test[r.score_name])
    ceilings, lines = {}, {}
    for key in arms:
        arm, results = arms[key]
        ceilings.setdefault(arm.data["dataset"], data_ceiling(results[0].data, results[0].task))
        lines.setdefault(arm.data["dataset"], references(results))
    findings = crossed_findings(cells)
    boundaries = {}
    for d in ceilings:
        shown = [(f"L2 λ={lam:g}", arms.results(cell_key((d, "l2", lam, 0.0)))[0]) for lam in LAMS]
        boundaries[d] = boundary_panels(shown, s.resolution)
    means = {cell_key(c): float(np.nanmean(v)) for c, v in cells.items()}
    return {
        "table": crossed_table(cells, ceilings),
        "figures": {
            "boundaries": boundaries,
            "grid": {
                "datasets": list(ceilings), "lams": list(LAMS), "references": lines,
                "lines": {f"{k.upper()}" + (f" + dropout {r:g}" if r else ""): {d: [means[cell_key((d, k, lam, r))] for lam in LAMS]
                                                                                 for d in ceilings} for k in KINDS for r in RATES},
            },
        },  # fmt: skip
        "numbers": {"findings": findings, "ceilings": ceilings, "means": means},
        "conclusion": crossed_prose(findings, ceilings),
        "headline": "Highest mean test accuracy: "
        + ", ".join(f"{d} {findings['names'][b['best']]}" + (f" ({len(b['peers'])} others not distinguishable)" if b["peers"] else "")
                    for d, b in findings["best"].items())
        + ".",
    }


DATASETS = Section("datasets", "The practical exercise: λ × L1/L2 × dropout × dataset", crossed_arms, exercise, figures.datasets)
