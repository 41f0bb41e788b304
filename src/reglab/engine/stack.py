"""M independent MLPs of one shape, trained as one stacked model with a hand-written backward.

Layer ``l`` of model ``m`` computes ``a_l = act(a_{l-1} @ W_l[m] + b_l[m])`` (``W_l`` stacked as
``[M, fan_in, fan_out]``), followed by inverted dropout on hidden layers; the last layer is linear and
the output non-linearity lives in the loss. Every parameter, gradient and optimiser moment lives in
one flat buffer per kind, laid out layer by layer (kernel ``[M, fan_in, fan_out]`` then bias
``[M, fan_out]``), so one fused optimiser call updates the whole stack and per-layer views cost nothing.

Forward and backward are written out for this fixed structure into buffers allocated once per batch
size (autograd and finite differences are the test oracles). Models never mix: every operation is
either batched per model (``bmm``) or element-wise, so a model trained inside a stack is the same
model trained alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from reglab.engine.ops import activation_, activation_backward_
from reglab.rules import ACTIVATIONS

__all__ = ["StackedMLP", "Workspace", "glorot_uniform"]

def glorot_uniform(fan_in: int, fan_out: int, generator: torch.Generator) -> torch.Tensor:
    """Keras's default kernel initialiser: U(−a, a) with ``a = sqrt(6 / (fan_in + fan_out))``, in float64."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    u = torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float64)
    return u.mul_(2.0).sub_(1.0).mul_(limit)


@dataclass
class Workspace:
    """Buffers of one batch size, allocated once and reused by every step of that size."""

    pre: list[torch.Tensor]  # pre-activations of hidden layers, [M, B, h]
    act: list[torch.Tensor]  # activations (before dropout), [M, B, h]
    drop: list[torch.Tensor | None]  # dropout outputs, [M, B, h], None when no dropout
    mask: list[torch.Tensor | None]  # scaled dropout masks (0 or 1/keep), [M, B, h]
    grad: list[torch.Tensor]  # gradient w.r.t. each hidden activation, [M, B, h]
    out: torch.Tensor  # network output before the loss's non-linearity, [M, B, K]
    x: torch.Tensor  # the batch's inputs, gathered here by the training loop, [M, B, n_inputs]


