"""Reading option values: every value arrives as text and stays text until a rule accepts it.

A rule parses one value or says what it expected. The numeric rules (:class:`reglab.config.Interval`,
:class:`reglab.config.Widths`) are the configs' own, so an option and the config field it fills refuse
the same values in the same words; :class:`Choice` reads one of a few words. :func:`one` and
:func:`many` turn a refusal into an :class:`OptionError` whose message is the one line the user sees:
the option, what was expected and what was received.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, Protocol

from reglab.cli.options import DEFAULT_BATCH_SIZE, DEVICES
from reglab.config import COUNT
from reglab.errors import OptionError


class Rule(Protocol):
    """How to read one value: ``parse`` gives the value, or None when ``text`` is not acceptable."""

    expected: str  # what is acceptable, in words: "a finite float >= 0"

    def parse(self, text: str) -> Any: ...


@dataclass(frozen=True)
class Choice:
    """One of a few words."""

    choices: tuple[str, ...]

    @property
    def expected(self) -> str:
        return f"one of {', '.join(self.choices)}"

    def parse(self, text: str) -> str | None:
        return text.strip() if text.strip() in self.choices else None


ARCHITECTURE_SEPARATORS = (";", "/")


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
    """``full`` (None: one batch of all training rows) or an int >= 1; the config's default when not given."""
    if text is None:
        return DEFAULT_BATCH_SIZE
    if text.strip() == "full":
        return None
    value = COUNT.parse(text)
    if value is None:
        fail("--batch-size", f"{COUNT.expected} or 'full'", text)
    return value


def parse_device(text: str) -> str:
    """``cpu``, or ``cuda`` where a CUDA GPU is available (only then is PyTorch imported, to ask)."""
    name = one("--device", text, Choice(DEVICES))
    if name != "cuda":
        return name
    import torch

    if not torch.cuda.is_available():
        fail("--device", "'cpu' on this machine (no CUDA GPU is available)", text)
    return name
