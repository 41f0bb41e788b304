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

__all__ = ["ADAM_BETAS", "ADAM_EPS", "adam_step", "decay_", "sgd_step", "soft_threshold_"]

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8  # PyTorch's default


def decay_(kernels: Sequence[torch.Tensor], factors: Sequence[torch.Tensor], active: Sequence[bool]) -> None:
    """``w ← w·factor`` per layer whose flag is set (factor ``1 − lr·wd`` per model, ``[M, 1, 1]``)."""
    for w, factor, on in zip(kernels, factors, active):
        if on:
            w.mul_(factor)


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
    step_t = torch.tensor(float(step), device=params.device)
    per_element = isinstance(lr, torch.Tensor)
    target = scratch.zero_() if per_element else params
    torch._fused_adam_(
        [target], [grads], [exp_avg], [exp_avg_sq], [], [step_t],
        lr=1.0 if per_element else float(lr), beta1=ADAM_BETAS[0], beta2=ADAM_BETAS[1],
        weight_decay=0.0, eps=ADAM_EPS, amsgrad=False, maximize=False,
    )  # fmt: skip
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
) -> None:
    """The proximal L1 step in place; with Adam's second moments the threshold is divided by ``sqrt(v̂) + ε``."""
    for layer, (w, threshold) in enumerate(zip(kernels, thresholds)):
        if not active[layer]:
            continue
        if exp_avg_sq is not None:
            correction = 1 - ADAM_BETAS[1] ** step
            threshold = exp_avg_sq[layer].div(correction).sqrt_().add_(ADAM_EPS).reciprocal_().mul_(threshold)
        shrunk = torch.abs(w).sub_(threshold).clamp_(min=0)
        w.sign_().mul_(shrunk)
