"""Early stopping as a small state machine, one per model of a stack.

It watches a value to minimise (reglab monitors the validation *data* loss, without the penalty,
so that runs with different λ are judged on the same scale). An epoch improves when
``value < best − min_delta``; after ``patience`` epochs in a row without improvement the run stops
and, in reglab, the weights of the best epoch are restored. A NaN or infinite value never improves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from reglab.errors import ConfigError

__all__ = ["EarlyStopping"]


@dataclass
class EarlyStopping:
    patience: int  # epochs without improvement tolerated before stopping
    min_delta: float = 0.0  # smallest decrease that counts as an improvement
    best: float = math.inf  # best value seen so far
    best_epoch: int | None = None  # epoch (1-based) of the best value
    wait: int = 0  # epochs since the last improvement
    improved: bool = False  # whether the last update improved
    stopped: bool = False  # whether patience has run out

    def __post_init__(self) -> None:
        if isinstance(self.patience, bool) or not isinstance(self.patience, int) or self.patience < 1:
            raise ConfigError(f"The 'patience' parameter must be an int >= 1. Got {self.patience!r} instead.")
        if not math.isfinite(self.min_delta) or self.min_delta < 0:
            raise ConfigError(f"The 'min_delta' parameter must be a finite float >= 0. Got {self.min_delta!r} instead.")

    def update(self, value: float, epoch: int) -> bool:
        """Records the value of ``epoch``; returns True when training should stop now."""
        self.improved = math.isfinite(value) and value < self.best - self.min_delta
        if self.improved:
            self.best, self.best_epoch, self.wait = value, epoch, 0
        else:
            self.wait += 1
        self.stopped = self.wait >= self.patience
        return self.stopped

    def reset(self) -> None:
        """Forgets everything seen, keeping patience and min_delta."""
        self.best, self.best_epoch, self.wait = math.inf, None, 0
        self.improved = self.stopped = False

    def state_dict(self) -> dict:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait, "improved": self.improved, "stopped": self.stopped}

    def load_state_dict(self, state: dict) -> None:
        for key, value in state.items():
            setattr(self, key, value)
