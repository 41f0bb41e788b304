"""Per-model coefficients of a stack, as columns ready to broadcast against stacked tensors.

Model ``m`` of the stack trains with ``configs[m]``. A column has one value per model, shaped
``[M, 1, 1]`` to multiply a stacked kernel ``[M, fan_in, fan_out]`` (or ``[M]`` where noted). The
object is frozen: when the active runs or their hyperparameters change, a new one is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from reglab.config import RunConfig
from reglab.regularizers import penalized_parameters

__all__ = ["Coefficients", "gather"]


@dataclass(frozen=True)
class Coefficients:
    """What every model of the stack multiplies by; layer lists run input to output.

    ``penalized`` kernels are those of :func:`reglab.regularizers.penalized_parameters`; on the
    others every penalty and decay coefficient is 0 (decay factor 1).
    """

    lr: torch.Tensor  # learning rate, [M, 1, 1]
    uniform_lr: float | None  # the learning rate as a float (rounded to the stack's dtype) when all models share it
    l2x2: tuple[torch.Tensor, ...]  # 2·l2 on penalised kernels: the L2 gradient is l2x2·W, [M, 1, 1] per layer
    l1_sub: tuple[torch.Tensor, ...]  # l1 where L1 is a subgradient: its gradient is l1_sub·sign(W)
    l1_sub_rows: tuple[torch.Tensor | None, ...]  # per layer: positions of the models with a subgradient L1 there (None: all)
    l1_prox: tuple[torch.Tensor, ...]  # lr·l1 where L1 is proximal: the soft-threshold of an SGD step
    l1_prox_rows: tuple[torch.Tensor | None, ...]  # per layer: positions of the few models with a proximal L1 there (None: all)
    decay: tuple[torch.Tensor, ...]  # 1 − lr·weight_decay: decoupled decay w ← decay·w
    decay_rows: tuple[torch.Tensor | None, ...]  # per layer: positions of the models that decay there (None: all)
    l1: tuple[torch.Tensor, ...]  # l1 on penalised kernels, [M] per layer (the penalty's value)
    l2: tuple[torch.Tensor, ...]  # l2 on penalised kernels, [M] per layer
    dropout: tuple[float, ...]  # dropout rate per model
    drop_scale: torch.Tensor  # 1 / (1 − dropout), [M, 1, 1]
    noise: tuple[float, ...]  # std of the input jitter per model
    momentum: torch.Tensor  # SGD momentum, [M, 1, 1]
    any_l1: tuple[bool, ...]  # per layer: does some model carry L1 there (either method)
    any_l2: tuple[bool, ...]
    any_l1_sub: tuple[bool, ...]
    any_l1_prox: tuple[bool, ...]
    any_decay: tuple[bool, ...]
    any_dropout: bool
    any_noise: bool
    any_momentum: bool

    @property
    def n_models(self) -> int:
        return len(self.dropout)

    @classmethod
    def from_configs(cls, configs: Sequence[RunConfig], n_layers: int, dtype: torch.dtype, device: torch.device | str) -> Coefficients:
        """The coefficients of models trained with ``configs`` (in stack order), ``n_layers`` linear layers each."""
        cfg = list(configs)
        col = lambda vals: torch.tensor(vals, dtype=dtype, device=device).view(-1, 1, 1)  # noqa: E731
        flags = [penalized_parameters(n_layers, c.regularize_output) for c in cfg]
        l2x2, l1_sub, l1_prox, decay, l1, l2 = [], [], [], [], [], []
        for layer in range(n_layers):
            on = [f[layer] for f in flags]
            l2x2.append(col([2 * c.penalty.l2 * o for c, o in zip(cfg, on)]))
            l1_sub.append(col([c.penalty.l1 * o * (c.l1_method == "subgradient") for c, o in zip(cfg, on)]))
            l1_prox.append(col([c.lr * c.penalty.l1 * o * (c.l1_method == "proximal") for c, o in zip(cfg, on)]))
            decay.append(col([1 - c.lr * c.decay * o for c, o in zip(cfg, on)]))
            l1.append(col([c.penalty.l1 * o for c, o in zip(cfg, on)]).view(-1))
            l2.append(col([c.penalty.l2 * o for c, o in zip(cfg, on)]).view(-1))
        lr = col([c.lr for c in cfg])
        momentum = col([c.momentum for c in cfg])
        dropout = tuple(c.dropout for c in cfg)
        noise = tuple(c.input_noise for c in cfg)
        return cls(
            lr=lr,
            uniform_lr=float(lr.view(-1)[0]) if len({c.lr for c in cfg}) == 1 else None,
            l2x2=tuple(l2x2),
            l1_sub=tuple(l1_sub),
            l1_prox=tuple(l1_prox),
            decay=tuple(decay),
            l1=tuple(l1),
            l2=tuple(l2),
            dropout=dropout,
            drop_scale=col([1 / (1 - c.dropout) for c in cfg]),
            noise=noise,
            momentum=momentum,
            any_l1=tuple(bool(t.any()) for t in l1),
            any_l2=tuple(bool(t.any()) for t in l2x2),
            any_l1_sub=tuple(bool(t.any()) for t in l1_sub),
            any_l1_prox=tuple(bool(t.any()) for t in l1_prox),
            l1_prox_rows=tuple(_rows(t, at_most=0.5) for t in l1_prox),
            l1_sub_rows=tuple(_rows(t, at_most=0.25) for t in l1_sub),
            decay_rows=tuple(_rows(1 - t, at_most=0.25) for t in decay),
            any_decay=tuple(bool((t != 1).any()) for t in decay),
            any_dropout=any(dropout),
            any_noise=any(noise),
            any_momentum=bool(momentum.any()),
        )


def _rows(column: torch.Tensor, at_most: float) -> torch.Tensor | None:
    """Positions of the models whose coefficient in ``column`` is non-zero when they are at most the fraction
    ``at_most`` of the stack; else None (the step runs over every model). Gathering and scattering those
    models costs a few passes over their weights, so below that fraction it beats a pass over all of them
    (measured: with half of the models carrying a subgradient L1, gathering made an epoch 18 % slower)."""
    rows = column.view(-1).nonzero().view(-1)
    return rows if len(rows) <= at_most * len(column) else None


def gather(rows: torch.Tensor | None, *tensors: torch.Tensor | None) -> tuple[torch.Tensor | None, ...]:
    """The models ``rows`` of each stacked tensor (copies, first dimension), or the tensors themselves when ``rows``
    is None (every model); None stays None. Write results back with ``index_copy_(0, rows, ...)``."""
    return tuple(t if rows is None or t is None else t.index_select(0, rows) for t in tensors)
