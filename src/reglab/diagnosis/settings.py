"""What a diagnosis trains, and the defaults that suit a table of 200 rows as well as one of 50,000.

The schedule is scaled to the number of training rows ``n`` (after the test and validation parts are
held out), unless the user fixes it:

* batch size: 32 while ``n <= 3,200``; above, the power of two nearest ``n / 100`` (about 100 steps
  per epoch), at most 512;
* epochs: ``ceil(50,000 / n)`` passes over the data, at least 20 and at most 200 (200 rows: 200
  epochs; breast cancer, 319 training rows: 157; 50,000 rows, 28,000 training rows: 20);
* early stopping: patience ``max(5, ceil(300 / steps per epoch))`` epochs on the validation data loss
  (at most the cap), best weights restored: 300 steps without improvement, however many epochs that
  is, because a plateau of the validation loss lasts some number of *steps* (200 moons points,
  4 steps per epoch: the loss of a 256×256 network rests near its first minimum for about 40 epochs
  before it falls well below it; a patience of 20 epochs stopped it on the plateau, at the accuracy of a
  straight boundary). 112 training rows: 75 epochs; 319: 30; 3,200 and more: 5. It applies to the
  search, the reference and the tuned model; the baseline of the detection is the user's model as it
  is, trained for the whole cap, so that its validation part chooses nothing and its train/validation
  gap is honest.

Seeds: the split is fixed by the data seed (the same rows for every model, so that models are
compared pairwise); model seeds ``seed … seed + seeds − 1`` detect, ``seed … seed + search_seeds − 1``
search, and ``seed + VERIFY_OFFSET …`` verify on seeds nothing above has used: ``seeds`` of them on a
generator's fresh sample, one per fit (``folds · repeats``) on a table's repeated k-fold, whose folds are
dealt from the seed ``seed + VERIFY_OFFSET`` too (:mod:`reglab.diagnosis.verify`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Union

from reglab.config import COUNT, RunConfig
from reglab.errors import ConfigError
from reglab.regularizers import PENALTY_KINDS
from reglab.rules import LEVEL
from reglab.tuning.space import SearchSpace

__all__ = [
    "DEFAULT_SPACE", "DIAGNOSE_MIN_TRAIN_ROWS", "REFERENCE_FLOOR", "VERIFY_OFFSET", "Schedule", "Settings",
    "reference_hidden", "scaled_batch_size", "scaled_epochs", "scaled_patience",
]  # fmt: skip

ROW_PASSES = 50_000  # rows seen per model, spread over the epochs
PATIENCE_STEPS = 300  # steps without improvement of the validation loss before early stopping
AUTO_MIN_EPOCHS, AUTO_MAX_EPOCHS = 20, 200  # the range of a diagnosis's automatic epochs (rules.MAX_EPOCHS bounds any run)
SMALL_BATCH, MAX_BATCH, STEPS_SCALE = 32, 512, 100
DIAGNOSE_MIN_TRAIN_ROWS = 20  # fewer training rows cannot tell over- from underfitting
VERIFY_OFFSET = 1000  # verification seeds start here above --seed: fresh, never searched
REFERENCE_FLOOR = 128  # the reference's hidden widths: twice the user's, at least this
DEFAULT_SPACE = SearchSpace(tuple(k for k in PENALTY_KINDS if k != "none"), 1e-5, 1.0, 0.0, 0.5)  # every penalty kind
Auto = Literal["auto"]


def scaled_batch_size(n_train: int) -> int:
    """32 up to 3,200 training rows (all rows when fewer), else the power of two nearest n/100, at most 512."""
    if n_train <= SMALL_BATCH * STEPS_SCALE:
        return min(SMALL_BATCH, n_train)
    return min(MAX_BATCH, 2 ** round(math.log2(n_train / STEPS_SCALE)))


def scaled_epochs(n_train: int) -> int:
    """``ceil(50,000 / n_train)`` clipped to [20, 200]."""
    return min(AUTO_MAX_EPOCHS, max(AUTO_MIN_EPOCHS, math.ceil(ROW_PASSES / n_train)))


def scaled_patience(epochs: int, steps_per_epoch: int) -> int:
    """``max(5, ceil(300 / steps_per_epoch))``, at most ``epochs``."""
    return min(epochs, max(5, math.ceil(PATIENCE_STEPS / steps_per_epoch)))


def reference_hidden(hidden: tuple[int, ...]) -> tuple[int, ...]:
    """The reference's widths: ``max(2·w, 128)`` for each hidden layer ``w``."""
    return tuple(max(2 * w, REFERENCE_FLOOR) for w in hidden)


