"""Reading option values: typer hands each value's text to a reader, which gives the typed value or refuses it.

A rule parses one value or says what it expected. The numeric rules (:class:`reglab.rules.Interval`,
:class:`reglab.rules.Widths`) are the configs' own, so an option and the config field it fills refuse
the same values in the same words; :class:`Choice` reads one of a few words and :class:`Text` any text
but another option's name. :func:`one` and :func:`many` turn a refusal into an :class:`OptionError` whose
message is the one line the user sees: the option, what was expected and what was received.

:func:`reader` makes a reading the parser of a typer option. Typer runs a parser inside pydantic, which
would wrap an OptionError (a ValueError) in typer's own "Invalid value for ..." message; the reader
raises :class:`Refused` instead, which :func:`reglab.cli.running.execute` prints as reglab's line alone.
A default is written as a user would type it (:func:`written`) and read by the same parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, Protocol, Union

import typer

from reglab.errors import OptionError
from reglab.rules import COUNT

Read = Callable[[str, str], Any]  # (option, text) -> the value, or an OptionError naming the option
BatchSize = Union[int, Literal["full"]]  # rows per step, or "full": one batch of all training rows

ARCHITECTURE_SEPARATORS = (";", "/")


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


@dataclass(frozen=True)
class Text:
    """Any text but another option's name: in ``--target --epochs 3``, typer reads '--epochs' as the
    value of --target, and the user should read about the value that went missing."""

    metavar: str

    @property
    def expected(self) -> str:
        return f"followed by its value ({self.metavar})"

    def parse(self, text: str) -> str | None:
        return None if text.startswith("--") and len(text) > 2 and not text[2].isdigit() else text


def fail(option: str, expected: str, got: str) -> NoReturn:
    raise OptionError(f"The '{option}' option must be {expected}. Got {got!r} instead.")


def one(option: str, text: str, rule: Rule) -> Any:
    """The value of ``text`` by ``rule``, or an OptionError naming ``option``."""
    value = rule.parse(text)
    if value is None:
        fail(option, rule.expected, text)
    return value


def many(option: str, text: str, rule: Rule, separators: Sequence[str] = (",",)) -> tuple[Any, ...]:
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
    return tuple(dict.fromkeys(values))


def by(rule: Rule) -> Read:
    """One value, read by ``rule``."""
    return lambda option, text: one(option, text, rule)


def listed(rule: Rule, separators: Sequence[str] = (",",)) -> Read:
    """A list of values, each read by ``rule``: the options that a sweep varies."""
    return lambda option, text: many(option, text, rule, separators)


def batch_size(option: str, text: str) -> BatchSize:
    """An int >= 1, or ``full``."""
    if text.strip() == "full":
        return "full"
    value = COUNT.parse(text)
    if value is None:
        fail(option, f"{COUNT.expected} or 'full'", text)
    return value


def columns(option: str, text: str) -> tuple[str, ...]:
    """Comma-separated column names, in order without repeats."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",")))
    if not all(names):
        fail(option, "comma-separated column names, such as id,name", text)
    return names


def name(option: str, text: str) -> str:
    """A non-empty name, without the spaces around it."""
    if not one(option, text, Text("NAME")).strip():
        fail(option, "a non-empty name", text)
    return text.strip()


class Refused(typer.BadParameter):
    """An option's value refused while typer reads the command line: reglab's one line, carried past typer."""

    def __init__(self, error: OptionError) -> None:
        super().__init__(str(error))
        self.error = error


def reader(option: str, read: Read) -> Callable[[str], Any]:
    """``read`` as the parser typer runs on the text of ``option`` (and on its default, as text)."""

    def parse(text: str) -> Any:
        try:
            return read(option, text)
        except OptionError as exc:
            raise Refused(exc) from None

    return parse


def written(value: Any) -> Any:
    """A value as the command line writes it: ``0.1``, ``0`` (not ``0.0``), ``1e-05``, ``128,128``;
    words, flags and None as they are. Defaults are shown so, and messages that quote a value after
    it was read (``--lam 0.1`` with ``--penalty none``) quote it so."""
    if isinstance(value, (tuple, list)):
        return ",".join(map(written, value))
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def cuda_checked(device: str) -> str:
    """``cpu``, or ``cuda`` where a CUDA GPU is available (only then is PyTorch imported, to ask)."""
    if device != "cuda":
        return device
    import torch

    if not torch.cuda.is_available():
        fail("--device", "'cpu' on this machine (no CUDA GPU is available)", device)
    return device
