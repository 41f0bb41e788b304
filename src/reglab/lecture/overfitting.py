"""Sections on overfitting itself: capacity (the gap grows with width) and the lecture's with/without L2 pair,
with the pair's boundary at several epochs of training."""

from __future__ import annotations

import numpy as np

from reglab.lecture.analysis import (
    SCORE_COLUMNS,
    arm_summary,
    best_sentence,
    boundary_panels,
    complexity_over_seeds,
    curve,
    fmt,
    mean,
    paired,
    per_seed,
    references,
    score_rows,
    test_scores,
)
from reglab.lecture.compare import best_of, compare, describe
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.regularizers import L2
from reglab.views.report import figures

__all__ = ["CAPACITY", "L2_PAIR", "l2_pair_arms", "snapshot_epochs", "with_without_l2"]


def widths(s: Settings) -> list[Arm]:
    return [Arm(f"width-{w}", f"{w} neuron{'s' if w > 1 else ''}", {"hidden": (w,)}) for w in s.widths]


def with_without_l2(s: Settings) -> list[Arm]:
    return [Arm("none", "no penalty"), Arm("l2", "L2 λ=0.01", {"penalty": L2(lam=0.01)})]


def snapshot_epochs(s: Settings) -> list[int]:
    """The epochs of ``s.snapshots`` below ``s.epochs``: the earlier columns of the evolution strip (the last is the
    full run)."""
    return sorted({e for e in s.snapshots if e < s.epochs})


def l2_pair_arms(s: Settings) -> list[Arm]:
    """The pair, and the first seed of each trained again up to every earlier snapshot (keys ``none-e10``, ``l2-e10``).

    A run trained to epoch e is the long run's first e epochs: same seed, so the same split, initialisation and
    batch order, and a constant learning rate. The engine keeps no weights from the middle of a run, so this is how
    the boundary at epoch e is drawn.
    """
    pair = with_without_l2(s)
    early = [Arm(f"{a.key}-e{e}", f"{a.label}, {e} epochs", {**a.config, "epochs": e}, seeds=1) for a in pair for e in snapshot_epochs(s)]
    return pair + early


def capacity_prose(first: dict, last: dict, complexity: list[dict], best, gap_change: dict | None, name) -> str:
    """The capacity conclusion from its numbers: the narrowest and widest arms' summaries, boundary
    complexity per arm, the best-of test and the paired test of the gap (widest − narrowest)."""
    longer = mean(complexity[-1]["length"]) > mean(complexity[0]["length"])
    gap_what = f"Gap (train − validation) of {last['label']} minus that of {first['label']}"
    text = (
        f"Training accuracy climbs from {mean(first['train']):.3f} ({first['label']}) to {mean(last['train']):.3f} "
        f"({last['label']}). {best_sentence(best, 'Highest mean test accuracy', name=name)}. "
        f"The boundary length goes from {mean(complexity[0]['length']):.1f} to {mean(complexity[-1]['length']):.1f}. "
        f"{describe(gap_change, gap_what)}. "
    )
    if gap_change and gap_change["word"] == "higher" and longer:
        return text + "More neurons draw more complex boundaries that fit the training noise, as the lecture says."
    if longer:
        return text + "The boundary gets longer with width, but with these seeds the gap's growth is not distinguishable from noise."
    return text + "Contrary to the lecture, the widest model's boundary is not longer here."


def capacity(arms: Arms, s: Settings) -> dict:
    keys = list(arms)
    summaries = [arm_summary(arms.label(k), arms.results(k)) for k in keys]
    complexity = [complexity_over_seeds(arms.results(k), s.resolution) for k in keys]
    rows = [row + [fmt(c["regions"], 1), fmt(c["length"], 1)] for row, c in zip(score_rows(summaries), complexity)]
    narrow = min(keys, key=lambda k: arms[k][0].config["hidden"][0])
    wide = max(keys, key=lambda k: arms[k][0].config["hidden"][0])
    best = best_of({k: test_scores(arms.results(k)) for k in keys})
    gap = lambda k: per_seed(arms.results(k), lambda r: r.gap)  # noqa: E731
    gap_change = compare(gap(narrow), gap(wide))
    first, last = summaries[keys.index(narrow)], summaries[keys.index(wide)]
    ends = [complexity[keys.index(narrow)], complexity[keys.index(wide)]]
    return {
        "table": {"columns": SCORE_COLUMNS + ["regions", "boundary length"], "rows": rows},
        "figures": {
            "boundaries": boundary_panels([(arms.label(k), arms.results(k)[0]) for k in keys], s.resolution),
            "capacity": {
                "widths": [arms[k][0].config["hidden"][0] for k in keys],
                "train": [x["train"] for x in summaries],
                "test": [x["test"] for x in summaries],
                "references": references(arms.results(narrow)),
            },
        },
        "numbers": {"arms": summaries, "complexity": complexity, "best_test": best, "gap_change": gap_change},
        "conclusion": capacity_prose(first, last, ends, best, gap_change, arms.label),
        "headline": (
            f"Gap {mean(first['gap']):+.3f} with {first['label']} vs {mean(last['gap']):+.3f} with {last['label']}; "
            f"boundary length {mean(ends[0]['length']):.1f} → {mean(ends[1]['length']):.1f}."
        ),
    }