@dataclass(frozen=True)
class Schedule:
    """The schedule every model of one diagnosis shares, and where each number came from."""

    epochs: int  # the cap; early stopping may end sooner
    batch_size: int | None  # None: full batch
    patience: int | None  # early stopping of the searched and tuned models; None: off
    chosen: dict[str, str]  # option -> "scaled to N training rows" or "given"


@dataclass(frozen=True)
class Settings:
    """How a diagnosis searches and verifies (the model itself is the base RunConfig)."""

    seeds: int = 5  # model seeds of the detection and of the verification
    search_seeds: int = 3  # model seeds per searched configuration (the objective averages them)
    budget: int = 30  # finished trials of the search
    batch: int = 10  # trials trained as one stack by the TPE search
    space: SearchSpace = field(default_factory=lambda: DEFAULT_SPACE)
    epochs: Union[int, Auto] = "auto"
    batch_size: Union[int, None, Auto] = "auto"  # None: full batch
    patience: Union[int, None, Auto] = "auto"  # None: no early stopping
    storage: str | None = None  # a database URL; None: SQLite in the output folder (or a temporary one)
    study: str | None = None  # None: named after the data, model and search
    heartbeat: int = 10
    confidence: float = LEVEL  # of every interval the diagnosis states
    folds: int = 5  # verification on a table: k of the repeated k-fold
    repeats: int = 2  # verification on a table: repeats of the k-fold (fits = folds · repeats)
    fresh_rows: int = 20_000  # verification on a generator's data: points of the fresh sample

    def __post_init__(self) -> None:
        for name in ("seeds", "search_seeds", "budget", "batch", "heartbeat", "folds", "repeats", "fresh_rows"):
            COUNT.check(name, getattr(self, name))
        if self.folds < 2:
            raise ConfigError(f"The 'folds' parameter must be an int >= 2 (one fold tests, the others train). Got {self.folds!r} instead.")
        if self.seeds < 2:
            raise ConfigError(f"The 'seeds' parameter must be an int >= 2 (a paired test needs two pairs). Got {self.seeds!r} instead.")
        for name in ("epochs", "patience"):
            value = getattr(self, name)
            if value != "auto" and not (name == "patience" and value is None):
                COUNT.check(name, value)
        if self.batch_size not in ("auto", None):
            COUNT.check("batch_size", self.batch_size)

    def schedule(self, n_train: int) -> Schedule:
        """The epochs, batch size and patience for ``n_train`` training rows (see the module docstring)."""
        scaled = f"scaled to {n_train} training rows"
        epochs = scaled_epochs(n_train) if self.epochs == "auto" else self.epochs
        batch = scaled_batch_size(n_train) if self.batch_size == "auto" else self.batch_size
        steps = math.ceil(n_train / batch) if batch else 1
        patience = scaled_patience(epochs, steps) if self.patience == "auto" else self.patience
        chosen = {name: scaled if getattr(self, name) == "auto" else "given" for name in ("epochs", "batch_size", "patience")}
        return Schedule(epochs, batch, patience, chosen)

    def verify_seeds(self, base: RunConfig) -> range:
        """The fresh sample's model seeds (repeated k-fold takes one per fit from the same start)."""
        start = base.seed + VERIFY_OFFSET
        return range(start, start + self.seeds)
