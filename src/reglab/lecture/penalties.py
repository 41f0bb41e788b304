"""L1 vs L2 vs elastic net (at the lecture's values, and at matched strength), and weight decay vs the L2 penalty."""

from __future__ import annotations

import numpy as np

from reglab.data import load
from reglab.lecture.analysis import arm_summary, best_sentence, curve, fmt, hidden_weight_stats, mean, ok, per_seed, score_rows, stat
from reglab.lecture.compare import best_of, compare, describe
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.measures.weights import FLOAT32_TINY, dead_relu_units
from reglab.regularizers import L1, L1L2, L2
from reglab.views.report import figures
from reglab.views.report.codec import pack

__all__ = ["DECAY", "PENALTIES", "decay_prose", "matched_prose", "sparsity_prose"]

LECTURE_VALUES = ("l2", "l1-proximal", "l1-subgradient", "elastic")  # the lecture's own penalties, shown in the figures
FAMILIES = {"l2": "L2", "l1": "L1 (proximal)", "enet": "elastic net (l1 = l2/10)"}  # ladders, each tuned on validation


def penalty_arms(s: Settings) -> list[Arm]:
    arms = [
        Arm("l2", "L2 λ=0.01", {"penalty": L2(lam=0.01)}),
        Arm("l1-proximal", "L1 λ=0.001 proximal", {"penalty": L1(lam=1e-3), "l1_method": "proximal"}),
        Arm("l1-subgradient", "L1 λ=0.001 subgradient", {"penalty": L1(lam=1e-3), "l1_method": "subgradient"}),
        Arm("elastic", "elastic net l1=0.001 l2=0.01", {"penalty": L1L2(l1=1e-3, l2=0.01), "l1_method": "proximal"}),
    ]
    for lam in s.ladder:
        arms.append(Arm(f"l2@{lam:g}", f"L2 λ={lam:g}", {"penalty": L2(lam=lam)}))
        arms.append(Arm(f"l1@{lam:g}", f"L1 λ={lam / 10:g}", {"penalty": L1(lam=lam / 10), "l1_method": "proximal"}))
        enet = {"penalty": L1L2(l1=lam / 10, l2=lam), "l1_method": "proximal"}
        arms.append(Arm(f"enet@{lam:g}", f"elastic l1={lam / 10:g} l2={lam:g}", enet))
    return arms


def sparsity_prose(prox: dict, sub: dict, l2: dict) -> str:
    """Exact and near zeros of proximal L1, subgradient L1 and L2 (summaries over seeds)."""
    text = (
        f"Proximal L1 sets {mean(prox['exact_zero']):.0%} of the hidden weights exactly to zero; subgradient L1 (Keras's way) sets "
        f"{mean(sub['exact_zero']):.0%} exactly to zero but leaves {mean(sub['near_zero']):.0%} below 1e-3, hovering around it; "
        f"L2 leaves {mean(l2['exact_zero']):.0%} exact zeros. "
    )
    if mean(l2["exact_zero"]) > 0 or mean(sub["exact_zero"]) > 0:
        text += (
            "Neither L2 nor the subgradient sets a weight to zero itself: their exact zeros are weights that shrank "
            f"below float32's smallest normal number ({FLOAT32_TINY:.1e}) and were flushed to zero. "
        )
    if mean(prox["exact_zero"]) > mean(sub["exact_zero"]):
        return text + "So 'L1 gives exact zeros' holds for the proximal step, not for the plain subgradient. "
    return text + "Here even proximal L1 did not produce more exact zeros than the subgradient. "


def matched_prose(chosen: dict[str, str], best, enet: dict | None, name) -> str:
    """Penalties at matched strength: each family's λ chosen on validation (``chosen``: family → arm key), the best-of
    test on test accuracy among the chosen, and the paired test of elastic net − L2 at the lecture's values."""
    picks = ", ".join(f"{FAMILIES[f]} {name(k)}" for f, k in chosen.items())
    text = (
        f"At the lecture's values, {describe(enet, 'test accuracy of elastic net minus L2')}. Those values are not matched in "
        f"strength, so each penalty's λ was then chosen on validation loss from a ladder ({picks}) and compared on test: "
        f"{best_sentence(best, 'highest mean test accuracy', name=name)}."
    )
    if best["peers"]:
        return text + " At matched strength these penalties cannot be told apart on this data: no ranking of L1 against L2 holds here."
    return text + " At matched strength one penalty is distinguishably best on this data."


