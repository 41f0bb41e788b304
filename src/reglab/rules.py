"""The rules that reglab's inputs obey, each stated once: intervals, limits, the names a value may take, and the
conventions every face and report reads (the validation fraction, the confidence level).

A rule (:class:`Interval`, :class:`Widths`) is used twice: by the configs, as a pydantic annotation
(:meth:`Interval.annotated`), and by the command line and the web API, which parse text with the same rule
(:meth:`Interval.parse`), so that all refuse the same values in the same words:
"The 'dropout' parameter must be a float in [0, 1). Got 1.0 instead." This module sits below the configs and the
penalties (:mod:`reglab.config`, :mod:`reglab.regularizers`) and imports nothing of reglab but its errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import annotated_types
from pydantic import BeforeValidator

from reglab.errors import ConfigError

__all__ = [
    "ACTIVATIONS", "ALPHA", "COUNT", "DATASETS", "EPOCHS", "GENERATORS", "Interval", "L1_METHODS", "LEVEL",
    "MAX_DEPTH", "MAX_EPOCHS", "MAX_SEED", "MAX_SEEDS", "MAX_WIDTH", "MISSING_RULES", "NON_NEGATIVE", "OPEN_RATE",
    "OPTIMIZERS", "POSITIVE", "POWER", "RATE", "REAL", "SEED", "SEEDS", "STATUSES", "TASKS", "TASK_CHOICES", "UNIT",
    "VALIDATION_FRACTION", "WIDTH", "WIDTHS", "Widths",
]  # fmt: skip

Activation = Literal["relu", "tanh", "sigmoid", "gelu", "linear"]  # after every hidden layer (linear: none)
Optimizer = Literal["sgd", "adam", "adamw"]
L1Method = Literal["proximal", "subgradient"]  # proximal: soft-threshold after each step; subgradient: as Keras
TaskChoice = Literal["auto", "classification", "regression"]  # what a user may state; auto: from the target
MissingRule = Literal["error", "drop", "impute"]  # missing cells of a CSV file: refuse, drop their rows, fill them
ACTIVATIONS, OPTIMIZERS, L1_METHODS, TASK_CHOICES, MISSING_RULES = (
    get_args(t) for t in (Activation, Optimizer, L1Method, TaskChoice, MissingRule)
)
TASKS = ("binary", "multiclass", "regression")  # what a dataset asks of the model (its output and loss)
STATUSES = ("completed", "early_stopped", "pruned", "diverged")  # how a run ended
GENERATORS = ("moons", "circles", "xor", "spirals", "blobs", "regression")  # 2-D synthetic (reglab.data.generators)
REAL = ("breast_cancer", "wine", "digits", "diabetes")  # shipped with scikit-learn, no download
DATASETS = GENERATORS + REAL  # the built-in datasets, by name
MAX_WIDTH = 65536  # widest hidden layer
MAX_DEPTH = 16  # most hidden layers
MAX_SEED = 2**32 - 1  # scikit-learn's random_state is a 32-bit seed
MAX_EPOCHS = 100_000  # most passes over the training rows
MAX_SEEDS = 10_000  # most seeds per configuration of a sweep
VALIDATION_FRACTION = 0.2  # of the training rows, held out when a workflow needs validation data and none was asked for
LEVEL = 0.95  # of every confidence interval reglab states
ALPHA = 0.05  # two-sided significance of every test: an interval at LEVEL excludes 0 exactly when p < ALPHA = 1 − LEVEL
POWER = 0.8  # of every smallest detectable effect reglab states


@dataclass(frozen=True)
class Interval:
    """Numbers of one ``kind`` (int, or finite float; never bool) from ``low`` to ``high``, each bound
    included unless ``*_open``. ``expected`` says so in the words of every error message."""

    kind: type
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    @property
    def expected(self) -> str:
        if self.low is not None and self.high is not None:
            if self.kind is int:
                return f"an int between {self.low} and {self.high}"
            return f"a float in {'(['[not self.low_open]}{self.low:g}, {self.high:g}{')]'[not self.high_open]}"
        noun = "an int" if self.kind is int else "a finite float"
        return noun if self.low is None else f"{noun} {'>' if self.low_open else '>='} {self.low:g}"

    def accepts(self, value: Any) -> bool:
        numbers = int if self.kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, numbers) or not math.isfinite(value):
            return False
        low_ok = self.low is None or (value > self.low if self.low_open else value >= self.low)
        return low_ok and (self.high is None or (value < self.high if self.high_open else value <= self.high))

    def parse(self, text: str) -> int | float | None:
        """The value of option text such as ``"0.01"``, or None when the rule refuses it."""
        try:
            value = self.kind(text.strip())
        except ValueError:
            return None
        return value if self.accepts(value) else None

    def check(self, name: str, value: Any, owner: str | None = None) -> int | float:
        """``value`` as ``kind``, or a ConfigError naming the parameter (``of owner`` when given)."""
        if not self.accepts(value):
            where = f"'{name}' parameter" + (f" of {owner}" if owner else "")
            raise ConfigError(f"The {where} must be {self.expected}. Got {value!r} instead.")
        return self.kind(value)

    def annotated(self) -> Any:
        """``Annotated[kind, bounds, check]`` for a pydantic field: the bounds for JSON schemas, the
        check (run first) for the message."""
        bounds = []
        if self.low is not None:
            bounds.append(annotated_types.Gt(self.low) if self.low_open else annotated_types.Ge(self.low))
        if self.high is not None:
            bounds.append(annotated_types.Lt(self.high) if self.high_open else annotated_types.Le(self.high))
        return Annotated[(self.kind, *bounds, BeforeValidator(lambda value, info: self.check(info.field_name, value)))]


@dataclass(frozen=True)
class Widths:
    """Hidden-layer widths: 1 to ``MAX_DEPTH`` layers of 1 to ``MAX_WIDTH`` units, as text ``"128,128"``
    or as a sequence of ints."""

    expected: str = f"comma-separated widths between 1 and {MAX_WIDTH}, at most {MAX_DEPTH} layers, such as 128,128"

    def parse(self, text: str) -> tuple[int, ...] | None:
        return self.of([WIDTH.parse(item) for item in text.split(",")])

    def of(self, items: Any) -> tuple[int, ...] | None:
        items = list(items) if isinstance(items, (list, tuple)) else [items]
        widths = [int(w) if isinstance(w, float) and w.is_integer() else w for w in items]  # 128.0 from JSON is 128
        ok = 1 <= len(widths) <= MAX_DEPTH and all(WIDTH.accepts(w) for w in widths)
        return tuple(widths) if ok else None

    def check(self, name: str, value: Any) -> tuple[int, ...]:
        widths = self.parse(value) if isinstance(value, str) else self.of(value)
        if widths is None:
            raise ConfigError(f"The '{name}' parameter must be {self.expected}. Got {value!r} instead.")
        return widths


NON_NEGATIVE = Interval(float, 0)  # penalty strengths, weight decay, noise, tolerances
POSITIVE = Interval(float, 0, low_open=True)  # learning rate
RATE = Interval(float, 0, 1, high_open=True)  # dropout, momentum, validation fraction
OPEN_RATE = Interval(float, 0, 1, low_open=True, high_open=True)  # test fraction
UNIT = Interval(float, 0, 1)  # skills and probabilities
COUNT = Interval(int, 1)  # batch size, patience, threads
EPOCHS = Interval(int, 1, MAX_EPOCHS)
SEEDS = Interval(int, 1, MAX_SEEDS)  # seeds per configuration
SEED = Interval(int, 0, MAX_SEED)
WIDTH = Interval(int, 1, MAX_WIDTH)
N_SAMPLES = Interval(int, 4)  # a stratified split needs a few points
N_CLASSES = Interval(int, 2)
WIDTHS = Widths()
