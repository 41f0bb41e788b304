"""The one training loop: a stack of runs that share an architecture and a batch plan.

Each epoch every model draws its batch order, input jitter and dropout masks from its own
generator (:mod:`reglab.engine.batches`). Then, for every mini-batch::

    # forward      outputs of all models at once (batched matmuls, reglab.engine.stack)
    # loss         batch-mean data loss and its gradient w.r.t. the outputs (reglab.engine.objective)
    # penalty      l1·sign(W) (subgradient L1) + 2·l2·W written into the kernels' gradients
    # backward     hand-written, accumulated onto the penalty gradient
    # update       decoupled decay, SGD or Adam, proximal L1 (reglab.engine.optim)

The history's training metrics are running averages over the epoch's batches (as Keras reports
them, with dropout on); the penalty is evaluated on the weights at the end of the epoch. Validation
metrics are computed at the end of each epoch with dropout off. A model leaves the stack when it
finishes, stops early (best weights restored), is pruned, or diverges; the others go on untouched.

Divergence, checked at the end of every epoch ``e`` on the training metrics: a run diverges when its
loss or data loss is NaN or infinite, or when its data loss exceeds ``EXPLODED_FROM_START`` (1000) ×
its first epoch's, or ``EXPLODED_FROM_TRIVIAL`` (100) × the loss of a model that learnt nothing
(:meth:`reglab.engine.batches.StackData.trivial_losses`: ln 2 for binary, ln K for K classes, for
regression the larger of 1 and the scaled target's mean square). Adam at lr 1e6 on moons ends its first epoch near 1e12 and is
diverged at epoch 1. A diverged run keeps its history but has no final metrics: every value of its
train, validation and test parts is NaN (None in JSON, "-" in tables).

Stacked or alone: every operation is per model (``bmm``) or element-wise, so a model's updates never
read another model's numbers. In float64 a model in a stack equals the model trained alone to 1e-12
(rounding only). In float32 they are equal up to rounding: elementwise kernels may round the same
value differently by tensor length, and long chaotic runs (a subgradient L1 for hundreds of epochs)
can amplify that to visible differences; use float64 where bit-level agreement matters.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import torch

from reglab.config import RunConfig
from reglab.data import Split
from reglab.engine.batches import PARTS, StackData
from reglab.engine.coefficients import Coefficients
from reglab.engine.early_stopping import EarlyStopping
from reglab.engine.floats import flush_subnormals
from reglab.engine.grouping import check_stack
from reglab.engine.objective import data_loss, penalty_gradient_, penalty_value
from reglab.engine.optim import StackOptimizer
from reglab.engine.stack import StackedMLP, Workspace
from reglab.engine.state import Outcome, Snapshot, finished_outcomes, outcome_from_state, outcome_state, read_state, reported
from reglab.regularizers import Regularizer

__all__ = [
    "DIVERGED_HINT", "EXPLODED_FROM_START", "EXPLODED_FROM_TRIVIAL", "EpochReport", "Outcome", "Snapshot", "StackTrainer",
    "outcome_from_state", "outcome_state",
]  # fmt: skip

DIVERGED_HINT = (
    "the loss became NaN or infinite, or exploded (over 100 × a constant prediction's or 1000 × the first epoch's): "
    "lower the learning rate (or λ), or standardise the features"
)
EXPLODED_FROM_START = 1e3  # a training data loss this many times the first epoch's has diverged
EXPLODED_FROM_TRIVIAL = 1e2  # ... or this many times a constant prediction's loss


@dataclass
class EpochReport:
    """What one epoch of a stack produced: metrics of the models that trained in it."""

    epoch: int
    metrics: dict[int, dict[str, float]]  # run index -> this epoch's metrics
    finished: list[int] = field(default_factory=list)  # run indices that left the stack this epoch


class StackTrainer:
    """Trains ``configs[i]`` on ``splits[i]`` for all i at once; see the module docstring for the maths.

    Use :meth:`epochs` to train (a generator of :class:`EpochReport`); between epochs a run can be
    stopped (:meth:`prune`) or given a new learning rate or penalty (:meth:`set_hyperparameters`),
    and the full state can be saved and restored (:meth:`state_dict`, :meth:`load_state_dict`).
    Finished runs are in :attr:`outcomes`, the runs still training in :attr:`active`; model ``k``
    of :attr:`stack` is run ``active[k]``.
    """

    def __init__(
        self,
        configs: Sequence[RunConfig],
        splits: Sequence[Split],
        *,
        device: str | torch.device = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> None:
        check_stack(configs, splits)
        flush_subnormals()  # in whichever thread trains: see reglab.engine.floats
        self.configs, self.splits = list(configs), list(splits)
        self.device, self.dtype = torch.device(device), dtype
        s0, c0 = splits[0], configs[0]
        self.task = s0.task
        self.sizes = (s0.n_features, *c0.hidden, s0.n_outputs)
        self.data = StackData(self.splits, dtype, self.device)
        n_train = self.data.n_rows["train"]
        self.batch = min(c0.batch_size or n_train, n_train)
        self.total_epochs = c0.epochs
        self.epoch = 0
        self.outcomes: dict[int, Outcome] = {}
        self.history: dict[int, dict[str, list[float]]] = {i: {} for i in range(len(configs))}
        self.generators = [torch.Generator().manual_seed(c.seed) for c in configs]
        self.stoppers = {i: EarlyStopping(c.patience, c.min_delta) for i, c in enumerate(configs) if c.patience}
        self._active = list(range(len(configs)))
        self.stack = StackedMLP(self.sizes, len(configs), c0.activation, dtype=dtype, device=self.device)
        self.stack.init_glorot(self.generators)
        self.optimizer = StackOptimizer(self.stack, sgd=c0.optimizer == "sgd")
        self.best = self.stack.params.clone() if self.stoppers else None  # weights of each stopper's best epoch
        self.trivial = self.data.trivial_losses()  # per run: the training data loss of a constant prediction
        self._refresh()

    @property
    def active(self) -> list[int]:
        """Run indices still training, in stack order (a copy)."""
        return list(self._active)

    def positions(self, ids: Sequence[int]) -> torch.Tensor:
        """Positions in the stack of the active runs ``ids``."""
        return torch.tensor([self._active.index(i) for i in ids], device=self.device)

    def _refresh(self) -> None:
        """Rebuilds :attr:`coefficients` from the active runs' configs (after any change to either)."""
        self.coefficients = Coefficients.from_configs([self.configs[i] for i in self._active], self.stack.n_layers, self.dtype, self.device)

    def _require_active(self, index: int) -> None:
        if index not in self._active:
            raise ValueError(f"Run {index} is not training (finished or unknown); active runs: {self._active}.")

    def set_hyperparameters(
        self, index: int, *, lr: float | None = None, penalty: Regularizer | None = None, l1_method: str | None = None
    ) -> None:
        """Changes a run's learning rate, penalty or L1 method; training goes on from its current weights."""
        self._require_active(index)
        changes = {k: v for k, v in (("lr", lr), ("penalty", penalty), ("l1_method", l1_method)) if v is not None}
        if "penalty" in changes and not isinstance(changes["penalty"], dict):
            changes["penalty"] = changes["penalty"].model_dump(by_alias=True)
        self.configs[index] = self.configs[index].replace(**changes)
        self._refresh()

    # training ------------------------------------------------------------------------------

    def epochs(self) -> Iterator[EpochReport]:
        """Trains epoch by epoch until every run has finished, yielding a report after each epoch."""
        while self._active:
            yield self._run_epoch()

    def run(self) -> dict[int, Outcome]:
        """Trains to the end and returns every run's outcome."""
        for _ in self.epochs():
            pass
        return self.outcomes

    def _run_epoch(self) -> EpochReport:
        stack, coefficients, n = self.stack, self.coefficients, self.data.n_rows["train"]
        m, f = len(self._active), self.sizes[0]
        rows, noise, drop = self.data.draw_epoch(self.generators, self._active, coefficients, self.sizes[1:-1])
        dropout = coefficients.any_dropout
        loss_sum = torch.zeros(m, dtype=self.dtype, device=self.device)
        score_sum = torch.zeros(m, dtype=self.dtype, device=self.device)
        X, y_all = self.data.X["train"], self.data.y["train"]
        for start in range(0, n, self.batch):
            b = min(self.batch, n - start)
            ws = stack.workspace(b, dropout)
            idx = rows[:, start : start + b]
            torch.index_select(X, 0, idx.reshape(-1), out=ws.x.view(m * b, f))
            if noise is not None:
                ws.x.add_(noise[:, start : start + b])
            if dropout:
                for layer, keep in enumerate(drop):
                    torch.mul(keep[:, start : start + b], coefficients.drop_scale, out=ws.mask[layer])
            batch_loss, batch_score = self.forward_backward(ws.x, y_all[idx], ws, dropout)
            loss_sum.add_(batch_loss)
            score_sum.add_(batch_score)
            # update
            self.optimizer.step(stack, coefficients)
        self.epoch += 1
        return self._end_epoch(loss_sum, score_sum)

    def forward_backward(
        self, x: torch.Tensor, y: torch.Tensor, ws: Workspace | None = None, dropout: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Fills ``stack.grads`` with ∂(batch-mean data loss + penalty)/∂θ for a batch ``x`` ``[M, B, F]``, ``y`` ``[M, B]``.

        Model ``k`` of the stack sees ``x[k]``. With ``dropout``, the scaled masks already in
        ``ws.mask`` apply. Returns per-model sums of the data loss and of the score over the batch.
        """
        stack = self.stack
        ws = ws or stack.workspace(x.shape[1], dropout)
        # forward
        out = stack.forward(x, ws, dropout)
        # loss
        grad_out, batch_loss, batch_score = data_loss(self.task, out, y, need_grad=True)
        # penalty
        penalty_gradient_(stack.kernels, stack.kernel_grads, self.coefficients)
        # backward
        stack.backward(x, grad_out, ws, dropout)
        return batch_loss, batch_score

    # measuring -----------------------------------------------------------------------------

    def penalty_values(self, stack: StackedMLP | None = None, ids: Sequence[int] | None = None) -> torch.Tensor:
        """``Σ_l l1·Σ|W_l| + l2·ΣW_l²`` per model over the penalised kernels (``stack`` holds the runs ``ids``)."""
        if ids is None:
            return penalty_value((stack or self.stack).kernels, self.coefficients)
        coefficients = Coefficients.from_configs([self.configs[i] for i in ids], self.stack.n_layers, self.dtype, self.device)
        return penalty_value((stack or self.stack).kernels, coefficients)

    def evaluate(self, part: str, stack: StackedMLP | None = None, ids: Sequence[int] | None = None) -> dict[str, torch.Tensor]:
        """Data loss and score of each model on ``part`` ("train", "val", "test"), dropout off.

        ``stack`` (by default the trainer's) holds the runs ``ids`` (by default :attr:`active`).
        """
        return self.data.evaluate(stack or self.stack, part, list(self._active if ids is None else ids))

    def _end_epoch(self, loss_sum: torch.Tensor, score_sum: torch.Tensor) -> EpochReport:
        ids = list(self._active)
        metrics = self.data.metrics(loss_sum, score_sum, "train", ids)
        penalty = self.penalty_values()
        metrics = {"loss": metrics["data_loss"] + penalty, "penalty": penalty, **metrics}
        if self.data.n_rows["val"]:
            metrics.update({f"val_{k}": v for k, v in self.evaluate("val").items()})
        names = list(metrics)
        table = reported(torch.stack([metrics[k] for k in names]))
        report = EpochReport(self.epoch, {})
        finished: dict[str, list[int]] = {"diverged": [], "early_stopped": [], "completed": []}
        improved = []
        for k, i in enumerate(ids):
            row = report.metrics[i] = {name: table[j][k] for j, name in enumerate(names)}
            for name, value in row.items():
                self.history[i].setdefault(name, []).append(value)
            if self.exploded(i, row):
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
            pos = self.positions(improved)
            for src, dst in zip(sum(self.stack.views(self.stack.params), []), sum(self.stack.views(self.best), [])):
                dst.index_copy_(0, pos, src.index_select(0, pos))
        for status, done in finished.items():
            if done:
                self._finish(done, status)
                report.finished.extend(done)
        return report

    def exploded(self, index: int, row: dict[str, float]) -> bool:
        """The divergence rule of the module docstring, for run ``index`` and this epoch's metrics ``row``."""
        loss, data = row["loss"], row["data_loss"]
        if not (math.isfinite(loss) and math.isfinite(data)):
            return True
        first = self.history[index]["data_loss"][0]
        return data > EXPLODED_FROM_START * first or data > EXPLODED_FROM_TRIVIAL * self.trivial[index]

    # leaving the stack ----------------------------------------------------------------------

    def prune(self, index: int) -> None:
        """Stops run ``index`` now (its current weights are kept); the rest of the stack trains on."""
        self._require_active(index)
        self._finish([index], "pruned")

    def _finish(self, ids: list[int], status: str) -> None:
        """Moves runs ``ids`` to :attr:`outcomes` (best weights restored unless diverged) and compacts the stack."""
        pos = self.positions(ids)
        sub = self.stack.select(pos)
        restore = [k for k, i in enumerate(ids) if i in self.stoppers and self.stoppers[i].best_epoch is not None and status != "diverged"]
        if restore:
            best = self.stack.select_flat(self.best, pos)
            for src, dst in zip(sum(self.stack.views(best, len(ids)), []), sum(sub.views(sub.params), []), strict=True):
                dst[restore] = src[restore]
        parts = {}
        for part in PARTS:
            if self.data.n_rows[part]:
                vals = self.evaluate(part, sub, ids)
                pen = self.penalty_values(sub, ids)
                parts[part] = {"loss": vals["data_loss"] + pen, "penalty": pen, **vals}
        self.outcomes.update(finished_outcomes(ids, status, self.epoch, sub, parts, restore, self.stoppers, self.history))
        keep = [i for i in self._active if i not in ids]
        if keep:
            pos = self.positions(keep)
            self.optimizer.select(self.stack, pos)
            if self.best is not None:
                self.best = self.stack.select_flat(self.best, pos)
            self.stack = self.stack.select(pos)
        self._active = keep
        if keep:
            self._refresh()

    # state ---------------------------------------------------------------------------------

    def state_dict(self) -> dict:
        """Everything needed to resume exactly: weights, moments, RNG states, epoch, history, outcomes."""
        return Snapshot(self).state_dict()

    def snapshot(self) -> Snapshot:
        """The state between epochs, taken cheaply (tensors copied, histories by length): call it after
        an epoch; :meth:`Snapshot.state_dict` later gives this moment's :meth:`state_dict` even if a
        later epoch was interrupted half-way."""
        return Snapshot(self)

    def load_state_dict(self, state: dict) -> None:
        """Restores a :meth:`state_dict` taken from a trainer built with the same runs and data."""
        restored = read_state(state, n_runs=len(self.configs))
        self.configs, self.epoch, self._active = restored.configs, restored.epoch, restored.active
        self.stack = StackedMLP(self.sizes, len(self._active), self.configs[0].activation, dtype=self.dtype, device=self.device)
        self.stack.params.copy_(restored.params)
        self.optimizer = StackOptimizer(self.stack, sgd=self.optimizer.sgd)
        self.optimizer.load_state_dict(restored.optimizer)
        self.best = None if restored.best is None else restored.best.to(self.device, self.dtype).clone()
        for g, s in zip(self.generators, restored.generators):
            g.set_state(s)
        for i, s in restored.stoppers.items():
            self.stoppers[i].load_state_dict(s)
        self.history, self.outcomes = restored.history, restored.outcomes
        self._refresh()