def _entry(results) -> dict:
    good = ok(results)
    ws = [hidden_weight_stats(r) for r in good]
    dead = [float(np.mean(dead_relu_units(load(r.data).X_train, r.kernels, r.biases, r.config.activation))) for r in good]
    out = {k: stat([w[k] for w in ws]) for k in ("exact_zero", "near_zero", "l1", "l2")}
    return {"test": arm_summary("", results)["test"], **out, "dead_units": stat(dead)}


def penalties(arms: Arms, s: Settings) -> dict:
    numbers, rows, hist = {}, [], {}
    val_loss = {k: per_seed(arms.results(k), lambda r: r.val["data_loss"]) for k in arms}
    chosen = {f: min((k for k in arms if k.startswith(f + "@")), key=lambda k: np.nanmean(val_loss[k])) for f in FAMILIES}
    for key in arms:
        entry = _entry(arms.results(key))
        mark = "chosen on validation" if key in chosen.values() else ("the lecture's value" if key in LECTURE_VALUES else "")
        rows.append([arms.label(key), fmt(entry["test"]), fmt(stat(val_loss[key])), fmt(entry["exact_zero"]), fmt(entry["near_zero"]),
                     fmt(entry["l1"], 1), fmt(entry["l2"], 2), fmt(entry["dead_units"]), mark])  # fmt: skip
        if key in LECTURE_VALUES:
            numbers[arms.label(key)] = entry
            results = arms.results(key)
            hist[arms.label(key)] = pack(results[0].kernels[1 if len(results[0].kernels) > 2 else 0].ravel(), "float32")
    test = {k: per_seed(arms.results(k), lambda r: r.test[r.score_name]) for k in arms}
    lecture_best = best_of({k: test[k] for k in LECTURE_VALUES})
    best = best_of({k: test[k] for k in chosen.values()})
    enet = compare(test["l2"], test["elastic"])
    text = sparsity_prose(*(numbers[arms.label(k)] for k in ("l1-proximal", "l1-subgradient", "l2")))
    text += matched_prose(chosen, best, enet, arms.label)
    return {
        "table": {
            "columns": ["penalty", "test", "validation loss", "exact zeros", "|w| < 1e-3", "Σ|w|", "‖w‖₂", "dead units", ""],
            "rows": rows,
        },
        "figures": {
            "histograms": hist,
            "sparsity": {k: {"exact": mean(v["exact_zero"]), "near": mean(v["near_zero"])} for k, v in numbers.items()},
        },
        "numbers": numbers,
        "tests": {
            "best_test": lecture_best, "elastic_vs_l2": enet, "matched_best": best,
            "matched_choice": {f: {"key": k, "label": arms.label(k)} for f, k in chosen.items()},
        },  # fmt: skip
        "conclusion": text,
        "headline": "Exact zeros in hidden kernels: " + ", ".join(f"{k} {mean(v['exact_zero']):.0%}" for k, v in numbers.items())
        + f"; at matched strength, highest test accuracy {arms.label(best['best'])}"
        + (f" ({len(best['peers'])} others not distinguishable)." if best["peers"] else "."),
    }


def decay_arms(s: Settings) -> list[Arm]:
    sgd = {"optimizer": "sgd", "lr": s.sgd_lr}
    return [
        Arm("sgd-l2", "SGD + L2 λ=0.005", {**sgd, "penalty": L2(lam=0.005)}, exact=True),
        Arm("sgd-decay", "SGD + decay 0.01", {**sgd, "weight_decay": 0.01}, exact=True),
        Arm("adam", "Adam, no penalty"),
        Arm("adam-l2", "Adam + L2 λ=0.005", {"penalty": L2(lam=0.005)}),
        *(Arm(f"adamw-{wd:g}", f"AdamW decay {wd:g}", {"optimizer": "adamw", "weight_decay": wd}) for wd in (0.01, 0.1, 0.5)),
    ]


