"""L1 vs L2 vs elastic net: exact zeros by the L1 step, what elastic net takes from each, and the penalties compared at
matched strength (each λ chosen on validation from a ladder) and at the lecture's own elastic net."""

from __future__ import annotations

import numpy as np

from reglab.data import load
from reglab.lecture.compare import Family, describe, said, word_of
from reglab.lecture.plan import Arm, Arms, Section, Settings
from reglab.lecture.scores import hidden_weight_stats, ok, per_seed, test_scores
from reglab.lecture.summaries import above_bayes, arm_summary, fmt, mean, stat
from reglab.measures.weights import FLOAT32_TINY, dead_relu_units
from reglab.regularizers import L1, L1L2, L2
from reglab.views.report import figures
from reglab.views.report.codec import pack

__all__ = ["FAMILIES", "PENALTIES", "SHOWN", "matched_prose", "penalty_arms", "sparsity_prose"]

FAMILIES = {"l2": "L2", "l1": "L1 (proximal)", "enet": "elastic net"}  # ladders, each λ chosen on validation loss
SHOWN = ("l2@0.01", "l1@0.001", "l1-subgradient", "enet@0.01", "enet-lecture")  # drawn in the figures


def l2_arm(lam: float) -> Arm:
    return Arm(f"l2@{lam:g}", f"L2 λ = {lam:g}", {"penalty": L2(lam=lam)})


def l1_arm(lam: float) -> Arm:
    return Arm(f"l1@{lam:g}", f"L1 λ = {lam:g} (proximal)", {"penalty": L1(lam=lam), "l1_method": "proximal"})


def enet_arm(l2: float, key: str | None = None, note: str = "") -> Arm:
    config = {"penalty": L1L2(l1=l2 / 10 if key is None else l2, l2=l2), "l1_method": "proximal"}
    l1 = config["penalty"].l1
    return Arm(key or f"enet@{l2:g}", f"elastic net l1 = {l1:g}, l2 = {l2:g}{note}", config)


def penalty_arms(s: Settings) -> list[Arm]:
    """The ladders (L2 λ, L1 λ, elastic net with l1 = l2/10), L1 with Keras's subgradient step, and the lecture's own
    ``l1_l2(l1=0.01, l2=0.01)`` (also a rung of the elastic-net ladder)."""
    arms = [l2_arm(lam) for lam in s.ladder] + [l1_arm(lam) for lam in s.l1_ladder] + [enet_arm(lam) for lam in s.enet_ladder]
    subgradient = Arm("l1-subgradient", "L1 λ = 0.001 (subgradient, Keras's step)", {"penalty": L1(lam=1e-3), "l1_method": "subgradient"})
    return arms + [subgradient, enet_arm(0.01, "enet-lecture", " (the lecture's l1_l2)")]


def sparsity_prose(entries: dict, tests: dict) -> str:
    """Exact and near zeros of proximal L1, subgradient L1, L2 and elastic net (summaries over seeds, by arm key) and the
    family's tests ``prox_zeros`` (proximal − subgradient), ``enet_zeros`` (elastic − L2), ``enet_norm`` (elastic − L1)."""
    prox, sub, l2, enet = (entries[k] for k in ("l1@0.001", "l1-subgradient", "l2@0.01", "enet@0.01"))
    text = (
        f"Proximal L1 (λ = 0.001) sets {mean(prox['exact_zero']):.0%} of the hidden weights exactly to zero; the subgradient step "
        f"(Keras's) sets {mean(sub['exact_zero']):.0%} exactly to zero and leaves {mean(sub['near_zero']):.0%} below 1e-3, hovering "
        f"around it; L2 leaves {mean(l2['exact_zero']):.1%} (a weight below {FLOAT32_TINY:.1e} is flushed to zero; L2 never sets one). "
        f"{describe(tests['prox_zeros'], 'Exact-zero share, proximal minus subgradient')}. "
    )
    if word_of(tests["prox_zeros"]) == "higher":
        text += "So 'L1 gives exact zeros' holds for the proximal step, not for the plain subgradient. "
    else:
        text += "Here the proximal step did not produce distinguishably more exact zeros than the subgradient. "
    text += (
        f"Elastic net (l1 = 0.001, l2 = 0.01) against L2 λ = 0.01: {describe(tests['enet_zeros'], 'exact-zero share')} "
        f"({mean(enet['exact_zero']):.0%}); against L1 λ = 0.001: {describe(tests['enet_norm'], 'hidden ‖w‖₂', 2)}. "
    )
    lecture = entries.get("enet-lecture")
    if lecture is not None and mean(lecture["exact_zero"]) >= 0.99:
        text += (
            f"The lecture's own l1_l2(l1=0.01, l2=0.01) sets {mean(lecture['exact_zero']):.1%} of the hidden weights exactly to zero "
            "with the proximal step: almost nothing of the network is left. "
        )
    return text


def matched_prose(chosen: dict[str, str], tests: dict, name) -> str:
    """Penalties at matched strength: each family's λ chosen on validation loss (``chosen``: family → arm key), then the
    family's tests ``l1_vs_l2``, ``enet_vs_l2`` (chosen − chosen L2) and ``lecture_enet`` (the lecture's l1_l2 − L2 0.01)."""
    picks = ", ".join(f"{name(k)}" for k in chosen.values())
    text = (
        f"Matched in strength, each penalty's λ chosen on validation loss from its ladder ({picks}), on the test points: "
        f"{describe(tests['l1_vs_l2'], 'L1 minus L2')}; {describe(tests['enet_vs_l2'], 'elastic net minus L2')}. "
        f"At the lecture's own elastic net, {describe(tests['lecture_enet'], 'l1_l2(l1=0.01, l2=0.01) minus L2 λ = 0.01')}. "
    )
    if word_of(tests["l1_vs_l2"]) == "lower":
        return text + "L2 beats L1 at matched strength here, as the lecture's instructor finds."
    if word_of(tests["l1_vs_l2"]) == "higher":
        return text + "Contrary to the lecture's instructor, L1 beats L2 at matched strength here."
    return text + "At matched strength L1 and L2 cannot be told apart on this data."


