"""Changes to a playground run's models while it trains, each going on from the models' current weights.

A model's learning rate, penalty, λ and L1 method change in place
(:meth:`~reglab.engine.StackTrainer.set_hyperparameters`). A change of the training settings every model
shares (optimizer, batch size, dropout, weight decay, penalised output, early stopping), and taking up
again a model that stopped early or reached the end, builds a new trainer that goes on from the old one
(:func:`carried_over`): same weights, epoch count, history, random generators and, where they still
apply, optimizer moments and early-stopping states. A model that diverged cannot go on (its weights blew
up): a change to it is refused in words, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from reglab.config import RunConfig
from reglab.engine import StackTrainer
from reglab.engine.stack import StackedMLP
from reglab.web.frames import model_weights
from reglab.web.models import TrainingChange

__all__ = ["carried_over", "diverged_refusal", "training_changes"]

_SHARED = ("optimizer", "batch_size", "dropout", "weight_decay", "regularize_output", "patience")
_WORDS = {
    "optimizer": "optimizer", "batch_size": "batch", "dropout": "dropout", "weight_decay": "weight decay",
    "regularize_output": "penalise output", "patience": "patience",
}  # fmt: skip


def diverged_refusal(trainer: StackTrainer, index: int) -> str:
    """Why model ``index``, which diverged, cannot be changed or taken up again."""
    epoch = trainer.outcomes[index].diverged_epoch
    return (
        f"Model {index + 1} diverged at epoch {epoch}: its weights blew up, so there is nothing to go on from. "
        "Press ⟲ Reset to train again with new settings."
    )


def carried_over(trainer: StackTrainer, configs: Sequence[RunConfig], revive: Collection[int] = ()) -> StackTrainer:
    """A trainer of ``configs`` (the same architecture and data) that goes on from ``trainer``: the runs still
    training and the finished runs ``revive`` (none of them diverged) train on from their current weights.

    The epoch count, histories, random generators and finished runs' outcomes carry over. The optimizer's
    moments and step count carry over when its kind (SGD or Adam) and the runs in the stack stay; otherwise
    they start from zero, as a fresh optimizer's. Early-stopping states carry over when the same runs watch
    with the same stack; otherwise they start afresh.
    """
    assert all(trainer.outcomes[i].status != "diverged" for i in revive if i in trainer.outcomes), "a diverged run cannot go on"
    old = trainer.state_dict()
    active = trainer.active + sorted(i for i in revive if i not in trainer.active)
    new = StackTrainer(configs, trainer.splits, device=trainer.device, dtype=trainer.dtype)
    stack = StackedMLP(new.sizes, len(active), configs[0].activation, dtype=trainer.dtype, device=trainer.device)
    weights = model_weights(trainer)
    for k, i in enumerate(active):
        kernels, biases = weights[i]
        for layer, (w, b) in enumerate(zip(kernels, biases)):
            stack.kernels[layer][k].copy_(w)
            stack.biases[layer][k].copy_(b)
    same_stack = active == trainer.active
    moments = same_stack and new.optimizer.sgd == trainer.optimizer.sgd
    stoppers = same_stack and set(new.stoppers) == set(old["stoppers"])
    state = {
        "epoch": trainer.epoch,
        "step_count": old["step_count"] if moments else 0,
        "active": active,
        "configs": [c.model_dump(mode="json", by_alias=True) for c in configs],
        "params": stack.params,
        "moment1": old["moment1"] if moments else stack.new_flat(),
        "moment2": None if new.optimizer.sgd else old["moment2"] if moments else stack.new_flat(),
        "best": (old["best"] if stoppers else stack.params.clone()) if new.stoppers else None,
        "generators": old["generators"],
        "stoppers": old["stoppers"] if stoppers else {i: s.state_dict() for i, s in new.stoppers.items()},
        "history": old["history"],
        "outcomes": {i: o for i, o in old["outcomes"].items() if i not in active},
    }
    new.load_state_dict(state)
    return new


def training_changes(configs: Sequence[RunConfig], change: TrainingChange) -> tuple[list[RunConfig], str]:
    """Every model's config with the shared settings of ``change``, and the words of what changed
    (``"dropout 0 → 0.2, batch 32 → 64"``; empty when nothing did)."""
    c0, fields, words = configs[0], {}, []
    for name in _SHARED:
        value = getattr(change, name)
        if value is None:
            continue
        if name == "patience":
            value = value or None  # 0: off
        now = getattr(c0, name)
        if name == "weight_decay":
            now = c0.decay
        if value != now:
            fields[name] = value
            words.append(f"{_WORDS[name]} {_shown(now)} → {_shown(value)}")
    return [c.replace(**fields) for c in configs] if fields else list(configs), ", ".join(words)


def _shown(value) -> str:
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)
