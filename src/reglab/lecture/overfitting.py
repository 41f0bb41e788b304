"""Sections on overfitting itself: capacity (the gap grows with width) and the lecture's with/without L2 pair,
with the pair's boundary at several epochs of training."""

from __future__ import annotations

import numpy as np

from reglab.lecture.compare import Family, describe, said, word_of
from reglab.lecture.figure_data import boundary_panels, complexity_over_seeds, curve, references
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.lecture.scores import gaps, test_scores, val_scores
from reglab.lecture.summaries import SCORE_COLUMNS, above_bayes, arm_summary, chosen_sentence, fmt, mean, score_rows
from reglab.regularizers import L2
from reglab.views.report import figures

__all__ = ["CAPACITY", "L2_PAIR", "capacity_prose", "l2_pair_arms", "l2_prose", "snapshot_epochs", "with_without_l2"]


def widths(s: Settings) -> list[Arm]:
    return [Arm(f"width-{w}", f"{w} neuron{'s' if w > 1 else ''}", {"hidden": (w,)}) for w in s.widths]


def with_without_l2(s: Settings) -> list[Arm]:
    return [Arm("none", "no penalty"), Arm("l2", "L2 λ = 0.01", {"penalty": L2(lam=0.01)})]


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


def capacity_prose(first: dict, last: dict, best, gap_change: dict | None, length_change: dict | None, name) -> str:
    """The capacity conclusion from its numbers: the narrowest and widest arms' summaries, the width chosen on
    validation (tested against the others), and the paired tests of the gap and of the boundary length (widest −
    narrowest), all in the section's family."""
    pair = f"{last['label']} minus {first['label']}"
    text = (
        f"Mean training accuracy: {mean(first['train']):.3f} ({first['label']}), {mean(last['train']):.3f} "
        f"({last['label']}). {chosen_sentence(best, 'The width', name)}. "
        f"{describe(length_change, f'Boundary length, {pair}', 1)}. {describe(gap_change, f'Gap (train − test), {pair}')}. "
    )
    gap, length = word_of(gap_change), word_of(length_change)
    if gap == "higher" and length == "higher":
        return text + "More neurons draw longer boundaries that fit the training noise and widen the gap, as the lecture says."
    if gap == "lower":
        return text + "Contrary to the lecture, the widest model's gap is smaller here."
    if gap == "higher":
        return text + "The gap grows with width, as the lecture says, though the boundary length does not distinguishably."
    if length == "higher":
        return text + "The boundary gets longer with width, but the gap's growth is not distinguishable at this number of seeds."
    return text + "Neither the gap nor the boundary length grows distinguishably with width at this number of seeds."


def capacity(arms: Arms, s: Settings) -> dict:
    keys = list(arms)
    summaries = [arm_summary(arms.label(k), arms.results(k)) for k in keys]
    complexity = [complexity_over_seeds(arms.results(k), s.resolution) for k in keys]
    rows = [row + [fmt(c["regions"], 1), fmt(c["length"], 1)] for row, c in zip(score_rows(summaries), complexity)]
    narrow = min(keys, key=lambda k: arms[k][0].config["hidden"][0])
    wide = max(keys, key=lambda k: arms[k][0].config["hidden"][0])
    first, last = summaries[keys.index(narrow)], summaries[keys.index(wide)]
    ends = [complexity[keys.index(narrow)], complexity[keys.index(wide)]]
    family = Family("capacity")
    gap_change = family.compare("gap, widest − narrowest", gaps(arms.results(narrow)), gaps(arms.results(wide)))
    lengths = [c["per_seed"]["length"] for c in ends]
    length_change = family.compare("boundary length, widest − narrowest", *lengths)
    best = family.choose("validation accuracy", {k: val_scores(arms.results(k)) for k in keys},
                         {k: test_scores(arms.results(k)) for k in keys}, name=arms.label)  # fmt: skip
    tests = family.adjust()
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
        "numbers": {
            "arms": summaries, "complexity": complexity, "best_test": best, "gap_change": gap_change, "length_change": length_change,
        },  # fmt: skip
        "family": tests,
        "conclusion": capacity_prose(first, last, best, gap_change, length_change, arms.label) + above_bayes(summaries),
        "headline": (
            f"Gap {mean(first['gap']):+.3f} ({first['label']}) → {mean(last['gap']):+.3f} ({last['label']}): "
            f"{said(gap_change)}; boundary length {mean(ends[0]['length']):.1f} → {mean(ends[1]['length']):.1f}: {said(length_change)}."
        ),
    }


