"""Weight penalties with Keras's λ convention, and the one rule of which tensors they touch.

The penalty is added to the *batch-mean* data loss, with no ½ and no 1/n:

* ``L1(lam)``:        ``lam · Σ|w|``
* ``L2(lam)``:        ``lam · Σ w²``
* ``L1L2(l1, l2)``:   ``l1 · Σ|w| + l2 · Σ w²``   (elastic net)

Conversions to other conventions (plain SGD, penalty on kernels only):

* PyTorch ``SGD(weight_decay=wd)`` equals ``L2(wd / 2)``; TensorFlow Playground's rate is ``2λ`` as well.
* scikit-learn ``MLPClassifier(alpha=a)`` adds ``a / (2·n_batch) · Σw²`` over every kernel, the output's
  included, so ``alpha = 2λ·batch_size`` with ``regularize_output=True``.
* The lecture's ``(λ/2n)·Σw²`` is ``L2(λ / (2n))``.

Only the kernels of hidden layers are penalised by default; the output kernel only when asked;
a bias never (:func:`penalized_parameters`). Decoupled weight decay (AdamW's ``w ← w − lr·wd·w``)
is a separate setting of the run, never an L2 penalty.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from reglab.errors import ConfigError
from reglab.rules import NON_NEGATIVE

__all__ = [
    "CONVENTION",
    "CONVERSIONS",
    "L1",
    "L1L2",
    "L2",
    "LAMBDA_KINDS",
    "NoPenalty",
    "PENALTY_KINDS",
    "Regularizer",
    "lecture_lambda_of",
    "make_regularizer",
    "penalized_parameters",
    "penalty_gradient",
    "penalty_value",
    "sklearn_alpha_of",
    "soft_threshold",
    "weight_decay_of",
]


def _check_strength(value: float, name: str, owner: str) -> float:
    """A strength is a finite float >= 0 (:data:`reglab.rules.NON_NEGATIVE`)."""
    return NON_NEGATIVE.check(name, value, owner)


class _Penalty(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @property
    def l1(self) -> float:
        """Coefficient of Σ|w|."""
        return 0.0

    @property
    def l2(self) -> float:
        """Coefficient of Σw²."""
        return 0.0


class NoPenalty(_Penalty):
    """No penalty: the loss is the data loss alone."""

    kind: Literal["none"] = "none"


class L1(_Penalty):
    """Adds ``lam · Σ|w|`` over the penalised kernels (Keras ``regularizers.l1(lam)``)."""

    kind: Literal["l1"] = "l1"
    lam: float = 0.01

    @field_validator("lam", mode="before")
    @classmethod
    def _valid(cls, v: object) -> float:
        return _check_strength(v, "lam", "L1")  # type: ignore[arg-type]

    @property
    def l1(self) -> float:
        return self.lam


class L2(_Penalty):
    """Adds ``lam · Σw²`` over the penalised kernels (Keras ``regularizers.l2(lam)``); gradient ``2·lam·w``."""

    kind: Literal["l2"] = "l2"
    lam: float = 0.01

    @field_validator("lam", mode="before")
    @classmethod
    def _valid(cls, v: object) -> float:
        return _check_strength(v, "lam", "L2")  # type: ignore[arg-type]

    @property
    def l2(self) -> float:
        return self.lam


class L1L2(_Penalty):
    """Elastic net: adds ``l1 · Σ|w| + l2 · Σw²`` (Keras ``regularizers.l1_l2(l1, l2)``)."""

    kind: Literal["l1l2"] = "l1l2"
    l1_lam: float = Field(0.01, alias="l1")
    l2_lam: float = Field(0.01, alias="l2")
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @field_validator("l1_lam", mode="before")
    @classmethod
    def _valid_l1(cls, v: object) -> float:
        return _check_strength(v, "l1", "L1L2")  # type: ignore[arg-type]

    @field_validator("l2_lam", mode="before")
    @classmethod
    def _valid_l2(cls, v: object) -> float:
        return _check_strength(v, "l2", "L1L2")  # type: ignore[arg-type]

    @property
    def l1(self) -> float:
        return self.l1_lam

    @property
    def l2(self) -> float:
        return self.l2_lam


Regularizer = Annotated[Union[NoPenalty, L1, L2, L1L2], Field(discriminator="kind")]
"""Any of the penalties; serialises with a ``kind`` tag so configs round-trip through JSON."""

PENALTY_KINDS = tuple(p.model_fields["kind"].default for p in (NoPenalty, L1, L2, L1L2))  # none, l1, l2, l1l2
LAMBDA_KINDS = tuple(p.model_fields["kind"].default for p in (NoPenalty, L1, L2, L1L2) if "lam" in p.model_fields)  # one λ: l1, l2
DEFAULT_STRENGTH = L2.model_fields["lam"].default  # λ of l1 or l2 (and of l1l2's parts) when none is given
CONVENTION = (
    "L2(λ) adds λ·Σw² and L1(λ) adds λ·Σ|w| to the batch-mean data loss (Keras's convention: no ½, no 1/n), "
    "on the hidden kernels only unless the output layer is asked for; a bias is never penalised"
)  # the λ convention in words, as every page, report and message states it
CONVERSIONS = {  # the same λ in other tools' terms (derived in the module docstring), as pages and reports state them
    "pytorch": "PyTorch SGD weight_decay = 2λ",
    "sklearn": "scikit-learn MLPClassifier alpha = 2λ·batch_size (scikit-learn also penalises the output kernel)",
    "playground": "TensorFlow Playground regularization rate = 2λ",
    "lecture": "the lecture's (λ/2n)·Σw² is L2(λ/2n)",
}


def weight_decay_of(l2: float) -> float:
    """PyTorch SGD's ``weight_decay`` (and TensorFlow Playground's rate) equal to ``L2(l2)``: ``2λ``."""
    return 2 * l2


def sklearn_alpha_of(l2: float, batch_size: int) -> float:
    """scikit-learn's ``alpha`` equal to ``L2(l2)`` at ``batch_size`` (its penalty is ``alpha/(2·batch)·Σw²``): ``2λ·batch``."""
    return 2 * l2 * batch_size


