"""The command line's entry point: ``reglab`` runs :func:`execute`, and every user error ends as one
line on stderr with exit code 2, never a traceback.

The commands live in their own modules and register themselves on :data:`app` when imported below:
``train`` and ``sweep`` in :mod:`reglab.cli.training`, ``demo`` and ``report`` in :mod:`reglab.cli.lecture`.
Option values are parsed in :mod:`reglab.cli.parsing` and turned into runs in :mod:`reglab.cli.building`;
results are shown by :mod:`reglab.cli.present`. Results go to stdout: a table, or with ``--json``
exactly one JSON document; progress and notes go to stderr.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

import typer
from pydantic import ValidationError

from reglab.cli.application import app
from reglab.config import config_error

__all__ = ["app", "execute", "main"]


def usage_error(message: str) -> int:
    sys.stderr.write(f"reglab: error: {' '.join(message.split())}\n")
    return 2


def execute(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``) and returns the exit code."""
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = command.main(args=args, prog_name="reglab", standalone_mode=False)
    except ValidationError as exc:
        return usage_error(config_error(exc))
    except ValueError as exc:  # OptionError, DataError and the library's validation
        return usage_error(str(exc))
    except typer.TyperException as exc:  # typer's own parsing: unknown option, missing value, ...
        return typer_error(exc, args)
    except KeyboardInterrupt:
        sys.stderr.write("reglab: interrupted\n")
        return 130
    except Exception as exc:
        return unexpected(exc)
    return code if isinstance(code, int) else 0


def unexpected(exc: BaseException) -> int:
    """Exit code 1 and one line; the traceback too when REGLAB_DEBUG=1."""
    if os.environ.get("REGLAB_DEBUG") == "1":
        traceback.print_exception(exc)
    first = (str(exc).strip().splitlines() or [""])[0]
    what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    sys.stderr.write(f"reglab: unexpected error: {what} (set REGLAB_DEBUG=1 for the traceback)\n")
    return 1


def typer_error(exc: typer.TyperException, args: list[str]) -> int:
    """A usage error found by typer as one line; anything else typer raises is unexpected."""
    if getattr(exc, "exit_code", 1) != 2:
        return unexpected(exc)
    if not args:
        commands = ", ".join(c.name or c.callback.__name__ for c in app.registered_commands)
        return usage_error(f"Expected a command, one of {commands}; see 'reglab --help'.")
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else " ".join(["reglab", *args[:1]])
    return usage_error(f"{exc.format_message().rstrip('.')}; see '{where} --help'.")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``reglab`` console script."""
    sys.exit(execute(argv))


# the commands register themselves on ``app``, in the order ``reglab --help`` lists them
from reglab.cli import lecture as _lecture  # noqa: E402,F401
from reglab.cli import training as _training  # noqa: E402,F401