def l2_prose(arms: list[dict], tests: dict) -> str:
    """The with/without-L2 conclusion from the two arms' summaries and the paired tests (L2 − none) of the gap, the test
    accuracy and the boundary length (``tests``: ``gap``, ``test``, ``length``)."""
    plain, reg = arms
    headroom = mean(reg["bayes"]) - mean(reg["test"]) if reg.get("bayes") else None
    text = (
        f"The gap between training accuracy and accuracy on the test points is {fmt(plain['gap'])} without a penalty and "
        f"{fmt(reg['gap'])} with {reg['label']}. {describe(tests['gap'], 'Gap with L2 minus without')}. "
        f"{describe(tests['test'], 'Test accuracy with L2 minus without')}. "
        f"{describe(tests['length'], 'Boundary length with L2 minus without', 1)}. "
    )
    gap, test, length = (word_of(tests[k]) for k in ("gap", "test", "length"))
    if gap == "lower":
        text += "L2 narrows the gap, as the lecture shows. "
    elif mean(reg["gap"]) < mean(plain["gap"]):
        text += "L2 narrows the gap on average, but not distinguishably at this number of seeds. "
    else:
        text += "Contrary to the lecture, L2 did not narrow the gap here. "
    smoother = {"lower": "Its boundary is shorter: smoother, as the lecture says. ",
                "higher": "Contrary to the lecture, its boundary is longer. "}  # fmt: skip
    text += smoother.get(length, "Its boundary length is not distinguishably different. ")
    if test == "higher":
        return text + "Test accuracy rises, as the lecture says."
    if test == "lower":
        return text + "Contrary to the lecture, test accuracy falls."
    room = "" if headroom is None else f": it is already within {headroom:.3f} of the Bayes rule on the same points, little room to rise"
    return text + f"The test accuracy does not rise distinguishably{room}."


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
    complexity = [complexity_over_seeds(results, s.resolution) for results in (plain, reg)]
    family = Family("without vs with L2")
    tests = {
        "gap": family.compare("gap, L2 − none", gaps(plain), gaps(reg)),
        "test": family.compare("test accuracy, L2 − none", test_scores(plain), test_scores(reg)),
        "length": family.compare("boundary length, L2 − none", *(c["per_seed"]["length"] for c in complexity)),
    }
    adjusted = family.adjust()
    shown = {
        "boundaries": boundary_panels([(arms.label("none"), plain[0]), (arms.label("l2"), reg[0])], s.resolution),
        "curves": [curve(arms.label("none"), plain[0]), curve(arms.label("l2"), reg[0])],
    }
    strip = evolution(arms, s)
    if strip is not None:
        shown["evolution"] = strip
    rows = [row + [fmt(c["length"], 1)] for row, c in zip(score_rows(summaries), complexity)]
    return {
        "table": {"columns": SCORE_COLUMNS + ["boundary length"], "rows": rows},
        "figures": shown,
        "numbers": {"arms": summaries, "complexity": complexity, "paired_test": tests["test"], "gap_difference": tests["gap"],
                    "length_difference": tests["length"]},  # fmt: skip
        "family": adjusted,
        "conclusion": l2_prose(summaries, tests) + above_bayes(summaries),
        "headline": (
            f"Gap {mean(summaries[0]['gap']):+.3f} → {mean(summaries[1]['gap']):+.3f} with L2 λ = 0.01: {said(tests['gap'])}; "
            f"test accuracy {mean(summaries[0]['test']):.3f} → {mean(summaries[1]['test']):.3f}: {said(tests['test'])}; "
            f"boundary length: {said(tests['length'])}."
        ),
    }


CAPACITY = Section("capacity", "Overfitting grows with capacity", widths, capacity, figures.capacity)
L2_PAIR = Section("l2", "Without vs with L2 (λ = 0.01)", l2_pair_arms, l2, figures.l2)