def lecture_lambda_of(l2: float, n_train: int) -> float:
    """The λ of the lecture's ``(λ/2n)·Σw²`` equal to ``L2(l2)`` on ``n_train`` training points: ``2n·λ``."""
    return 2 * n_train * l2


def make_regularizer(
    kind: str, lam: float | None = None, l1: float | None = None, l2: float | None = None
) -> NoPenalty | L1 | L2 | L1L2:
    """Builds a penalty from its kind: ``lam`` for ``l1``/``l2``; ``l1`` and ``l2`` for ``l1l2``.

    For ``l1l2`` a missing coefficient falls back to ``lam`` (so a λ sweep moves both together).
    """
    if kind == "none":
        return NoPenalty()
    default = DEFAULT_STRENGTH if lam is None else lam
    if kind == "l1":
        return L1(lam=default)
    if kind == "l2":
        return L2(lam=default)
    if kind == "l1l2":
        return L1L2(l1=default if l1 is None else l1, l2=default if l2 is None else l2)
    raise ConfigError(
        f"The 'penalty' parameter must be one of {', '.join(PENALTY_KINDS)}. Got {kind!r} instead."
    )


def penalized_parameters(n_layers: int, regularize_output: bool = False) -> list[bool]:
    """Which layers' kernels carry the penalty (and decoupled weight decay).

    ``n_layers`` counts every linear layer, the output included. Hidden kernels are always
    penalised, the output kernel only when ``regularize_output``; biases never, whatever the
    arguments: the returned flags are for kernels alone and no code path penalises a bias.
    """
    if n_layers < 1:
        raise ConfigError(f"The 'n_layers' parameter must be an int >= 1. Got {n_layers!r} instead.")
    return [i < n_layers - 1 or regularize_output for i in range(n_layers)]


def penalty_value(kernels: list[np.ndarray], penalty: _Penalty, flags: list[bool]) -> float:
    """``l1·Σ|w| + l2·Σw²`` over the kernels whose flag is set (NumPy, for checks and reports)."""
    total = 0.0
    for w, on in zip(kernels, flags):
        if on:
            total += penalty.l1 * float(np.abs(w).sum()) + penalty.l2 * float(np.square(w).sum())
    return total


def penalty_gradient(w: np.ndarray, penalty: _Penalty) -> np.ndarray:
    """Gradient of the penalty for one kernel: ``l1·sign(w) + 2·l2·w`` (sign(0) = 0, Keras's subgradient)."""
    return penalty.l1 * np.sign(w) + 2.0 * penalty.l2 * w


def soft_threshold(w: np.ndarray, threshold: float) -> np.ndarray:
    """Proximal step of ``threshold·Σ|w|``: ``sign(w)·max(|w| − threshold, 0)``, which gives exact zeros."""
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)
