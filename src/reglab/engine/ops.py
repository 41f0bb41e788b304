"""The few private torch operations the engine relies on for speed, each with a plain-torch fallback.

* ``fused_adam_``: ``torch._fused_adam_``, one pass over a flat buffer (PyTorch's Adam, no weight
  decay, no amsgrad), else the same update written with ordinary ops.
* ``activation_``: ``torch.ops.aten.gelu.out`` writes GELU into a preallocated buffer, else
  ``copy_`` of ``torch.nn.functional.gelu``; the other activations use public ``out=`` forms, and
  ``linear`` (the identity, TF Playground's "Linear") leaves the pre-activation as it is.
* ``activation_backward_``: the ``grad_input`` overloads of ``aten.*_backward`` write
  ``grad·act'(·)`` into a preallocated buffer, else the same derivative written out:
  ReLU ``grad·[out > 0]``, tanh ``grad·(1 − out²)``, sigmoid ``grad·out·(1 − out)``,
  GELU (exact, erf form) ``grad·(Φ(x) + x·φ(x))`` on the pre-activation ``x``; linear ``grad`` itself.

Each activation's pair lives in :data:`ACTIVATION_FORWARD` and :data:`ACTIVATION_BACKWARD`, keyed by the
names of :data:`reglab.rules.ACTIVATIONS`.

Whether each private operation exists is detected once, at import, into the flags below; a test
turns them off to check that both paths give the same training (to 1e-12 in float64).
"""

from __future__ import annotations

import math

import torch

__all__ = [
    "ACTIVATION_BACKWARD", "ACTIVATION_FORWARD", "FUSED_ADAM", "GELU_OUT", "GRAD_INPUT", "activation_", "activation_backward_",
    "fused_adam_",
]  # fmt: skip

_aten = torch.ops.aten
FUSED_ADAM = hasattr(torch, "_fused_adam_")
GELU_OUT = hasattr(_aten.gelu, "out")
GRAD_INPUT = all(
    hasattr(getattr(_aten, f"{name}_backward", None), "grad_input") for name in ("threshold", "tanh", "sigmoid", "gelu")
)

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def fused_adam_(
    params: torch.Tensor, grads: torch.Tensor, exp_avg: torch.Tensor, exp_avg_sq: torch.Tensor,
    step: int, lr: float, betas: tuple[float, float], eps: float,
) -> None:  # fmt: skip
    """PyTorch's Adam step in place on flat buffers; ``step`` counts from 1.

    ``m ← β1·m + (1−β1)·g``; ``v ← β2·v + (1−β2)·g²``;
    ``θ ← θ − lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + ε)``.
    """
    if FUSED_ADAM:
        step_t = torch.tensor(float(step), device=params.device)
        torch._fused_adam_(
            [params], [grads], [exp_avg], [exp_avg_sq], [], [step_t],
            lr=lr, beta1=betas[0], beta2=betas[1], weight_decay=0.0, eps=eps, amsgrad=False, maximize=False,
        )  # fmt: skip
        return
    exp_avg.lerp_(grads, 1 - betas[0])
    exp_avg_sq.mul_(betas[1]).addcmul_(grads, grads, value=1 - betas[1])
    correction1, correction2 = 1 - betas[0] ** step, 1 - betas[1] ** step
    denom = (exp_avg_sq.sqrt() / math.sqrt(correction2)).add_(eps)
    params.addcdiv_(exp_avg, denom, value=-lr / correction1)


def _relu_(pre: torch.Tensor, out: torch.Tensor) -> None:
    torch.relu_(pre)


def _tanh_(pre: torch.Tensor, out: torch.Tensor) -> None:
    torch.tanh(pre, out=out)


def _sigmoid_(pre: torch.Tensor, out: torch.Tensor) -> None:
    torch.sigmoid(pre, out=out)


def _gelu_(pre: torch.Tensor, out: torch.Tensor) -> None:
    if GELU_OUT:
        _aten.gelu.out(pre, out=out)
    else:
        out.copy_(torch.nn.functional.gelu(pre))


def _linear_(pre: torch.Tensor, out: torch.Tensor) -> None:
    pass


def _relu_backward_(grad: torch.Tensor, out: torch.Tensor, pre: torch.Tensor, result: torch.Tensor) -> None:
    if GRAD_INPUT:
        _aten.threshold_backward.grad_input(grad, out, 0, grad_input=result)
    else:
        torch.where(out > 0, grad, torch.zeros((), dtype=grad.dtype, device=grad.device), out=result)


def _tanh_backward_(grad: torch.Tensor, out: torch.Tensor, pre: torch.Tensor, result: torch.Tensor) -> None:
    if GRAD_INPUT:
        _aten.tanh_backward.grad_input(grad, out, grad_input=result)
    else:
        torch.mul(grad, 1 - out * out, out=result)


def _sigmoid_backward_(grad: torch.Tensor, out: torch.Tensor, pre: torch.Tensor, result: torch.Tensor) -> None:
    if GRAD_INPUT:
        _aten.sigmoid_backward.grad_input(grad, out, grad_input=result)
    else:
        torch.mul(grad, out * (1 - out), out=result)


def _gelu_backward_(grad: torch.Tensor, out: torch.Tensor, pre: torch.Tensor, result: torch.Tensor) -> None:
    if GRAD_INPUT:
        _aten.gelu_backward.grad_input(grad, pre, grad_input=result)
    else:
        cdf = torch.erf(pre * _SQRT_HALF).add_(1).mul_(0.5)
        torch.mul(grad, cdf.add_(pre * torch.exp(pre * pre * -0.5) * _INV_SQRT_2PI), out=result)


def _linear_backward_(grad: torch.Tensor, out: torch.Tensor, pre: torch.Tensor, result: torch.Tensor) -> None:
    if result is not grad:
        result.copy_(grad)


# each activation of reglab.rules.ACTIVATIONS, forward and backward (a test holds that the names agree)
ACTIVATION_FORWARD = {"relu": _relu_, "tanh": _tanh_, "sigmoid": _sigmoid_, "gelu": _gelu_, "linear": _linear_}
ACTIVATION_BACKWARD = {
    "relu": _relu_backward_, "tanh": _tanh_backward_, "sigmoid": _sigmoid_backward_, "gelu": _gelu_backward_,
    "linear": _linear_backward_,
}  # fmt: skip


def activation_(name: str, pre: torch.Tensor, out: torch.Tensor) -> None:
    """``out ← act(pre)``; for ReLU and linear ``out`` is ``pre`` itself (in place: their backward needs only outputs)."""
    ACTIVATION_FORWARD[name](pre, out)


def activation_backward_(name: str, grad: torch.Tensor, out: torch.Tensor, pre: torch.Tensor, result: torch.Tensor) -> None:
    """``result ← grad·act'`` from the activation's output ``out`` (or, for GELU, its input ``pre``).

    ``result`` may be ``grad`` itself.
    """
    ACTIVATION_BACKWARD[name](grad, out, pre, result)
