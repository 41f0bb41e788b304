"""The one training loop: a stack of runs that share an architecture and a batch plan.

Each epoch, for every model of the stack and from that model's own ``torch.Generator`` (seeded by its
run's ``seed``, in this order): a permutation of the training rows, Gaussian input jitter when
``input_noise > 0``, and dropout masks when ``dropout > 0``. Then, for every mini-batch::

    # forward      outputs of all models at once (batched matmuls)
    # loss         batch-mean data loss and its gradient w.r.t. the outputs
    # penalty      l1·sign(W) (subgradient L1) + 2·l2·W written into the kernels' gradients
    # backward     hand-written, accumulated onto the penalty gradient
    # update       decoupled decay (w ← w − lr·wd·w), then SGD/Adam, then the proximal L1 step
    #              w ← sign(w)·max(|w| − lr·l1, 0) (for Adam, lr·l1 is divided by sqrt(v̂) + eps)

The history's training metrics are running averages over the epoch's batches (as Keras reports
them, with dropout on); the penalty is evaluated on the weights at the end of the epoch. Validation
metrics are computed at the end of each epoch with dropout off. A model leaves the stack when it
finishes, stops early (best weights restored), is pruned, or diverges (a NaN or infinite loss);
the others go on untouched.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from reglab.config import RunConfig
from reglab.data import Split
from reglab.engine.early_stopping import EarlyStopping
from reglab.engine.optim import adam_step, decay_, sgd_step, soft_threshold_
from reglab.engine.stack import StackedMLP
from reglab.regularizers import Regularizer, penalized_parameters

__all__ = ["DIVERGED_HINT", "EpochReport", "Outcome", "StackTrainer", "outcome_from_state", "outcome_state"]

PARTS = ("train", "val", "test")
EVAL_CHUNK = 8192  # rows per evaluation pass, bounds memory on large data
DIVERGED_HINT = "the loss became NaN or infinite: lower the learning rate (or λ), or standardise the features"


@dataclass
class Outcome:
    """How one run ended, with its final weights and metrics."""

    status: str  # "completed" | "early_stopped" | "pruned" | "diverged"
    epochs_run: int
    best_epoch: int | None  # epoch whose weights were kept (early stopping), else None
    diverged_epoch: int | None
    train: dict[str, float]
    val: dict[str, float]
    test: dict[str, float]
    kernels: list[np.ndarray]  # [fan_in, fan_out] per layer, float64
    biases: list[np.ndarray]
    history: dict[str, list[float]]


@dataclass
class EpochReport:
    """What one epoch of a stack produced: metrics of the models that trained in it."""

    epoch: int
    metrics: dict[int, dict[str, float]]  # run index -> this epoch's metrics
    finished: list[int] = field(default_factory=list)  # run indices that left the stack this epoch


def _check_group(configs: Sequence[RunConfig], splits: Sequence[Split]) -> None:
    if not configs or len(configs) != len(splits):
        raise ValueError("A stack needs one split per config and at least one run.")
    first, s0 = configs[0], splits[0]
    for c, s in zip(configs, splits):
        same = (
            c.hidden == first.hidden
            and c.activation == first.activation
            and c.epochs == first.epochs
            and c.batch_size == first.batch_size
            and (c.optimizer == "sgd") == (first.optimizer == "sgd")
            and s.task == s0.task
            and s.X_train.shape == s0.X_train.shape
            and s.X_val.shape == s0.X_val.shape
            and s.n_outputs == s0.n_outputs
        )
        if not same:
            raise ValueError("All runs of a stack must share architecture, optimizer family, epochs, batch size and data shapes.")
        if c.patience is not None and len(s.X_val) == 0:
            raise ValueError(
                f"The 'patience' parameter ({c.patience}) needs validation data: set val_size > 0. Got val_size={s.config.val_size!r} instead."
            )


class StackTrainer:
    """Trains ``configs[i]`` on ``splits[i]`` for all i at once; see the module docstring for the maths.

    Use :meth:`epochs` to train (a generator of :class:`EpochReport`); between epochs a run can be
    stopped (:meth:`prune`) or given a new learning rate or penalty (:meth:`set_hyperparameters`),
    and the full state can be saved and restored (:meth:`state_dict`, :meth:`load_state_dict`).
    Finished runs are in :attr:`outcomes`.
    """

    def __init__(
        self,
        configs: Sequence[RunConfig],
        splits: Sequence[Split],
        *,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> None:
        _check_group(configs, splits)
        self.configs = list(configs)
        self.splits = list(splits)
        self.device = torch.device(device)
        self.dtype = dtype
        s0, c0 = splits[0], configs[0]
        self.task = s0.task
        self.sizes = (s0.n_features, *c0.hidden, s0.n_outputs)
        self.n_train = len(s0.X_train)
        self.batch = min(c0.batch_size or self.n_train, self.n_train)
        self.total_epochs = c0.epochs
        self.is_sgd = c0.optimizer == "sgd"
        self.epoch = 0
        self.step_count = 0
        self.outcomes: dict[int, Outcome] = {}
        self.history = {i: {} for i in range(len(configs))}
        self.generators = [torch.Generator().manual_seed(c.seed) for c in configs]
        self.stoppers = {i: EarlyStopping(c.patience, c.min_delta) for i, c in enumerate(configs) if c.patience}
        self._load_data()
        self.active = list(range(len(configs)))
        self.stack = StackedMLP(self.sizes, len(configs), c0.activation, dtype=dtype, device=self.device)
        self.stack.init_glorot(self.generators)
        self.moment1 = self.stack.new_flat()  # Adam's first moment, or SGD's momentum buffer
        self.moment2 = self.stack.new_flat() if not self.is_sgd else None
        self.best = self.stack.params.clone() if self.stoppers else None
        self._refresh()

    # data ---------------------------------------------------------------------------------------

    def _load_data(self) -> None:
        """Distinct splits are concatenated; each run reads its own rows through an offset."""
        distinct = list({id(s): s for s in self.splits}.values())
        self.split_of = [next(k for k, d in enumerate(distinct) if d is s) for s in self.splits]
        ydtype = self.dtype if self.task == "regression" else torch.long
        as_t = lambda a, dt: torch.as_tensor(np.asarray(a), dtype=dt, device=self.device)  # noqa: E731
        self.X = {p: torch.cat([as_t(getattr(s, f"X_{p}"), self.dtype) for s in distinct]) for p in PARTS}
        self.y = {p: torch.cat([as_t(getattr(s, f"y_{p}"), ydtype) for s in distinct]) for p in PARTS}
        self.n_rows = {p: len(getattr(self.splits[0], f"X_{p}")) for p in PARTS}
        self.sst = {}  # Σ(y − ȳ)² of each split part, for R²
        if self.task == "regression":
            for p in PARTS:
                yy = self.y[p].view(len(distinct), self.n_rows[p])
                self.sst[p] = ((yy - yy.mean(dim=1, keepdim=True)) ** 2).sum(dim=1)

    def _rows(self, part: str, ids: Sequence[int]) -> torch.Tensor:
        """Per-model row offsets into the concatenated data of ``part``, shape [M, 1]."""
        n = self.n_rows[part]
        return torch.tensor([self.split_of[i] * n for i in ids], device=self.device).unsqueeze(1)

    # hyperparameters -----------------------------------------------------------------------

    def _refresh(self) -> None:
        """Rebuilds per-model coefficient tensors from the configs of the active runs."""
        cfg = [self.configs[i] for i in self.active]
        col = lambda vals: torch.tensor(vals, dtype=self.dtype, device=self.device).view(-1, 1, 1)  # noqa: E731
        n_layers = self.stack.n_layers
        flags = [penalized_parameters(n_layers, c.regularize_output) for c in cfg]
        self.lr = col([c.lr for c in cfg])
        self.uniform_lr = len({c.lr for c in cfg}) == 1
        self.l2x2, self.l1_sub, self.l1_prox, self.decay = [], [], [], []
        for layer in range(n_layers):
            on = [f[layer] for f in flags]
            self.l2x2.append(col([2 * c.penalty.l2 * o for c, o in zip(cfg, on)]))
            self.l1_sub.append(col([c.penalty.l1 * o * (c.l1_method == "subgradient") for c, o in zip(cfg, on)]))
            self.l1_prox.append(col([c.lr * c.penalty.l1 * o * (c.l1_method == "proximal") for c, o in zip(cfg, on)]))
            self.decay.append(col([1 - c.lr * c.decay * o for c, o in zip(cfg, on)]))
        self.l1_coef = [col([c.penalty.l1 * f[k] for c, f in zip(cfg, flags)]).view(-1) for k in range(n_layers)]
        self.l2_coef = [col([c.penalty.l2 * f[k] for c, f in zip(cfg, flags)]).view(-1) for k in range(n_layers)]
        self.dropout = [c.dropout for c in cfg]
        self.drop_scale = col([1 / (1 - c.dropout) for c in cfg])
        self.noise = [c.input_noise for c in cfg]
        self.momentum = col([c.momentum for c in cfg])
        self.lr_flat = self._per_model_flat([c.lr for c in cfg]) if not (self.uniform_lr or self.is_sgd) else None
        self.any = {
            "l2": [bool(t.any()) for t in self.l2x2],
            "l1_sub": [bool(t.any()) for t in self.l1_sub],
            "l1_prox": [bool(t.any()) for t in self.l1_prox],
            "decay": [bool((t != 1).any()) for t in self.decay],
            "dropout": any(self.dropout),
            "noise": any(self.noise),
            "momentum": bool(self.momentum.any()),
        }

    def _per_model_flat(self, values: Sequence[float]) -> torch.Tensor:
        flat = self.stack.new_flat()
        col = torch.tensor(values, dtype=self.dtype, device=self.device)
        kernels, biases = self.stack.views(flat)
        for t in kernels + biases:
            t.copy_(col.view(-1, *([1] * (t.dim() - 1))).expand_as(t))
        return flat

    def set_hyperparameters(self, index: int, *, lr: float | None = None, penalty: Regularizer | None = None, l1_method: str | None = None) -> None:
        """Changes a run's learning rate, penalty or L1 method; training goes on from its current weights."""
        if index not in self.active:
            raise ValueError(f"Run {index} is not training (finished or unknown); active runs: {self.active}.")
        changes = {k: v for k, v in (("lr", lr), ("penalty", penalty), ("l1_method", l1_method)) if v is not None}
        if "penalty" in changes and not isinstance(changes["penalty"], dict):
            changes["penalty"] = changes["penalty"].model_dump(by_alias=True)
        self.configs[index] = self.configs[index].replace(**changes)
        self._refresh()

    # training ------------------------------------------------------------------------------

    def epochs(self) -> Iterator[EpochReport]:
        """Trains epoch by epoch until every run has finished, yielding a report after each epoch."""
        while self.active:
            yield self._run_epoch()

    def run(self) -> dict[int, Outcome]:
        """Trains to the end and returns every run's outcome."""
        for _ in self.epochs():
            pass
        return self.outcomes

    def _epoch_randomness(self) -> tuple[torch.Tensor, torch.Tensor | None, list[torch.Tensor | None]]:
        n, f = self.n_train, self.sizes[0]
        order, jitter, masks = [], [], [[] for _ in self.sizes[1:-1]]
        for k, i in enumerate(self.active):
            gen = self.generators[i]
            order.append(torch.randperm(n, generator=gen))
            if self.any["noise"]:
                noise = self.noise[k]
                jitter.append(torch.randn(n, f, generator=gen, dtype=torch.float64).mul_(noise) if noise else torch.zeros(n, f, dtype=torch.float64))
            if self.any["dropout"]:
                rate = self.dropout[k]
                for layer, width in enumerate(self.sizes[1:-1]):
                    keep = torch.rand(n, width, generator=gen) >= rate if rate else torch.ones(n, width, dtype=torch.bool)
                    masks[layer].append(keep)
        rows = torch.stack(order).to(self.device) + self._rows("train", self.active)
        noise = torch.stack(jitter).to(self.device, self.dtype) if jitter else None
        drop = [torch.stack(m).to(self.device) for m in masks] if self.any["dropout"] else [None] * len(masks)
        return rows, noise, drop

    def _run_epoch(self) -> EpochReport:
        stack, n = self.stack, self.n_train
        m, f = len(self.active), self.sizes[0]
        rows, noise, drop = self._epoch_randomness()
        dropout = self.any["dropout"]
        loss_sum = torch.zeros(m, dtype=self.dtype, device=self.device)
        score_sum = torch.zeros(m, dtype=self.dtype, device=self.device)
        for start in range(0, n, self.batch):
            b = min(self.batch, n - start)
            ws = stack.workspace(b, dropout)
            x = ws.x
            idx = rows[:, start : start + b]
            torch.index_select(self.X["train"], 0, idx.reshape(-1), out=x.view(m * b, f))
            if noise is not None:
                x.add_(noise[:, start : start + b])
            y = self.y["train"][idx]
            if dropout:
                for layer, keep in enumerate(drop):
                    torch.mul(keep[:, start : start + b], self.drop_scale, out=ws.mask[layer])
            batch_loss, batch_score = self.forward_backward(x, y, ws, dropout)
            loss_sum.add_(batch_loss)
            score_sum.add_(batch_score)
            # update
            self._update()
        self.epoch += 1
        return self._end_epoch(loss_sum, score_sum)

    def forward_backward(self, x: torch.Tensor, y: torch.Tensor, ws=None, dropout: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """Fills ``stack.grads`` with ∂(batch-mean data loss + penalty)/∂θ for a batch ``x`` ``[M, B, F]``.

        Returns per-model sums of the data loss and of the score over the batch.
        """
        stack = self.stack
        ws = ws or stack.workspace(x.shape[1], dropout)
        # forward
        out = stack.forward(x, ws, dropout)
        # loss
        grad_out, batch_loss, batch_score = self._loss(out, y, need_grad=True)
        # penalty
        self._penalty_gradient()
        # backward
        stack.backward(x, grad_out, ws, dropout)
        return batch_loss, batch_score

    def _loss(self, out: torch.Tensor, y: torch.Tensor, need_grad: bool) -> tuple[torch.Tensor | None, torch.Tensor, torch.Tensor]:
        """Gradient of the batch-mean loss w.r.t. the outputs, and per-model sums of loss and score.

        Score is the count of correct predictions (classification) or Σ squared error (regression).
        """
        b = out.shape[1]
        grad = None
        if self.task == "binary":
            yf = y.to(out.dtype).unsqueeze(2)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(out, yf, reduction="none").sum(dim=(1, 2))
            score = ((out > 0) == (yf > 0.5)).sum(dim=(1, 2)).to(out.dtype)
            if need_grad:
                grad = torch.sigmoid(out).sub_(yf).div_(b)
        elif self.task == "multiclass":
            logp = torch.log_softmax(out, dim=2)
            loss = -logp.gather(2, y.unsqueeze(2)).sum(dim=(1, 2))
            score = (out.argmax(dim=2) == y).sum(dim=1).to(out.dtype)
            if need_grad:
                grad = logp.exp_()
                grad.scatter_add_(2, y.unsqueeze(2), torch.full_like(grad[:, :, :1], -1.0)).div_(b)
        else:
            err = out - y.unsqueeze(2)
            loss = err.square().sum(dim=(1, 2))
            score = loss
            if need_grad:
                grad = err.mul_(2.0 / b)
        return grad, loss, score

    def _penalty_gradient(self) -> None:
        stack = self.stack
        for layer, (w, g) in enumerate(zip(stack.kernels, stack.kernel_grads)):
            if self.any["l1_sub"][layer]:
                torch.sign(w, out=g)  # in place, no temporary: g = l1·sign(w), then + 2·l2·w
                g.mul_(self.l1_sub[layer])
                if self.any["l2"][layer]:
                    g.addcmul_(w, self.l2x2[layer])
            elif self.any["l2"][layer]:
                torch.mul(w, self.l2x2[layer], out=g)
            else:
                g.zero_()

    def _update(self) -> None:
        stack = self.stack
        self.step_count += 1
        decay_(stack.kernels, self.decay, self.any["decay"])
        if self.is_sgd:
            params = sum(stack.views(stack.params), [])
            momentum = self.momentum if self.any["momentum"] else None
            sgd_step(params, stack.kernel_grads + stack.bias_grads, sum(stack.views(self.moment1), []), self.lr, momentum)
        else:
            lr = float(self.lr.view(-1)[0]) if self.uniform_lr else self.lr_flat
            adam_step(stack.params, stack.grads, self.moment1, self.moment2, self.step_count, lr, self._scratch())
        if any(self.any["l1_prox"]):
            moments = self.stack.views(self.moment2)[0] if self.moment2 is not None else None
            soft_threshold_(stack.kernels, self.l1_prox, self.any["l1_prox"], moments, self.step_count)

    def _scratch(self) -> torch.Tensor | None:
        """A flat buffer for per-model learning rates (see :func:`reglab.engine.optim.adam_step`)."""
        if self.uniform_lr:
            return None
        buf = getattr(self, "_delta", None)
        if buf is None or buf.numel() != self.stack.params.numel():
            buf = self._delta = self.stack.new_flat()
        return buf

    # epoch end -----------------------------------------------------------------------------

    def penalty_values(self, stack: StackedMLP | None = None, ids: Sequence[int] | None = None) -> torch.Tensor:
        """``Σ_l l1·Σ|W_l| + l2·ΣW_l²`` per model, over the penalised kernels."""
        stack = stack or self.stack
        pos = [self.active.index(i) for i in ids] if ids is not None else list(range(len(self.active)))
        sel = torch.tensor(pos, device=self.device)
        total = torch.zeros(len(pos), dtype=self.dtype, device=self.device)
        for layer, w in enumerate(stack.kernels):
            l1, l2 = self.l1_coef[layer][sel], self.l2_coef[layer][sel]
            if bool(l1.any()):
                total += l1 * w.abs().sum(dim=(1, 2))
            if bool(l2.any()):
                total += l2 * torch.linalg.vector_norm(w, 2, dim=(1, 2)).square()  # no w² temporary
        return total

    def _metrics(self, loss_sum: torch.Tensor, score_sum: torch.Tensor, part: str, ids: Sequence[int]) -> dict[str, torch.Tensor]:
        n = self.n_rows[part]
        data_loss = loss_sum / n
        if self.task == "regression":
            sst = self.sst[part][torch.tensor([self.split_of[i] for i in ids], device=self.device)]
            y_scale = torch.tensor([self.splits[i].y_scale for i in ids], dtype=self.dtype, device=self.device)
            return {"data_loss": data_loss, "r2": 1 - score_sum / sst, "rmse": data_loss.sqrt() * y_scale}
        return {"data_loss": data_loss, "accuracy": score_sum / n}

    def evaluate(self, part: str, stack: StackedMLP | None = None, ids: Sequence[int] | None = None) -> dict[str, torch.Tensor]:
        """Data loss and score of each model on ``part`` ("train", "val", "test"), dropout off."""
        stack = stack or self.stack
        ids = list(self.active if ids is None else ids)
        n = self.n_rows[part]
        loss_sum = torch.zeros(len(ids), dtype=self.dtype, device=self.device)
        score_sum = torch.zeros_like(loss_sum)
        offsets = self._rows(part, ids)
        with torch.no_grad():
            for start in range(0, n, EVAL_CHUNK):
                idx = offsets + torch.arange(start, min(n, start + EVAL_CHUNK), device=self.device)
                out = stack.forward(self.X[part][idx])
                _, loss, score = self._loss(out, self.y[part][idx], need_grad=False)
                loss_sum += loss
                score_sum += score
        return self._metrics(loss_sum, score_sum, part, ids)

    def _end_epoch(self, loss_sum: torch.Tensor, score_sum: torch.Tensor) -> EpochReport:
        ids = list(self.active)
        metrics = self._metrics(loss_sum, score_sum, "train", ids)
        penalty = self.penalty_values()
        metrics = {"loss": metrics["data_loss"] + penalty, "penalty": penalty, **metrics}
        if self.n_rows["val"]:
            metrics.update({f"val_{k}": v for k, v in self.evaluate("val").items()})
        names = list(metrics)
        table = torch.stack([metrics[k] for k in names]).to("cpu", torch.float64).tolist()
        report = EpochReport(self.epoch, {})
        finished: dict[str, list[int]] = {"diverged": [], "early_stopped": [], "completed": []}
        improved = []
        for k, i in enumerate(ids):
            row = {name: table[j][k] for j, name in enumerate(names)}
            report.metrics[i] = row
            for name, value in row.items():
                self.history[i].setdefault(name, []).append(value)
            if not (math.isfinite(row["loss"]) and math.isfinite(row["data_loss"])):
                finished["diverged"].append(i)
                continue
            stopper = self.stoppers.get(i)
            if stopper is not None:
                stop = stopper.update(row["val_data_loss"], self.epoch)
                if stopper.improved:
                    improved.append(i)
                if stop:
                    finished["early_stopped"].append(i)
                    continue
            if self.epoch >= self.total_epochs:
                finished["completed"].append(i)
        if improved:
            self._remember_best(improved)
        for status, done in finished.items():
            if done:
                self._finish(done, status)
                report.finished.extend(done)
        return report

    def _remember_best(self, ids: list[int]) -> None:
        pos = torch.tensor([self.active.index(i) for i in ids], device=self.device)
        for src, dst in zip(sum(self.stack.views(self.stack.params), []), sum(self.stack.views(self.best), [])):
            dst.index_copy_(0, pos, src.index_select(0, pos))

    # leaving the stack ----------------------------------------------------------------------

    def prune(self, index: int) -> None:
        """Stops run ``index`` now (its current weights are kept); the rest of the stack trains on."""
        if index not in self.active:
            raise ValueError(f"Run {index} is not training (finished or unknown); active runs: {self.active}.")
        self._finish([index], "pruned")

    def _finish(self, ids: list[int], status: str) -> None:
        pos = torch.tensor([self.active.index(i) for i in ids], device=self.device)
        sub = self.stack.select(pos)
        restore = [k for k, i in enumerate(ids) if i in self.stoppers and self.stoppers[i].best_epoch is not None and status != "diverged"]
        if restore:
            best = self.stack.select_flat(self.best, pos)
            for src, dst in zip(sum(self.stack.views(best, len(ids)), []), sum(sub.views(sub.params), [])):
                dst[restore] = src[restore]
        parts = {}
        for part in PARTS:
            if self.n_rows[part]:
                vals = self.evaluate(part, sub, ids)
                pen = self.penalty_values(sub, ids)
                vals = {"loss": vals["data_loss"] + pen, "penalty": pen, **vals}
                parts[part] = {k: v.to("cpu", torch.float64).tolist() for k, v in vals.items()}
        for k, i in enumerate(ids):
            kernels, biases = sub.model_arrays(k)
            stopper = self.stoppers.get(i)
            self.outcomes[i] = Outcome(
                status=status,
                epochs_run=self.epoch,
                best_epoch=stopper.best_epoch if stopper is not None and k in restore else None,
                diverged_epoch=self.epoch if status == "diverged" else None,
                train={n: v[k] for n, v in parts.get("train", {}).items()},
                val={n: v[k] for n, v in parts.get("val", {}).items()},
                test={n: v[k] for n, v in parts.get("test", {}).items()},
                kernels=kernels,
                biases=biases,
                history=self.history[i],
            )
        self._keep([i for i in self.active if i not in ids])

    def _keep(self, ids: list[int]) -> None:
        """Compacts the stack to the runs ``ids`` (in their current order)."""
        if not ids:
            self.active = []
            return
        pos = torch.tensor([self.active.index(i) for i in ids], device=self.device)
        old = self.stack
        self.stack = old.select(pos)
        self.moment1 = old.select_flat(self.moment1, pos)
        if self.moment2 is not None:
            self.moment2 = old.select_flat(self.moment2, pos)
        if self.best is not None:
            self.best = old.select_flat(self.best, pos)
        self.active = ids
        self._refresh()

    # state ---------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Everything needed to resume exactly: weights, moments, RNG states, epoch, history, outcomes."""
        return {
            "epoch": self.epoch,
            "step_count": self.step_count,
            "active": list(self.active),
            "configs": [c.model_dump(mode="json", by_alias=True) for c in self.configs],
            "params": self.stack.params.clone(),
            "moment1": self.moment1.clone(),
            "moment2": None if self.moment2 is None else self.moment2.clone(),
            "best": None if self.best is None else self.best.clone(),
            "generators": [g.get_state() for g in self.generators],
            "stoppers": {i: s.state_dict() for i, s in self.stoppers.items()},
            "history": {i: {k: list(v) for k, v in h.items()} for i, h in self.history.items()},
            "outcomes": {i: outcome_state(o) for i, o in self.outcomes.items()},
        }

    def load_state_dict(self, state: dict) -> None:
        """Restores a :meth:`state_dict` taken from a trainer built with the same runs and data."""
        if len(state["configs"]) != len(self.configs):
            raise ValueError(f"The state holds {len(state['configs'])} runs but this trainer has {len(self.configs)}.")
        self.configs = [RunConfig.model_validate(c) for c in state["configs"]]
        self.epoch, self.step_count = state["epoch"], state["step_count"]
        self.active = list(state["active"])
        self.stack = StackedMLP(self.sizes, len(self.active), self.configs[0].activation, dtype=self.dtype, device=self.device)
        self.stack.params.copy_(state["params"])
        self.moment1 = state["moment1"].to(self.device, self.dtype).clone()
        self.moment2 = None if state["moment2"] is None else state["moment2"].to(self.device, self.dtype).clone()
        self.best = None if state["best"] is None else state["best"].to(self.device, self.dtype).clone()
        for g, s in zip(self.generators, state["generators"]):
            g.set_state(s)
        for i, s in state["stoppers"].items():
            self.stoppers[int(i)].load_state_dict(s)
        self.history = {int(i): {k: list(v) for k, v in h.items()} for i, h in state["history"].items()}
        self.outcomes = {int(i): outcome_from_state(o) for i, o in state["outcomes"].items()}
        self._refresh()


def outcome_state(o: Outcome) -> dict:
    d = dict(o.__dict__)
    d["kernels"] = [torch.from_numpy(k) for k in o.kernels]
    d["biases"] = [torch.from_numpy(b) for b in o.biases]
    return d


def outcome_from_state(d: dict) -> Outcome:
    d = dict(d)
    d["kernels"] = [k.numpy() for k in d["kernels"]]
    d["biases"] = [b.numpy() for b in d["biases"]]
    return Outcome(**d)