def _entry(results) -> dict:
    good = ok(results)
    ws = [hidden_weight_stats(r) for r in good]
    dead = [float(np.mean(dead_relu_units(load(r.data).X_train, r.kernels, r.biases, r.config.activation))) for r in good]
    out = {k: stat([w[k] for w in ws]) for k in ("exact_zero", "near_zero", "l1", "l2")}
    summary = arm_summary("", results)
    return {"test": summary["test"], "bayes": summary["bayes"], **out, "dead_units": stat(dead)}


def penalties(arms: Arms, s: Settings) -> dict:
    val_loss = {k: per_seed(arms.results(k), lambda r: r.val["data_loss"]) for k in arms}
    ladders = {f: [k for k in arms if k.startswith(f + "@")] for f in FAMILIES}
    ladders["enet"].append("enet-lecture")
    chosen = {f: min(keys, key=lambda k: np.nanmean(val_loss[k])) for f, keys in ladders.items()}
    entries = {k: _entry(arms.results(k)) for k in arms}
    test = {k: test_scores(arms.results(k)) for k in arms}
    zeros = {k: per_seed(arms.results(k), lambda r: hidden_weight_stats(r)["exact_zero"]) for k in arms}
    norm = {k: per_seed(arms.results(k), lambda r: hidden_weight_stats(r)["l2"]) for k in arms}
    family = Family("penalties")
    tests = {
        "prox_zeros": family.compare("exact zeros, proximal − subgradient L1 (λ = 0.001)", zeros["l1-subgradient"], zeros["l1@0.001"]),
        "enet_zeros": family.compare("exact zeros, elastic net − L2 (l2 = 0.01)", zeros["l2@0.01"], zeros["enet@0.01"]),
        "enet_norm": family.compare("hidden ‖w‖₂, elastic net − L1 (l1 = 0.001)", norm["l1@0.001"], norm["enet@0.01"]),
        "l1_vs_l2": family.compare("test accuracy, chosen L1 − chosen L2", test[chosen["l2"]], test[chosen["l1"]]),
        "enet_vs_l2": family.compare("test accuracy, chosen elastic net − chosen L2", test[chosen["l2"]], test[chosen["enet"]]),
        "lecture_enet": family.compare("test accuracy, the lecture's elastic net − L2 λ = 0.01", test["l2@0.01"], test["enet-lecture"]),
    }
    adjusted = family.adjust()
    rows = []
    for key in arms:
        e = entries[key]
        mark = "chosen on validation loss" if key in chosen.values() else ""
        rows.append([arms.label(key), fmt(e["test"]), fmt(e["bayes"]), fmt(stat(val_loss[key])), fmt(e["exact_zero"]),
                     fmt(e["near_zero"]), fmt(e["l1"], 1), fmt(e["l2"], 2), fmt(e["dead_units"]), mark])  # fmt: skip
    shown = [k for k in SHOWN if k in arms]
    layer = lambda k: arms.results(k)[0].kernels[min(1, len(arms.results(k)[0].kernels) - 2)].ravel()  # noqa: E731
    hist = {arms.label(k): pack(layer(k), "float32") for k in shown if k != "enet-lecture"}  # four panels: two full rows
    summaries = [{**entries[k], "label": arms.label(k)} for k in arms]
    return {
        "table": {
            "columns": ["penalty", "test", "Bayes rule, same points", "validation loss", "exact zeros", "|w| < 1e-3", "Σ|w|", "‖w‖₂",
                        "dead units", ""],
            "rows": rows,
        },  # fmt: skip
        "figures": {
            "histograms": hist,
            "sparsity": {arms.label(k): {"exact": mean(entries[k]["exact_zero"]), "near": mean(entries[k]["near_zero"])} for k in shown},
            "steps": {step: arms.label(k) for step, k in (("proximal", "l1@0.001"), ("subgradient", "l1-subgradient"))
                      if k in shown},  # L1's two steps at the same λ, among the bars
        },
        "numbers": {k: {**entries[k], "label": arms.label(k)} for k in shown},
        "tests": {**tests, "matched_choice": {f: {"key": k, "label": arms.label(k)} for f, k in chosen.items()}},
        "family": adjusted,
        "conclusion": sparsity_prose(entries, tests) + matched_prose(chosen, tests, arms.label) + above_bayes(summaries),
        "headline": (
            f"Exact zeros: proximal L1 {mean(entries['l1@0.001']['exact_zero']):.0%}, subgradient L1 "
            f"{mean(entries['l1-subgradient']['exact_zero']):.0%}, L2 {mean(entries['l2@0.01']['exact_zero']):.0%}; "
            f"at matched strength L1 vs L2: {said(tests['l1_vs_l2'])}; elastic net vs L2: {said(tests['enet_vs_l2'])}."
        ),
    }


PENALTIES = Section("penalties", "L1 vs L2 vs elastic net", penalty_arms, penalties, figures.penalties)
