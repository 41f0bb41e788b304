"""The data of a stack on its device: each epoch's randomness, and the metrics of a part.

The distinct splits of a stack's runs are concatenated once per part ("train", "val", "test"); run
``i`` reads its own rows through an offset, so runs with different data (seeds of a sweep) share a
stack without copies. Each epoch, every model draws from its own ``torch.Generator``, in this
order: a permutation of the training rows, then Gaussian input jitter (when some model of the stack
has ``input_noise > 0``), then one keep-mask per hidden layer (when some model has dropout).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from reglab.data import Split
from reglab.engine.coefficients import Coefficients
from reglab.engine.objective import data_loss
from reglab.engine.stack import StackedMLP

__all__ = ["PARTS", "StackData"]

PARTS = ("train", "val", "test")
EVAL_CHUNK = 8192  # rows per evaluation pass, bounds memory on large data


class StackData:
    """``X[part]`` ``[rows of all distinct splits, F]`` and ``y[part]``, with per-run row offsets."""

    def __init__(self, splits: Sequence[Split], dtype: torch.dtype, device: torch.device) -> None:
        distinct = list({id(s): s for s in splits}.values())
        self.split_of = [next(k for k, d in enumerate(distinct) if d is s) for s in splits]  # run -> distinct split
        self.task = splits[0].task
        self.device = device
        ydtype = dtype if self.task == "regression" else torch.long
        as_t = lambda a, dt: torch.as_tensor(np.asarray(a), dtype=dt, device=device)  # noqa: E731
        self.X = {p: torch.cat([as_t(getattr(s, f"X_{p}"), dtype) for s in distinct]) for p in PARTS}
        self.y = {p: torch.cat([as_t(getattr(s, f"y_{p}"), ydtype) for s in distinct]) for p in PARTS}
        self.n_rows = {p: len(getattr(splits[0], f"X_{p}")) for p in PARTS}
        self.y_scale = [s.y_scale for s in splits]
        self.dtype = dtype
        self.sst: dict[str, torch.Tensor] = {}  # Σ(y − ȳ)² of each distinct split's part, for R²
        if self.task == "regression":
            for p in PARTS:
                yy = self.y[p].view(len(distinct), self.n_rows[p])
                self.sst[p] = ((yy - yy.mean(dim=1, keepdim=True)) ** 2).sum(dim=1)

    def offsets(self, part: str, ids: Sequence[int]) -> torch.Tensor:
        """Row offsets of runs ``ids`` into the concatenated data of ``part``, shape [M, 1]."""
        n = self.n_rows[part]
        return torch.tensor([self.split_of[i] * n for i in ids], device=self.device).unsqueeze(1)

    def draw_epoch(
        self, generators: Sequence[torch.Generator], ids: Sequence[int], coefficients: Coefficients, hidden: Sequence[int]
    ) -> tuple[torch.Tensor, torch.Tensor | None, list[torch.Tensor | None]]:
        """One epoch's randomness for runs ``ids`` (coefficients in the same order).

        Returns the rows of each model in batch order ``[M, n_train]`` (offsets included), the input
        jitter ``[M, n_train, F]`` (None when no model has input noise) and per hidden layer the keep
        masks ``[M, n_train, width]`` (None when no model has dropout).
        """
        n, f = self.n_rows["train"], self.X["train"].shape[1]
        order, jitter, masks = [], [], [[] for _ in hidden]
        for k, i in enumerate(ids):
            gen = generators[i]
            order.append(torch.randperm(n, generator=gen))
            if coefficients.any_noise:
                std = coefficients.noise[k]
                draw = torch.randn(n, f, generator=gen, dtype=torch.float64).mul_(std) if std else torch.zeros(n, f, dtype=torch.float64)
                jitter.append(draw)
            if coefficients.any_dropout:
                rate = coefficients.dropout[k]
                for layer, width in enumerate(hidden):
                    keep = torch.rand(n, width, generator=gen) >= rate if rate else torch.ones(n, width, dtype=torch.bool)
                    masks[layer].append(keep)
        rows = torch.stack(order).to(self.device) + self.offsets("train", ids)
        noise = torch.stack(jitter).to(self.device, self.dtype) if jitter else None
        drop = [torch.stack(m).to(self.device) for m in masks] if coefficients.any_dropout else [None] * len(masks)
        return rows, noise, drop

    def trivial_losses(self) -> list[float]:
        """Per run, the training data loss of a model that learnt nothing: ln 2 (binary), ln K (K classes:
        uniform probabilities), for regression the loss of predicting 0, the target's mean square (in the
        scaled units the loss is computed in), but at least 1, which an untrained network's outputs reach."""
        n_runs, n = len(self.split_of), self.n_rows["train"]
        if self.task == "regression":
            mean_square = (self.y["train"].view(-1, n) ** 2).mean(dim=1).tolist() if n else [1.0]
            return [max(mean_square[self.split_of[i]], 1.0) for i in range(n_runs)]
        classes = max(int(self.y["train"].max()) + 1, 2) if n else 2
        return [math.log(classes)] * n_runs

    def metrics(self, loss_sum: torch.Tensor, score_sum: torch.Tensor, part: str, ids: Sequence[int]) -> dict[str, torch.Tensor]:
        """Per-model metrics of ``part`` from sums over its rows (see :func:`reglab.engine.objective.data_loss`).

        ``data_loss`` is the mean loss; classification adds ``accuracy``; regression adds
        ``r2 = 1 − SSE/SST`` and ``rmse = sqrt(MSE)·y_scale``, in the target's original units.
        """
        n = self.n_rows[part]
        data_loss = loss_sum / n
        if self.task == "regression":
            sst = self.sst[part][torch.tensor([self.split_of[i] for i in ids], device=self.device)]
            y_scale = torch.tensor([self.y_scale[i] for i in ids], dtype=self.dtype, device=self.device)
            return {"data_loss": data_loss, "r2": 1 - score_sum / sst, "rmse": data_loss.sqrt() * y_scale}
        return {"data_loss": data_loss, "accuracy": score_sum / n}

    def evaluate(self, stack: StackedMLP, part: str, ids: Sequence[int]) -> dict[str, torch.Tensor]:
        """:meth:`metrics` of ``part`` for the models of ``stack``, model ``k`` being run ``ids[k]``, dropout off."""
        n = self.n_rows[part]
        loss_sum = torch.zeros(len(ids), dtype=self.dtype, device=self.device)
        score_sum = torch.zeros_like(loss_sum)
        offsets = self.offsets(part, ids)
        with torch.no_grad():
            for start in range(0, n, EVAL_CHUNK):
                idx = offsets + torch.arange(start, min(n, start + EVAL_CHUNK), device=self.device)
                _, loss, score = data_loss(self.task, stack.forward(self.X[part][idx]), self.y[part][idx])
                loss_sum += loss
                score_sum += score
        return self.metrics(loss_sum, score_sum, part, ids)
