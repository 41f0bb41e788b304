"""The search space of a tuning study: which penalty kinds, the λ range (log scale) and the dropout range.

A trial's parameters, as Optuna stores them:

* ``penalty``: one of the kinds (categorical, even when only one kind is searched, so that every
  trial of a study has the same parameters);
* ``lam``: λ drawn on a log scale in ``[lam_low, lam_high]`` when a kind other than ``none`` is
  searched; ``l1`` and ``l2`` use it as their λ, ``l1l2`` as both of its coefficients
  (:func:`reglab.regularizers.make_regularizer`), ``none`` ignores it;
* ``dropout``: drawn uniformly in ``[dropout_low, dropout_high]`` when that range is not a single
  value (a single value is applied to every trial and is not a parameter).

A grid (``--sampler grid``, and the shared sweep) takes :data:`LAM_GRID_POINTS` λ values evenly spaced
on a log scale, both bounds included, and :data:`DROPOUT_GRID_POINTS` evenly spaced dropout rates.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from reglab.config import RunConfig
from reglab.errors import OptionError
from reglab.regularizers import LAMBDA_KINDS, PENALTY_KINDS, make_regularizer

if TYPE_CHECKING:  # optuna is imported by the modules that run a study, not by the command line's parsing
    import optuna

__all__ = ["DROPOUT_GRID_POINTS", "LAM_GRID_POINTS", "SearchSpace", "parse_dropout_range", "parse_lam_range", "parse_penalties"]

LAM_GRID_POINTS = 5
DROPOUT_GRID_POINTS = 3


@dataclass(frozen=True)
class SearchSpace:
    """Penalty kinds × λ ∈ [lam_low, lam_high] (log scale) × dropout ∈ [dropout_low, dropout_high]."""

    penalties: tuple[str, ...] = LAMBDA_KINDS  # kinds searched (of PENALTY_KINDS); by default those of one λ: l1, l2
    lam_low: float = 1e-5  # > 0: λ is searched on a log scale
    lam_high: float = 1.0  # >= lam_low
    dropout_low: float = 0.0  # in [0, 1)
    dropout_high: float = 0.0  # in [dropout_low, 1); equal bounds: dropout fixed, not searched

    def __post_init__(self) -> None:
        kinds = tuple(self.penalties)
        if not kinds or any(k not in PENALTY_KINDS for k in kinds) or len(set(kinds)) != len(kinds):
            raise OptionError(f"The 'penalties' parameter must be distinct kinds among {', '.join(PENALTY_KINDS)}. Got {kinds!r} instead.")
        if not (finite(self.lam_low) and finite(self.lam_high) and 0 < self.lam_low <= self.lam_high):
            raise OptionError(
                f"The 'lam' range must satisfy 0 < low <= high (λ is searched on a log scale). "
                f"Got {self.lam_low!r}:{self.lam_high!r} instead."
            )
        if not (finite(self.dropout_low) and finite(self.dropout_high) and 0 <= self.dropout_low <= self.dropout_high < 1):
            raise OptionError(
                f"The 'dropout' range must satisfy 0 <= low <= high < 1. Got {self.dropout_low!r}:{self.dropout_high!r} instead."
            )

    @property
    def searches_lam(self) -> bool:
        return any(k != "none" for k in self.penalties)

    @property
    def searches_dropout(self) -> bool:
        return self.dropout_high > self.dropout_low

    def suggest(self, trial: optuna.Trial) -> dict[str, Any]:
        """The trial's parameters, drawn by the study's sampler."""
        params: dict[str, Any] = {"penalty": trial.suggest_categorical("penalty", list(self.penalties))}
        if self.searches_lam:
            params["lam"] = trial.suggest_float("lam", self.lam_low, self.lam_high, log=True)
        if self.searches_dropout:
            params["dropout"] = trial.suggest_float("dropout", self.dropout_low, self.dropout_high)
        return params

    def config(self, base: RunConfig, params: dict[str, Any]) -> RunConfig:
        """``base`` with the trial's penalty and dropout (the seed is the caller's)."""
        kind = params["penalty"]
        penalty = make_regularizer(kind, params.get("lam"))
        dropout = params.get("dropout", self.dropout_low)
        return base.replace(penalty=penalty.model_dump(by_alias=True), dropout=dropout)

    def grid(self) -> dict[str, list[Any]]:
        """The grid of ``GridSampler``: every kind, λ log-spaced, dropout evenly spaced."""
        points: dict[str, list[Any]] = {"penalty": list(self.penalties)}
        if self.searches_lam:
            n = LAM_GRID_POINTS if self.lam_high > self.lam_low else 1
            points["lam"] = [float(v) for v in np.geomspace(self.lam_low, self.lam_high, n)]
        if self.searches_dropout:
            points["dropout"] = [float(v) for v in np.linspace(self.dropout_low, self.dropout_high, DROPOUT_GRID_POINTS)]
        return points

    def grid_size(self) -> int:
        """How many points :meth:`grid` has: the most trials a grid search can train without repeating one."""
        return math.prod(len(values) for values in self.grid().values())

    def fingerprint(self) -> str:
        """The space as a JSON text, kept in the study so that a study is never resumed with another space."""
        return json.dumps(
            {"penalty": list(self.penalties), "lam": [self.lam_low, self.lam_high], "dropout": [self.dropout_low, self.dropout_high]},
            sort_keys=True,
        )

    def describe(self) -> str:
        lam, dropout = f"{self.lam_low:g}:{self.lam_high:g}", f"{self.dropout_low:g}:{self.dropout_high:g}"
        return f"penalty {','.join(self.penalties)}, λ {lam}, dropout {dropout}"


def finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def parse_bounds(option: str, text: str, expected: str) -> tuple[float, float]:
    """``LOW:HIGH`` (a single number means LOW = HIGH) as two finite floats, or an OptionError."""
    parts = re.split(r":", text.strip())
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        raise OptionError(f"The '{option}' option must be {expected}. Got {text!r} instead.")
    return values[0], values[1]


def parse_lam_range(text: str) -> tuple[float, float]:
    expected = "LOW:HIGH with 0 < LOW <= HIGH (λ is searched on a log scale), such as 1e-5:1"
    low, high = parse_bounds("--lam-range", text, expected)
    if not 0 < low <= high:
        raise OptionError(f"The '--lam-range' option must be {expected}. Got {text!r} instead.")
    return low, high


def parse_dropout_range(text: str) -> tuple[float, float]:
    expected = "LOW:HIGH with 0 <= LOW <= HIGH < 1, such as 0:0.5"
    low, high = parse_bounds("--dropout-range", text, expected)
    if not 0 <= low <= high < 1:
        raise OptionError(f"The '--dropout-range' option must be {expected}. Got {text!r} instead.")
    return low, high


def parse_penalties(text: str) -> tuple[str, ...]:
    """A comma-separated list of penalty kinds, in order, without repeats."""
    kinds = [k.strip() for k in text.split(",")]
    for kind in kinds:
        if kind not in PENALTY_KINDS:
            raise OptionError(
                f"The '--penalty' option must be one of {', '.join(PENALTY_KINDS)}, or a comma-separated list of them. "
                f"Got item {kind!r} of {text!r} instead."
            )
    return tuple(dict.fromkeys(kinds))
