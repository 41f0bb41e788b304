"""The training objective of every model of a stack: batch-mean data loss plus penalty.

For model ``m`` and a batch of ``B`` rows, with outputs ``z`` (logits or predictions) ``[B, K]``::

    objective_m = (1/B)·Σ_rows loss(z, y)  +  Σ_layers l1·Σ|W| + l2·ΣW²

Data losses, by task (the output non-linearity lives here, not in the network):

* ``binary``: cross-entropy on one logit, ``log(1 + e^z) − y·z``; ∂/∂z = ``sigmoid(z) − y``.
  Score: correct predictions (``z > 0`` against ``y``).
* ``multiclass``: categorical cross-entropy on K logits, ``−log softmax(z)_y``; ∂/∂z = ``softmax(z) − onehot(y)``.
  Score: correct predictions (arg-max).
* ``regression``: squared error ``(z − y)²`` (its batch mean is the MSE); ∂/∂z = ``2·(z − y)``.
  Score: Σ squared error (for R²).

The gradient returned is that of the batch *mean*, so it carries the 1/B.

Penalty, Keras's convention (no ½, no 1/n): ``L2(λ)`` adds ``λ·ΣW²`` and ``L1(λ)`` adds ``λ·Σ|W|``
to the batch-mean data loss, ``L1L2`` both. It covers the kernels of hidden layers, the output kernel
only with ``regularize_output``, and never a bias (the coefficients are 0 elsewhere: see
:class:`reglab.engine.coefficients.Coefficients`). Its gradient ``2·l2·W`` is always part of the
gradient; the L1 part ``l1·sign(W)`` (sign(0) = 0) is part of it only for the *subgradient* method.
The *proximal* method leaves L1 out of the gradient and soft-thresholds after the step instead
(:mod:`reglab.engine.optim`); the penalty's *value* counts L1 under either method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from reglab.engine.coefficients import Coefficients, gather

__all__ = ["LOSSES", "data_loss", "penalty_gradient_", "penalty_value"]

LossResult = tuple[torch.Tensor | None, torch.Tensor, torch.Tensor]


def _binary(out: torch.Tensor, y: torch.Tensor, need_grad: bool) -> LossResult:
    yf = y.to(out.dtype).unsqueeze(2)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(out, yf, reduction="none").sum(dim=(1, 2))
    score = ((out > 0) == (yf > 0.5)).sum(dim=(1, 2)).to(out.dtype)
    grad = torch.sigmoid(out).sub_(yf).div_(out.shape[1]) if need_grad else None
    return grad, loss, score


def _multiclass(out: torch.Tensor, y: torch.Tensor, need_grad: bool) -> LossResult:
    logp = torch.log_softmax(out, dim=2)
    loss = -logp.gather(2, y.unsqueeze(2)).sum(dim=(1, 2))
    score = (out.argmax(dim=2) == y).sum(dim=1).to(out.dtype)
    grad = None
    if need_grad:
        grad = logp.exp_()
        grad.scatter_add_(2, y.unsqueeze(2), torch.full_like(grad[:, :, :1], -1.0)).div_(out.shape[1])
    return grad, loss, score


def _squared_error(out: torch.Tensor, y: torch.Tensor, need_grad: bool) -> LossResult:
    err = out - y.unsqueeze(2)
    loss = err.square().sum(dim=(1, 2))
    grad = err.mul_(2.0 / out.shape[1]) if need_grad else None
    return grad, loss, loss


LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor, bool], LossResult]] = {
    "binary": _binary,
    "multiclass": _multiclass,
    "regression": _squared_error,
}


def data_loss(task: str, out: torch.Tensor, y: torch.Tensor, need_grad: bool = False) -> LossResult:
    """``(∂(batch-mean loss)/∂out or None, per-model Σ loss, per-model Σ score)`` for outputs ``[M, B, K]``.

    ``y`` is ``[M, B]``: class indices (classification) or targets (regression).
    """
    return LOSSES[task](out, y, need_grad)


def penalty_value(kernels: Sequence[torch.Tensor], coefficients: Coefficients) -> torch.Tensor:
    """``Σ_layers l1·Σ|W| + l2·ΣW²`` per model ``[M]``, for stacked kernels ``[M, fan_in, fan_out]``."""
    w0 = kernels[0]
    total = torch.zeros(w0.shape[0], dtype=w0.dtype, device=w0.device)
    for layer, w in enumerate(kernels):
        if coefficients.any_l1[layer]:
            total += coefficients.l1[layer] * w.abs().sum(dim=(1, 2))
        if coefficients.any_l2[layer]:
            total += coefficients.l2[layer] * torch.linalg.vector_norm(w, 2, dim=(1, 2)).square()  # no w² temporary
    return total


def penalty_gradient_(kernels: Sequence[torch.Tensor], kernel_grads: Sequence[torch.Tensor], coefficients: Coefficients) -> None:
    """Overwrites each kernel's gradient buffer with the penalty's gradient ``l1_sub·sign(W) + 2·l2·W``.

    Zeros where a layer carries no gradient penalty, so that the data gradient can be accumulated on top.
    When only some models carry a subgradient L1, ``sign`` runs over those models alone, with the same
    element-wise operations as over a whole stack (a model's numbers do not depend on its neighbours).
    """
    for layer, (w, g) in enumerate(zip(kernels, kernel_grads)):
        l1 = coefficients.l1_sub[layer] if coefficients.any_l1_sub[layer] else None
        l2 = coefficients.l2x2[layer] if coefficients.any_l2[layer] else None
        rows = coefficients.l1_sub_rows[layer]
        if l1 is not None and rows is None:  # every model at once
            _l1_l2(w, g, l1, l2)
            continue
        if l2 is None:  # the L2 part of every model (or nothing) ...
            g.zero_()
        else:
            torch.mul(w, l2, out=g)
        if l1 is not None:  # ... then the few models with a subgradient L1, whole
            w_rows, l1_rows, l2_rows = gather(rows, w, l1, l2)
            sub = torch.empty_like(w_rows)
            _l1_l2(w_rows, sub, l1_rows, l2_rows)
            g.index_copy_(0, rows, sub)


def _l1_l2(w: torch.Tensor, out: torch.Tensor, l1: torch.Tensor, l2x2: torch.Tensor | None) -> None:
    """``out = l1·sign(w) (+ l2x2·w)`` in place, no temporary."""
    torch.sign(w, out=out)
    out.mul_(l1)
    if l2x2 is not None:
        out.addcmul_(w, l2x2)
