"""Which runs can train together as one stack: one rule, used to group runs and to check a stack.

Runs share a stack when they share what the stacked tensors and the batch plan are made of: the
hidden widths and activation, the number of epochs and the batch size, the optimiser family (SGD,
or Adam and AdamW, which differ by coefficients only), the task, the shapes of every part of the
data and the number of outputs. Everything else (λ, penalty, L1 method, dropout, learning rate,
momentum, decay, input noise, seed, early stopping, the data's values) is per model.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from reglab.config import RunConfig
from reglab.data import Split
from reglab.errors import ConfigError

__all__ = ["check_stack", "stack_key"]


def stack_key(config: RunConfig, split: Split) -> Hashable:
    """Equal keys mean the two runs can train in one stack."""
    return (
        config.hidden, config.activation, config.epochs, config.batch_size, config.optimizer == "sgd",
        split.task, split.X_train.shape, split.X_val.shape, split.X_test.shape, split.n_outputs,
    )  # fmt: skip


def check_stack(configs: Sequence[RunConfig], splits: Sequence[Split]) -> None:
    """Raises unless ``configs[i]`` on ``splits[i]`` can all train as one stack.

    A run with early stopping (``patience``) also needs validation rows.
    """
    if not configs or len(configs) != len(splits):
        raise ValueError(f"A stack needs one split per config and at least one run. Got {len(configs)} configs and {len(splits)} splits.")
    first = stack_key(configs[0], splits[0])
    for c, s in zip(configs, splits):
        if stack_key(c, s) != first:
            raise ValueError("All runs of a stack must share architecture, optimizer family, epochs, batch size and data shapes.")
        if c.patience is not None and len(s.X_val) == 0:
            needs = f"The 'patience' parameter ({c.patience}) needs validation data: set val_size > 0."
            raise ConfigError(f"{needs} Got val_size={s.config.val_size!r} instead.")