def l2_prose(gaps: list[dict | None], test_diff: dict | None, gap_diff: dict | None) -> str:
    """The with/without-L2 conclusion from the two gaps and the paired tests (test accuracy, gap; L2 − none)."""
    text = (
        f"Without a penalty the gap between train and validation accuracy is {fmt(gaps[0])}; with L2 λ=0.01 it is "
        f"{fmt(gaps[1])}. {describe(test_diff, 'Test accuracy with L2 minus without, paired over seeds')}. "
        f"{describe(gap_diff, 'Gap with L2 minus without')}. "
    )
    if gap_diff and gap_diff["word"] == "lower":
        gain = test_diff and test_diff["word"] == "higher"
        small = ", though the test gain is not distinguishable from the spread over seeds."
        return text + "L2 narrows the gap, as the lecture shows" + ("." if gain else small)
    if mean(gaps[1]) < mean(gaps[0]):
        return text + "L2 narrows the gap on average, but not distinguishably from the spread over seeds."
    return text + "Contrary to the lecture, L2 did not narrow the gap here."


def evolution(arms: Arms, s: Settings) -> dict | None:
    """Boundary grids of the pair's first seed at each snapshot (rows: no penalty, L2; columns: epochs), and the
    largest difference in training data loss between a retrained run and the long run's same epochs (rounding,
    when the paths agree); None without the snapshot arms."""
    early = snapshot_epochs(s)
    if not early or any(f"{k}-e{e}" not in arms for k in ("none", "l2") for e in early):
        return None
    entries, difference = [], 0.0
    for key in ("none", "l2"):
        last = arms.results(key)[0]
        for e in early:
            run = arms.results(f"{key}-e{e}")[0]
            entries.append((f"epoch {e}", run))
            a, b = (np.asarray(r.history.get("data_loss", []), dtype=np.float64) for r in (run, last))
            n = min(a.size, b.size)
            if n:
                difference = max(difference, float(np.max(np.abs(a[:n] - b[:n]))))
        entries.append((f"epoch {s.epochs}", last))
    rows = [arms.label("none"), arms.label("l2")]
    grids = boundary_panels(entries, s.resolution)
    return {"epochs": early + [s.epochs], "rows": rows, "seed": s.seed, "loss_difference": difference, **grids}


def l2(arms: Arms, s: Settings) -> dict:
    plain, reg = arms.results("none"), arms.results("l2")
    summaries = [arm_summary(arms.label("none"), plain), arm_summary(arms.label("l2"), reg)]
    test_diff = paired(plain, reg, "test")
    gap_diff = compare(per_seed(plain, lambda r: r.gap), per_seed(reg, lambda r: r.gap))
    gaps = [x["gap"] for x in summaries]
    shown = {
        "boundaries": boundary_panels([(arms.label("none"), plain[0]), (arms.label("l2"), reg[0])], s.resolution),
        "curves": [curve(arms.label("none"), plain[0]), curve(arms.label("l2"), reg[0])],
    }
    strip = evolution(arms, s)
    if strip is not None:
        shown["evolution"] = strip
    return {
        "table": {"columns": SCORE_COLUMNS, "rows": score_rows(summaries)},
        "figures": shown,
        "numbers": {"arms": summaries, "paired_test": test_diff, "gap_difference": gap_diff},
        "conclusion": l2_prose(gaps, test_diff, gap_diff),
        "headline": (
            f"Gap {mean(gaps[0]):.3f} without a penalty vs {mean(gaps[1]):.3f} with L2 λ=0.01; "
            f"test accuracy {mean(summaries[0]['test']):.3f} → {mean(summaries[1]['test']):.3f}."
        ),
    }


CAPACITY = Section("capacity", "Overfitting grows with capacity", widths, capacity, figures.capacity)
L2_PAIR = Section("l2", "Without vs with L2 (λ = 0.01)", l2_pair_arms, l2, figures.l2)
