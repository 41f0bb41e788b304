"""Choosing λ: the validation curve over the grid, the cost of penalising more, and what λ = the grid's top does."""

from __future__ import annotations

import numpy as np

from reglab.lecture.analysis import (
    SCORE_COLUMNS,
    arm_summary,
    boundary_panels,
    fmt,
    mean,
    ok,
    paired,
    per_seed,
    references,
    score_rows,
    stat,
)  # fmt: skip
from reglab.lecture.compare import best_of, describe
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.regularizers import L2, NoPenalty
from reglab.views.report import figures

__all__ = ["LAMBDA", "lambda_prose", "strongest_prose"]

ORDER = {"overfitting": 0, "good fit": 1, "underfitting": 2}


def lam_of(arm: Arm) -> float:
    return arm.config["penalty"].l2 or 0.0


def grid(s: Settings) -> list[Arm]:
    return [Arm(f"lam-{lam:g}", f"λ={lam:g}", {"penalty": L2(lam=lam) if lam else NoPenalty()}) for lam in s.lam_grid]


def stages(lams: list[float], verdicts: list[str]) -> str:
    """"overfitting for λ = 0 to 0.3; underfitting for λ = 1": consecutive λ with the same majority verdict."""
    runs: list[tuple[str, list[float]]] = []
    for lam, v in zip(lams, verdicts):
        if runs and runs[-1][0] == v:
            runs[-1][1].append(lam)
        else:
            runs.append((v, [lam]))
    return "; ".join(f"{v} for λ = {ls[0]:g}" + (f" to {ls[-1]:g}" if len(ls) > 1 else "") for v, ls in runs)


def lambda_prose(lams: list[float], pick: int, summaries: list[dict], lowest, cost: dict) -> str:
    """The conclusion from the λ grid, the index of the λ with the lowest validation loss, its best-of test
    (validation loss), and the paired test-accuracy cost of each larger λ (λ − chosen), by label."""
    verdicts = [x["verdict"] for x in summaries]
    ranks = [ORDER.get(v, -1) for v in verdicts]
    monotone = all(a <= b for a, b in zip(ranks, ranks[1:]))
    text = (
        f"The validation loss is lowest at λ = {lams[pick]:g} (test accuracy {fmt(summaries[pick]['test'])})"
        + (f"; not distinguishable from it: {', '.join(lowest['peers'])}" if lowest["peers"] else "")
        + f". Verdicts (majority over seeds): {stages(lams, verdicts)}. "
    )
    hurt = [k for k, t in cost.items() if t and t["word"] == "lower"]
    if hurt:
        worst = min(hurt, key=lambda k: cost[k]["mean_diff"])
        text += (
            f"Penalising more than that costs test accuracy distinguishably from {hurt[0]} on "
            f"({describe(cost[worst], f'{worst} minus λ = {lams[pick]:g}')}). "
        )
    if monotone and "good fit" in verdicts and ranks[0] == 0 and ranks[-1] == 2:
        return text + "They move from overfitting through good fit to underfitting as λ grows, as the lecture's guide says."
    if monotone and ranks[0] < ranks[-1]:
        return text + (
            "They move toward underfitting as λ grows, but no λ of this grid gets a clear 'good fit' by the verdict's thresholds: "
            "the validation loss is the better guide."
        )
    return text + "The verdicts do not move monotonically from overfitting to underfitting here: see the curve."


def strongest_prose(lam: float, largest_w: float, train: float, majority: float) -> str:
    """What the grid's largest λ does: its largest hidden |w| and training accuracy against the majority class's share."""
    if largest_w < 1e-2 and abs(train - majority) < 0.02:
        return (
            f" At λ = {lam:g} every hidden weight is below {largest_w:.1e} in magnitude: the network outputs a constant and "
            f"predicts one class everywhere (training accuracy {train:.3f}, the majority class's share {majority:.3f})."
        )
    return f" At λ = {lam:g} the largest hidden |w| is {largest_w:.2g} and the training accuracy {train:.3f}: it still draws a boundary."


def choosing_lambda(arms: Arms, s: Settings) -> dict:
    keys = list(arms)
    lams = [lam_of(arms[k][0]) for k in keys]
    summaries = [arm_summary(arms.label(k), arms.results(k)) for k in keys]
    loss = lambda part, k: stat([getattr(r, part)["data_loss"] for r in ok(arms.results(k))])  # noqa: E731
    losses = {part: [loss(part, k) for k in keys] for part in ("train", "val", "test")}
    pick = int(np.nanargmin([mean(v) for v in losses["val"]]))
    lowest = best_of({arms.label(k): per_seed(arms.results(k), lambda r: r.val["data_loss"]) for k in keys}, higher_is_better=False)
    chosen = arms.results(keys[pick])
    cost = {arms.label(k): paired(chosen, arms.results(k)) for k, lam in zip(keys, lams) if lam > lams[pick]}
    top = keys[int(np.argmax(lams))]
    strong = ok(arms.results(top))
    largest_w = float(np.mean([max(float(np.max(np.abs(k))) for k in r.kernels[:-1]) for r in strong]))
    train = float(np.mean([r.train[r.score_name] for r in strong]))
    majority = float(np.mean([r.majority_rate for r in strong]))
    text = lambda_prose(lams, pick, summaries, lowest, cost) + strongest_prose(max(lams), largest_w, train, majority)
    shown = [(arms.label(k), arms.results(k)[0]) for k, lam in zip(keys, lams) if lam in s.lam_shown]
    return {
        "table": {
            "columns": SCORE_COLUMNS + ["validation loss"],
            "rows": [row + [fmt(v)] for row, v in zip(score_rows(summaries), losses["val"])],
        },
        "figures": {
            "boundaries": boundary_panels(shown, s.resolution),
            "curve": {
                "lams": lams, "train": [x["train"] for x in summaries], "val": [x["val"] for x in summaries],
                "test": [x["test"] for x in summaries], "train_loss": losses["train"], "val_loss": losses["val"],
                "test_loss": losses["test"], "chosen": lams[pick], "references": references(chosen),
            },
        },  # fmt: skip
        "numbers": {
            "arms": summaries, "chosen_lambda": lams[pick], "val_loss": losses["val"], "lowest_val_loss": lowest, "cost": cost,
            "strongest": {"lam": max(lams), "largest_hidden_w": largest_w, "train": train, "majority_rate": majority},
        },  # fmt: skip
        "conclusion": text,
        "headline": f"Lowest validation loss at λ = {lams[pick]:g}; verdicts: {stages(lams, [x['verdict'] for x in summaries])}.",
    }


LAMBDA = Section("lambda", "Choosing λ", grid, choosing_lambda, figures.choosing_lambda)
