"""The ``reglab`` typer application, on which every command module registers its commands, and the
options of ``reglab`` itself (before the command: ``reglab --debug train ...``).

It lives in a module of its own so that the command modules can register on it while the package's
``__init__`` imports them: taking ``app`` from here never reads a half-initialised ``reglab.cli``.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from typer.core import TyperGroup


class Interrupted(Exception):
    """Ctrl-C or SIGTERM while a command ran, carried past click (which would turn a KeyboardInterrupt
    into ``Abort`` after writing a blank line) to :func:`reglab.cli.running.execute`."""

    def __init__(self, interrupt: KeyboardInterrupt) -> None:
        super().__init__("interrupted")
        self.interrupt = interrupt


class Group(TyperGroup):
    """reglab's command group: its help and every command's list ``--help`` without typer's
    ``<bool>`` beside it, as the flags are listed (an empty metavar); an interrupted command ends as
    :class:`Interrupted`."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            raise Interrupted(exc) from None

    def get_help_option(self, ctx):
        return quiet(super().get_help_option(ctx))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None:
            quiet(command.get_help_option(ctx))
        return command


def quiet(option):
    if option is not None:
        option.metavar = ""
    return option


app = typer.Typer(
    name="reglab",
    cls=Group,
    help="reglab: a laboratory for regularization in neural networks.",
    add_completion=False,
    no_args_is_help=False,  # True would print the help on stdout; a missing command is a usage error
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # a docstring's paragraphs are rewrapped to the terminal, not broken where typed
)


class Switches:
    """What ``reglab``'s own options asked for, read by the error handling of :func:`reglab.cli.execute`,
    and what the command line is doing: its words (for the lock of an output folder, :mod:`reglab.cli.locking`)
    and whether its one JSON document was printed (an error then prints no second one)."""

    debug = False
    command_line: list[str] = []  # the words after ``reglab``
    json = False  # --json given to a command that takes it
    emitted = False


def debug_requested() -> bool:
    """``--debug`` or the environment variable ``REGLAB_DEBUG=1``: show a bug's traceback."""
    return Switches.debug or os.environ.get("REGLAB_DEBUG") == "1"


Debug = Annotated[bool, typer.Option("--debug", metavar="", help="On an internal error, print the traceback (as REGLAB_DEBUG=1 does).")]


@app.callback()
def reglab(debug: Debug = False) -> None:
    """reglab: a laboratory for regularization in neural networks."""
    Switches.debug = debug
