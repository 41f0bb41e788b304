"""Choosing λ: the validation curve over the grid, the cost of every other λ against the one validation chooses, the
lecture's λ = 0 / 0.01 / 0.1 / 1 picture, and what the grid's largest λ does."""

from __future__ import annotations

import numpy as np

from reglab.lecture.compare import Family, describe, word_of
from reglab.lecture.figure_data import boundary_panels, references
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.lecture.scores import ok, per_seed, test_scores
from reglab.lecture.summaries import SCORE_COLUMNS, above_bayes, arm_summary, fmt, score_rows, stat
from reglab.regularizers import L2, NoPenalty
from reglab.views.report import figures

__all__ = ["LAMBDA", "PICTURE", "lambda_prose", "picture", "strongest_prose"]

ORDER = {"overfitting": 0, "good fit": 1, "underfitting": 2}
# the lecture's sketch: λ → (its word, the verdicts that agree with it); its "smooth" at 0.1 draws the same flat line as λ = 1
PICTURE = {0.0: ("overfitting", ("overfitting",)), 0.01: ("good balance", ("good fit",)),
           0.1: ("smooth", ("good fit", "underfitting")), 1.0: ("underfitting", ("underfitting",))}  # fmt: skip


def lam_of(arm: Arm) -> float:
    return arm.config["penalty"].l2 or 0.0


def label(lam: float) -> str:
    return f"λ = {lam:g}"


def grid(s: Settings) -> list[Arm]:
    return [Arm(f"lam-{lam:g}", label(lam), {"penalty": L2(lam=lam) if lam else NoPenalty()}) for lam in s.lam_grid]


def stages(lams: list[float], verdicts: list[str]) -> str:
    """"overfitting for λ = 0 to 0.003; good fit for λ = 0.01": consecutive λ with the same verdict over seeds."""
    runs: list[tuple[str, list[float]]] = []
    for lam, v in zip(lams, verdicts):
        if runs and runs[-1][0] == v:
            runs[-1][1].append(lam)
        else:
            runs.append((v, [lam]))
    return "; ".join(f"{v} for λ = {ls[0]:g}" + (f" to {ls[-1]:g}" if len(ls) > 1 else "") for v, ls in runs)


def picture(lams: list[float], verdicts: list[str]) -> dict:
    """The lecture's sketch against the verdicts over seeds at its four λ: ``{λ: [its word, the verdict, agrees]}`` for those
    in the grid; ``agrees`` is None while the verdict cannot tell."""
    found = dict(zip(lams, verdicts))
    out = {}
    for lam, (word, agreeing) in PICTURE.items():
        if lam in found:
            decided = found[lam] in ("overfitting", "good fit", "underfitting")
            out[f"{lam:g}"] = [word, found[lam], (found[lam] in agreeing) if decided else None]
    return out


def lambda_prose(lams: list[float], pick: int, summaries: list[dict], chosen, costs: dict) -> str:
    """The conclusion from the λ grid, the index of the λ with the lowest mean validation loss, its comparisons on the test
    part (every other λ − chosen, by label) and the verdicts over seeds."""
    verdicts = [x["verdict"] for x in summaries]
    text = (
        f"The mean validation loss is lowest at λ = {lams[pick]:g}: chosen there, it scores {fmt(summaries[pick]['test'])} on the "
        f"test points (the Bayes rule {fmt(summaries[pick]['bayes'])} on the same points). "
    )
    worse = [k for k, t in costs.items() if word_of(t) == "lower"]
    level = [k for k, t in costs.items() if word_of(t) in ("indistinguishable", "tie")]
    better = [k for k, t in costs.items() if word_of(t) == "higher"]
    text += f"Against it on test accuracy: distinguishably lower at {', '.join(worse) or 'no λ'}"
    text += f"; not distinguishable at {', '.join(level)}" if level else ""
    text += f"; distinguishably higher at {', '.join(better)}" if better else ""
    if worse:
        w = min(worse, key=lambda k: costs[k]["mean_diff"])
        text += f" (the largest cost: {describe(costs[w], f'{w} minus λ = {lams[pick]:g}')})"
    text += f". Verdicts over seeds: {stages(lams, verdicts)}. "
    ranks = [ORDER.get(v, -1) for v in verdicts if v in ORDER]
    monotone = all(a <= b for a, b in zip(ranks, ranks[1:]))
    if monotone and "good fit" in verdicts and ranks[0] == 0 and ranks[-1] == 2:
        return text + "They move from overfitting through good fit to underfitting as λ grows, as the lecture's guide says."
    if monotone and ranks and ranks[0] < ranks[-1]:
        return text + "They move toward underfitting as λ grows, but no λ here is a clear good fit: the validation loss is the guide."
    return text + "The decided verdicts do not run from overfitting to underfitting here: see the curve."


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
    family = Family("choosing λ")
    val_loss = {k: per_seed(arms.results(k), lambda r: r.val["data_loss"]) for k in keys}
    chosen = family.choose("mean validation loss", val_loss, {k: test_scores(arms.results(k)) for k in keys}, name=arms.label,
                           lower_is_better=True)  # fmt: skip
    adjusted = family.adjust()
    pick = keys.index(chosen["best"])
    costs = {arms.label(k): t for k, t in chosen["tests"].items()}
    top = keys[int(np.argmax(lams))]
    strong = ok(arms.results(top))
    largest_w = float(np.mean([max(float(np.max(np.abs(k))) for k in r.kernels[:-1]) for r in strong]))
    train = float(np.mean([r.train[r.score_name] for r in strong]))
    majority = float(np.mean([r.majority_rate for r in strong]))
    verdicts = [x["verdict"] for x in summaries]
    text = lambda_prose(lams, pick, summaries, chosen, costs) + strongest_prose(max(lams), largest_w, train, majority)
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
                "test_loss": losses["test"], "chosen": lams[pick], "references": references(arms.results(keys[pick])),
            },
        },  # fmt: skip
        "numbers": {
            "arms": summaries, "chosen_lambda": lams[pick], "val_loss": losses["val"], "lowest_val_loss": chosen, "cost": costs,
            "picture": picture(lams, verdicts),
            "strongest": {"lam": max(lams), "largest_hidden_w": largest_w, "train": train, "majority_rate": majority},
        },  # fmt: skip
        "family": adjusted,
        "conclusion": text + above_bayes(summaries),
        "headline": f"Chosen on validation loss: λ = {lams[pick]:g}; distinguishably lower test accuracy at "
        f"{', '.join(k for k, t in costs.items() if word_of(t) == 'lower') or 'no other λ'}; verdicts: {stages(lams, verdicts)}.",
    }


LAMBDA = Section("lambda", "Choosing λ", grid, choosing_lambda, figures.choosing_lambda)
