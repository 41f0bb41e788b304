"""The update step of a stack: decoupled decay, SGD or Adam, and the proximal L1 step.

Everything acts on the stack's flat buffers or their per-layer views, model by model through
per-model coefficient columns ``[M, 1, 1]``, so a model's update never depends on its neighbours.

* Decoupled weight decay (AdamW's): ``w ← w·(1 − lr·wd)`` on the penalised kernels, before the step.
* SGD (heavy ball, PyTorch's form): ``b ← μ·b + g``; ``w ← w − lr·b`` (``b = g`` when μ = 0).
* Adam (PyTorch's, ``β = (0.9, 0.999)``, ``ε = 1e-8``): one fused call over the whole flat buffer.
* Proximal L1: ``w ← sign(w)·max(|w| − t, 0)`` with ``t = lr·l1`` for SGD and
  ``t = lr·l1 / (sqrt(v̂) + ε)`` for Adam, the proximal step in Adam's own diagonal metric: with the
  plain ``lr·l1``, Adam's normalised steps (≈ lr) would swamp any λ < 1 and nothing would reach
  zero. Either way a weight stays at zero exactly when its data gradient is weaker than ``l1``, as
  for the L1-penalised objective itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from reglab.engine.coefficients import Coefficients, gather
from reglab.engine.ops import fused_adam_
from reglab.engine.stack import StackedMLP

__all__ = ["ADAM_BETAS", "ADAM_EPS", "StackOptimizer", "adam_step", "decay_", "sgd_step", "soft_threshold_"]

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8  # PyTorch's default


def decay_(
    kernels: Sequence[torch.Tensor],
    factors: Sequence[torch.Tensor],
    active: Sequence[bool],
    rows: Sequence[torch.Tensor | None] | None = None,
) -> None:
    """``w ← w·factor`` per layer whose flag is set (factor ``1 − lr·wd`` per model, ``[M, 1, 1]``);
    ``rows[layer]`` (optional) lists the models whose factor is not 1, the only ones touched."""
    for layer, (w, factor, on) in enumerate(zip(kernels, factors, active)):
        if not on:
            continue
        pick = None if rows is None else rows[layer]
        target, factor = gather(pick, w, factor)
        target.mul_(factor)
        if pick is not None:
            w.index_copy_(0, pick, target)


def adam_step(
    params: torch.Tensor,
    grads: torch.Tensor,
    exp_avg: torch.Tensor,
    exp_avg_sq: torch.Tensor,
    step: int,
    lr: float | torch.Tensor,
    scratch: torch.Tensor | None = None,
) -> None:
    """One Adam step over flat buffers; ``step`` counts from 1.

    ``lr`` is a float, or a flat tensor of per-element learning rates (per-model rates spread over
    the layout); then the fused kernel writes ``−update`` into ``scratch`` and it is scaled after.
    """
    per_element = isinstance(lr, torch.Tensor)
    target = scratch.zero_() if per_element else params
    fused_adam_(target, grads, exp_avg, exp_avg_sq, step, 1.0 if per_element else float(lr), ADAM_BETAS, ADAM_EPS)
    if per_element:
        params.addcmul_(target, lr)


def sgd_step(
    params: Sequence[torch.Tensor],
    grads: Sequence[torch.Tensor],
    buffers: Sequence[torch.Tensor],
    lr: torch.Tensor,
    momentum: torch.Tensor | None,
) -> None:
    """One SGD step per tensor ``[M, ...]``; ``lr`` and ``momentum`` are per-model ``[M]`` columns."""
    for p, g, buf in zip(params, grads, buffers):
        shape = (-1,) + (1,) * (p.dim() - 1)
        if momentum is not None:
            buf.mul_(momentum.view(shape)).add_(g)
            g = buf
        p.addcmul_(g, lr.view(shape), value=-1.0)


def soft_threshold_(
    kernels: Sequence[torch.Tensor],
    thresholds: Sequence[torch.Tensor],
    active: Sequence[bool],
    exp_avg_sq: Sequence[torch.Tensor] | None = None,
    step: int = 1,
    rows: Sequence[torch.Tensor | None] | None = None,
) -> None:
    """The proximal L1 step in place; with Adam's second moments the threshold is divided by ``sqrt(v̂) + ε``.

    ``rows[layer]`` (optional) lists the models whose threshold is non-zero: only those are computed
    and written back, the others are untouched, as a zero threshold would leave them.
    """
    for layer, (w, threshold) in enumerate(zip(kernels, thresholds)):
        if not active[layer]:
            continue
        pick = None if rows is None else rows[layer]
        target, threshold, moments = gather(pick, w, threshold, None if exp_avg_sq is None else exp_avg_sq[layer])
        if moments is not None:
            correction = 1 - ADAM_BETAS[1] ** step
            threshold = moments.div(correction).sqrt_().add_(ADAM_EPS).reciprocal_().mul_(threshold)
        shrunk = torch.abs(target).sub_(threshold).clamp_(min=0)
        target.sign_().mul_(shrunk)
        if pick is not None:
            w.index_copy_(0, pick, target)


class StackOptimizer:
    """The optimiser of one stack: its moments, its step count and the update step.

    ``moment1`` is Adam's first moment or SGD's momentum buffer, ``moment2`` Adam's second moment
    (None for SGD), both flat buffers in the stack's layout. :meth:`step` applies, in order,
    decoupled decay, the SGD or Adam step and the proximal L1 step (see the module docstring).
    """

    def __init__(self, stack: StackedMLP, sgd: bool) -> None:
        self.sgd = sgd
        self.step_count = 0
        self.moment1 = stack.new_flat()
        self.moment2 = None if sgd else stack.new_flat()
        self._rates: torch.Tensor | None = None  # per-element learning rates (Adam with several rates)
        self._rates_of: Coefficients | None = None  # the coefficients those rates were spread from
        self._scratch: torch.Tensor | None = None  # where the fused Adam writes −update before scaling

    def step(self, stack: StackedMLP, coefficients: Coefficients) -> None:
        """One update of every model of ``stack`` from the gradients in ``stack.grads``."""
        self.step_count += 1
        decay_(stack.kernels, coefficients.decay, coefficients.any_decay, coefficients.decay_rows)
        if self.sgd:
            params = sum(stack.views(stack.params), [])
            momentum = coefficients.momentum if coefficients.any_momentum else None
            sgd_step(params, stack.kernel_grads + stack.bias_grads, sum(stack.views(self.moment1), []), coefficients.lr, momentum)
        elif coefficients.uniform_lr is not None:
            adam_step(stack.params, stack.grads, self.moment1, self.moment2, self.step_count, coefficients.uniform_lr)
        else:
            rates, scratch = self._per_element_rates(stack, coefficients)
            adam_step(stack.params, stack.grads, self.moment1, self.moment2, self.step_count, rates, scratch)
        if any(coefficients.any_l1_prox):
            moments = stack.views(self.moment2)[0] if self.moment2 is not None else None
            soft_threshold_(
                stack.kernels, coefficients.l1_prox, coefficients.any_l1_prox, moments, self.step_count, coefficients.l1_prox_rows
            )

    def _per_element_rates(self, stack: StackedMLP, coefficients: Coefficients) -> tuple[torch.Tensor, torch.Tensor]:
        """Each model's learning rate spread over its parameters, and a scratch buffer of the same size."""
        if self._rates_of is not coefficients or self._rates.numel() != stack.params.numel():
            self._rates = stack.new_flat()
            lr = coefficients.lr.view(-1)
            kernels, biases = stack.views(self._rates)
            for t in kernels + biases:
                t.copy_(lr.view(-1, *([1] * (t.dim() - 1))).expand_as(t))
            self._rates_of = coefficients
        if self._scratch is None or self._scratch.numel() != stack.params.numel():
            self._scratch = stack.new_flat()
        return self._rates, self._scratch

    def select(self, stack: StackedMLP, positions: torch.Tensor) -> None:
        """Keeps only the moments of models ``positions`` of ``stack`` (the stack before it is compacted)."""
        self.moment1 = stack.select_flat(self.moment1, positions)
        if self.moment2 is not None:
            self.moment2 = stack.select_flat(self.moment2, positions)
        self._rates = self._rates_of = self._scratch = None

    def state_dict(self) -> dict:
        return {
            "step_count": self.step_count,
            "moment1": self.moment1.clone(),
            "moment2": None if self.moment2 is None else self.moment2.clone(),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restores a :meth:`state_dict`; the moments are copied to this optimiser's dtype and device."""
        like = self.moment1
        self.step_count = state["step_count"]
        self.moment1 = state["moment1"].to(like.device, like.dtype).clone()
        self.moment2 = None if state["moment2"] is None else state["moment2"].to(like.device, like.dtype).clone()
        self._rates = self._rates_of = self._scratch = None
