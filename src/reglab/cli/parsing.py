"""Reading option values: every value arrives as text and stays text until a rule accepts it.

A rule (:class:`Number`, :class:`Choice`, :class:`Widths`) parses one value or says what it expected;
:func:`one` and :func:`many` turn a refusal into an :class:`OptionError` whose message is the one line
the user sees: the option, what was expected and what was received.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

import torch

from reglab.errors import OptionError


class Rule(Protocol):
    """How to read one value: ``parse`` gives the value, or None when ``text`` is not acceptable."""

    expected: str  # what is acceptable, in words: "a finite float >= 0"

    def parse(self, text: str) -> Any: ...


@dataclass(frozen=True)
class Number:
    """An int or a finite float that satisfies ``ok``; ``expected`` says so in words."""

    kind: type
    expected: str
    ok: Callable[[float], bool]

    def parse(self, text: str) -> int | float | None:
        try:
            value = self.kind(text.strip())
        except ValueError:
            return None
        finite = self.kind is int or math.isfinite(value)
        return value if finite and self.ok(value) else None


@dataclass(frozen=True)
class Choice:
    """One of a few words."""

    choices: tuple[str, ...]

    @property
    def expected(self) -> str:
        return f"one of {', '.join(self.choices)}"

    def parse(self, text: str) -> str | None:
        return text.strip() if text.strip() in self.choices else None


@dataclass(frozen=True)
class Widths:
    """Comma-separated hidden-layer widths, such as ``128,128``."""

    expected: str = "comma-separated layer widths >= 1, such as 128,128"

    def parse(self, text: str) -> tuple[int, ...] | None:
        widths = [COUNT.parse(item) for item in text.split(",")]
        return None if None in widths else tuple(widths)


NON_NEGATIVE = Number(float, "a finite float >= 0", lambda v: v >= 0)
POSITIVE = Number(float, "a finite float > 0", lambda v: v > 0)
RATE = Number(float, "a float in [0, 1)", lambda v: 0 <= v < 1)
OPEN_RATE = Number(float, "a float in (0, 1)", lambda v: 0 < v < 1)
UNIT = Number(float, "a float in [0, 1]", lambda v: 0 <= v <= 1)
COUNT = Number(int, "an int >= 1", lambda v: v >= 1)
SEED = Number(int, "an int >= 0", lambda v: v >= 0)
N_SAMPLES = Number(int, "an int >= 4", lambda v: v >= 4)
N_CLASSES = Number(int, "an int >= 2", lambda v: v >= 2)
WIDTHS = Widths()
ARCHITECTURE_SEPARATORS = (";", "/")
DEFAULT_BATCH_SIZE = 32  # on data with fewer training rows, one batch of all of them


def fail(option: str, expected: str, got: str) -> NoReturn:
    raise OptionError(f"The '{option}' option must be {expected}. Got {got!r} instead.")


def one(option: str, text: str, rule: Rule) -> Any:
    """The value of ``text`` by ``rule``, or an OptionError naming ``option``."""
    value = rule.parse(text)
    if value is None:
        fail(option, rule.expected, text)
    return value


def many(option: str, text: str, rule: Rule, separators: Sequence[str] = (",",)) -> list[Any]:
    """The values of a list such as ``0.01,0.1``, each by ``rule``, in order without repeats; the
    error names the bad item."""
    values = []
    for item in re.split("|".join(map(re.escape, separators)), text):
        value = rule.parse(item)
        if value is None:
            listed = " or ".join(map(repr, separators))
            listed = "a comma-separated list of them" if separators == (",",) else f"a list of them separated by {listed}"
            raise OptionError(
                f"The '{option}' option must be {rule.expected}, or {listed}. Got item {item!r} of {text!r} instead."
            )
        values.append(value)
    return list(dict.fromkeys(values))


def parse_batch_size(text: str | None) -> int | None:
    """``full`` (None: one batch of all training rows) or an int >= 1; 32 when not given."""
    if text is None:
        return DEFAULT_BATCH_SIZE
    if text.strip() == "full":
        return None
    value = COUNT.parse(text)
    if value is None:
        fail("--batch-size", "an int >= 1 or 'full'", text)
    return value


def parse_device(text: str) -> str:
    name = one("--device", text, Choice(("cpu", "cuda")))
    if name == "cuda" and not torch.cuda.is_available():
        fail("--device", "'cpu' on this machine (no CUDA GPU is available)", text)
    return name