def decay_prose(sgd_diff: float, adam_diff: float, norms: dict[str, float], matched: str, shrink: dict | None, gain: dict | None) -> str:
    """The conclusion from the largest weight differences (SGD pair, Adam + L2 vs AdamW 0.01), the hidden norms by arm
    key, the AdamW arm whose norm is closest to Adam + L2's, and the paired tests of AdamW 0.01's norm and of the
    matched AdamW's test accuracy, each against Adam with no penalty."""
    text = (
        f"SGD with an L2 penalty λ/2 = 0.005 and SGD with decoupled decay λ = 0.01 end at the same weights: the largest difference "
        f"over all parameters and seeds is {sgd_diff:.1e} (trained in float64: rounding only), "
        "because w − lr·(g + 2·(λ/2)·w) = w − lr·λ·w − lr·g. "
        f"Adam with the same L2 and AdamW do not: their weights differ by up to {adam_diff:.2f}, since Adam divides the penalty's gradient "
        f"by √v̂ while AdamW's decay bypasses it. Hidden-kernel norms: Adam alone {norms['adam']:.2f}, Adam + L2 {norms['adam-l2']:.2f}, "
        + ", ".join(f"AdamW {k.split('-')[1]} {v:.2f}" for k, v in norms.items() if k.startswith("adamw"))
        + f". {describe(shrink, 'Hidden norm of AdamW 0.01 minus Adam alone', 2)}: "
    )
    text += (
        "at 0.01 the decay barely regularizes here (it shrinks w by lr·wd per step), so it is no peer of L2 at this scale. "
        if shrink is None or abs(shrink["mean_diff"]) < 0.1 * norms["adam"]
        else "the decay shrinks the weights noticeably. "
    )
    closest = f"{matched.split('-')[1]} ({norms[matched]:.2f})"
    if norms[matched] > 1.5 * norms["adam-l2"]:
        text += f"No decay tried reaches Adam + L2's norm: the closest, {closest}, still leaves the weights larger; "
    else:
        text += f"Decay {closest} matches Adam + L2's norm; "
    text += describe(gain, "its test accuracy minus Adam alone") + "."
    if sgd_diff > 1e-3:
        text += " Unexpectedly, the SGD pair differs here: check the learning rate and momentum."
    return text


def decay(arms: Arms, s: Settings) -> dict:
    def max_diff(xs, ys):
        return max(float(np.max(np.abs(p - q))) for x, y in zip(ok(xs), ok(ys)) for p, q in zip(x.kernels + x.biases, y.kernels + y.biases))

    sgd_diff = max_diff(arms.results("sgd-l2"), arms.results("sgd-decay"))
    adam_diff = max_diff(arms.results("adam-l2"), arms.results("adamw-0.01"))
    summaries = {k: arm_summary(arms.label(k), arms.results(k)) for k in arms}
    norm = {k: per_seed(arms.results(k), lambda r: hidden_weight_stats(r)["l2"]) for k in arms}
    norms = {k: float(np.nanmean(v)) for k, v in norm.items()}
    adamw = [k for k in arms if k.startswith("adamw")]
    matched = min(adamw, key=lambda k: abs(np.log(norms[k] / norms["adam-l2"])))
    shrink = compare(norm["adam"], norm["adamw-0.01"])
    gain = compare(*(per_seed(arms.results(k), lambda r: r.test[r.score_name]) for k in ("adam", matched)))
    rows = [row[:4] + [fmt(stat(norm[k]), 2)] for k, row in zip(arms, score_rows(list(summaries.values())))]
    return {
        "table": {"columns": ["optimizer and regularizer", "train", "validation", "test", "‖w‖₂ (hidden)"], "rows": rows},
        "figures": {"curves": [curve(arms.label(k), arms.results(k)[0]) for k in arms]},
        "numbers": {
            "sgd_max_difference": sgd_diff, "adam_max_difference": adam_diff, "arms": list(summaries.values()), "hidden_norm": norms,
            "matched_decay": matched, "adamw_shrink": shrink, "matched_gain": gain,
        },  # fmt: skip
        "conclusion": decay_prose(sgd_diff, adam_diff, norms, matched, shrink, gain),
        "headline": f"SGD: L2(λ/2) and decay λ agree to {sgd_diff:.0e}; Adam + L2 and AdamW differ by up to {adam_diff:.2f}; "
        f"AdamW needs decay {matched.split('-')[1]} to match L2's hidden norm.",
        "precision": "float64 for the SGD pair",
    }


PENALTIES = Section("penalties", "L1 vs L2 vs elastic net", penalty_arms, penalties, figures.penalties)
DECAY = Section("decay", "Weight decay", decay_arms, decay, figures.decay)