class StackedMLP:
    """Parameters and the forward/backward of ``n_models`` MLPs with layer sizes ``sizes``.

    ``sizes`` = (n_inputs, hidden..., n_outputs). Activation is applied after every hidden layer.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        n_models: int,
        activation: str = "relu",
        *,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str = "cpu",
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"The 'activation' parameter must be one of {', '.join(ACTIVATIONS)}. Got {activation!r} instead.")
        self.sizes = tuple(int(s) for s in sizes)
        self.n_models = int(n_models)
        self.activation = activation
        self.dtype = dtype
        self.device = torch.device(device)
        self.params = self.new_flat()
        self.grads = self.new_flat()
        self.kernels, self.biases = self.views(self.params)
        self.kernel_grads, self.bias_grads = self.views(self.grads)
        self._workspaces: dict[tuple[int, bool], Workspace] = {}

    # layout -----------------------------------------------------------------------------------

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    @property
    def params_per_model(self) -> int:
        return sum(fi * fo + fo for fi, fo in zip(self.sizes[:-1], self.sizes[1:]))

    def new_flat(self, n_models: int | None = None) -> torch.Tensor:
        """A zeroed flat buffer with this stack's layout (for parameters, gradients or moments)."""
        m = self.n_models if n_models is None else n_models
        return torch.zeros(m * self.params_per_model, dtype=self.dtype, device=self.device)

    def views(self, flat: torch.Tensor, n_models: int | None = None) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        """Per-layer kernel ``[M, fan_in, fan_out]`` and bias ``[M, fan_out]`` views of a flat buffer."""
        m = self.n_models if n_models is None else n_models
        kernels, biases, at = [], [], 0
        for fi, fo in zip(self.sizes[:-1], self.sizes[1:]):
            kernels.append(flat[at : at + m * fi * fo].view(m, fi, fo))
            at += m * fi * fo
            biases.append(flat[at : at + m * fo].view(m, fo))
            at += m * fo
        return kernels, biases

    def select_flat(self, flat: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        """A new flat buffer holding only the models ``index`` of ``flat`` (same layout)."""
        out = self.new_flat(len(index))
        for src, dst in zip(sum(self.views(flat), []), sum(self.views(out, len(index)), [])):
            torch.index_select(src, 0, index, out=dst)
        return out

    def select(self, index: torch.Tensor) -> StackedMLP:
        """A new stack with a copy of the parameters of models ``index``."""
        sub = StackedMLP(self.sizes, len(index), self.activation, dtype=self.dtype, device=self.device)
        sub.params.copy_(self.select_flat(self.params, index))
        return sub

    def init_glorot(self, generators: Sequence[torch.Generator]) -> None:
        """Glorot-uniform kernels and zero biases, model ``m`` drawing from ``generators[m]`` layer by layer."""
        for m, gen in enumerate(generators):
            for kernel, bias in zip(self.kernels, self.biases):
                kernel[m].copy_(glorot_uniform(kernel.shape[1], kernel.shape[2], gen))
                bias[m].zero_()

    def model_arrays(self, m: int) -> tuple[list, list]:
        """Model ``m``'s kernels ``[fan_in, fan_out]`` and biases as float64 NumPy arrays."""
        kernels = [k[m].detach().to("cpu", torch.float64).numpy().copy() for k in self.kernels]
        biases = [b[m].detach().to("cpu", torch.float64).numpy().copy() for b in self.biases]
        return kernels, biases

    # forward / backward ----------------------------------------------------------------------

    def workspace(self, batch: int, dropout: bool) -> Workspace:
        """The buffers for training batches of ``batch`` rows (allocated on first use, then reused)."""
        key = (batch, dropout)
        if key not in self._workspaces:
            self._workspaces[key] = self._new_workspace(batch, dropout)
        return self._workspaces[key]

    def _new_workspace(self, batch: int, dropout: bool) -> Workspace:
        new = lambda h: torch.empty(self.n_models, batch, h, dtype=self.dtype, device=self.device)  # noqa: E731
        hidden = self.sizes[1:-1]
        acts = [new(h) for h in hidden]
        return Workspace(
            pre=[new(h) for h in hidden] if self.activation == "gelu" else acts,  # ReLU & co. need only outputs
            act=acts,
            drop=[new(h) if dropout else None for h in hidden],
            mask=[new(h) if dropout else None for h in hidden],
            grad=[new(h) for h in hidden],
            out=new(self.sizes[-1]),
            x=new(self.sizes[0]),
        )

    def forward(self, x: torch.Tensor, ws: Workspace | None = None, dropout: bool = False) -> torch.Tensor:
        """Outputs ``[M, B, K]`` for inputs ``x`` ``[M, B, n_inputs]``.

        With ``dropout`` the scaled masks in ``ws.mask`` multiply each hidden activation (training);
        without, nothing is dropped (evaluation). Without a workspace, fresh tensors are used.
        """
        if ws is None:
            ws = self._new_workspace(x.shape[1], dropout=False)
            dropout = False
        a = x
        for i in range(self.n_layers - 1):
            pre = ws.pre[i]
            torch.baddbmm(self.biases[i].unsqueeze(1), a, self.kernels[i], out=pre)
            act = ws.act[i]
            activation_(self.activation, pre, act)  # for ReLU act is pre: its backward needs only outputs
            a = act
            if dropout:
                torch.mul(act, ws.mask[i], out=ws.drop[i])
                a = ws.drop[i]
        self._output_forward(a, ws.out)
        return ws.out

    def _output_forward(self, a: torch.Tensor, out: torch.Tensor) -> None:
        m, b, k = out.shape
        kernel, bias = self.kernels[-1], self.biases[-1]
        if k == 1:
            # [M,1,H] x [M,H,B] is several times faster than [M,B,H] x [M,H,1] at these sizes
            out_t = out.view(m, 1, b)
            torch.baddbmm(bias.view(m, 1, 1), kernel.view(m, 1, -1), a.transpose(1, 2), out=out_t)
        else:
            torch.baddbmm(bias.unsqueeze(1), a, kernel, out=out)

    def backward(self, x: torch.Tensor, grad_out: torch.Tensor, ws: Workspace, dropout: bool = False) -> None:
        """Adds the data-loss gradients to ``self.grads``.

        ``grad_out`` ``[M, B, K]`` is ∂(batch-mean loss)/∂output. The kernels' gradient buffers must
        already hold the penalty's gradient (or zeros): ``X^T·dZ`` is accumulated onto them in place.
        The biases' gradients are overwritten (a bias is never penalised).
        """
        m = self.n_models
        dz = grad_out
        for i in range(self.n_layers - 1, -1, -1):
            if i == 0:
                a_prev = x
            else:
                a_prev = ws.drop[i - 1] if dropout else ws.act[i - 1]
            kgrad, bgrad = self.kernel_grads[i], self.bias_grads[i]
            # dW += a_prev^T dz ; db += Σ_batch dz
            if dz.shape[2] == 1:
                kgrad.view(m, 1, -1).baddbmm_(dz.view(m, 1, -1), a_prev)
            else:
                kgrad.baddbmm_(a_prev.transpose(1, 2), dz)
            torch.sum(dz, dim=1, out=bgrad)  # biases carry no penalty: their gradient is written, not added
            if i == 0:
                break
            # gradient w.r.t. the previous activation: dz W^T, then through dropout and activation
            da = ws.grad[i - 1]
            if dz.shape[2] == 1:
                torch.mul(dz, self.kernels[i].view(m, 1, -1), out=da)  # an outer product: broadcasting beats bmm
            else:
                torch.bmm(dz, self.kernels[i].transpose(1, 2), out=da)
            if dropout:
                da.mul_(ws.mask[i - 1])
            activation_backward_(self.activation, da, ws.act[i - 1], ws.pre[i - 1], da)
            dz = da
