"""Choosing a configuration by the one-standard-error rule.

Each candidate ``i`` has per-seed validation data losses ``v_i1 … v_iK``: mean ``m_i`` and standard
error ``se_i = s_i / √K`` (``s_i`` the sample standard deviation, ddof = 1; 0 when K = 1). With
``b = argmin m_i`` (ties: the first), the candidates within one standard error of the best are those
with ``m_i <= m_b + se_b``; among them the rule takes the *most regularized*: the largest λ, then the
largest dropout rate (λ of ``none`` is 0; ``l1l2`` uses λ for both of its coefficients), then the
lower mean loss. It trades a loss the seeds cannot tell apart from the best for a simpler model
(Breiman et al., *Classification and Regression Trees*, 1984; Hastie, Tibshirani and Friedman,
*The Elements of Statistical Learning*, §7.10).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["RULE", "Candidate", "Choice", "described", "one_standard_error", "standard_error", "strength"]

RULE = (
    "one-standard-error rule: among the configurations whose mean validation data loss is within one standard error "
    "(over seeds) of the best one's, the most regularized: the largest λ, then the largest dropout"
)


def standard_error(values: Sequence[float]) -> float:
    """``std(values, ddof=1) / √n``; 0 for a single value."""
    x = np.asarray(values, dtype=np.float64)
    return float(x.std(ddof=1) / math.sqrt(x.size)) if x.size > 1 else 0.0


def strength(params: dict[str, Any]) -> tuple[float, float]:
    """How regularized a configuration is, compared in this order: λ (0 for ``none``), dropout."""
    lam = 0.0 if params.get("penalty", "none") == "none" else float(params.get("lam", 0.0))
    return lam, float(params.get("dropout", 0.0))


def described(params: dict[str, Any]) -> str:
    """A configuration in words: ``l2 λ = 0.0032, dropout 0.21`` (``no penalty`` for ``none``)."""
    kind = params.get("penalty", "none")
    penalty = "no penalty" if kind == "none" else f"{kind} λ = {float(params.get('lam', 0.0)):.2g}"
    return f"{penalty}, dropout {float(params.get('dropout', 0.0)):.2f}"


@dataclass(frozen=True)
class Candidate:
    """A configuration's parameters and its per-seed validation data losses."""

    params: dict[str, Any]
    losses: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.losses))

    @property
    def se(self) -> float:
        return standard_error(self.losses)


@dataclass(frozen=True)
class Choice:
    best: int  # index of the lowest mean loss
    chosen: int  # index chosen by the rule
    threshold: float  # m_best + se_best
    within: tuple[int, ...]  # indices within one standard error of the best


def one_standard_error(candidates: Sequence[Candidate]) -> Choice:
    """The rule of the module docstring. Candidates with a non-finite loss (a diverged seed) never qualify."""
    finite = [i for i, c in enumerate(candidates) if c.losses and all(math.isfinite(v) for v in c.losses)]
    if not finite:
        raise ValueError("The 'candidates' parameter must hold at least one candidate with finite losses. Got none instead.")
    best = min(finite, key=lambda i: (candidates[i].mean, i))
    threshold = candidates[best].mean + candidates[best].se
    within = tuple(i for i in finite if candidates[i].mean <= threshold)
    chosen = max(within, key=lambda i: (*strength(candidates[i].params), -candidates[i].mean, -i))
    return Choice(best, chosen, threshold, within)
