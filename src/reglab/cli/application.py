"""The ``reglab`` typer application, on which every command module registers its commands.

It lives in a module of its own so that the command modules can register on it while the package's
``__init__`` imports them: taking ``app`` from here never reads a half-initialised ``reglab.cli``.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="reglab",
    help="reglab: a laboratory for regularization in neural networks.",
    add_completion=False,
    no_args_is_help=False,  # True would print the help on stdout; a missing command is a usage error
    pretty_exceptions_enable=False,
)
