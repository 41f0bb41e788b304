"""The captions of the lecture report that state a finding, each built from the numbers saved with its figure.

Other numbers give another caption: a caption never asserts what the data did not show. Each function takes the plain
numbers a section saved (``results.json``); the drawings of :mod:`reglab.views.report.figures` call them and, for a
``results.json`` without those numbers (an earlier version), state no finding.
"""

from __future__ import annotations

import numpy as np

__all__ = ["decay_caption", "evolution_caption", "output_caption", "sparsity_caption"]


def evolution_caption(strip: dict) -> str:
    difference = strip.get("loss_difference")  # retrained runs vs the full run's first epochs
    if difference is None:
        agree = ""
    elif difference == 0:
        agree = ": their training losses are identical"
    else:
        agree = f": their training losses agree to within {difference:.1g}"
    return (
        f"Seed {strip['seed']} of each model, trained again from the start up to each epoch shown: same seed, batches and constant "
        f"learning rate, so the same path as the full run, whose boundary is the last column{agree}. "
        "Background P(class 1) and black line P = 0.5, as above."
    )


def output_caption(output_std: list[list[float]]) -> str:
    """How many seeds' output-layer std rose from the first model to the second (``output_std[k][i]``: seed i, model k)."""
    pairs = [(a, b) for a, b in zip(*output_std) if np.isfinite(a) and np.isfinite(b)]
    rose = sum(b > a for a, b in pairs)
    return (
        "One line per seed (vermillion where it rises). The output layer is not penalised; with L2 on the hidden kernels its "
        f"std rises on {rose} of {len(pairs)} seeds."
    )


def sparsity_caption(sparsity: dict, steps: dict | None) -> str:
    """The exact zeros of L1's two steps, read from the bars' numbers; ``steps`` names the bar of each step
    (``{"proximal": label, "subgradient": label}``)."""
    text = "Mean fraction over seeds."
    if not steps or set(steps) != {"proximal", "subgradient"}:
        return text
    prox, sub = sparsity[steps["proximal"]], sparsity[steps["subgradient"]]
    return (
        f"{text} The proximal L1 step sets {prox['exact']:.0%} of the hidden weights exactly to zero, the subgradient step "
        f"{sub['exact']:.0%} (and {sub['near']:.0%} near zero)."
    )


def decay_caption(pairs: list[dict], window: int) -> str:
    """Whether each pair of models ends at the same weights, from its largest weight difference over all parameters and
    seeds: ``{"models": [a, b], "max_difference", "rounding"}``, the same (and so the same curves) below ``rounding``;
    the curves are smoothed over ``window`` epochs."""
    said = []
    for pair in pairs:
        (a, b), difference = pair["models"], pair["max_difference"]
        if difference < pair["rounding"]:
            said.append(f"{a} and {b} end at the same weights (to {difference:.0e}), so they draw the same curves")
        else:
            said.append(f"{a} and {b} end at different weights (up to {difference:.2g} apart)")
    found = "".join(f" {sentence}." for sentence in said)
    return f"Seed 0 of each optimizer and regularizer, smoothed over {window} epochs (the faint line is the raw validation loss).{found}"
