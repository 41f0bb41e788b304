"""The command line's entry point: ``reglab`` runs :func:`execute`; a user error ends as one line on
stderr with exit code 2, a bug as one line with exit code 1 (the traceback with ``--debug`` or
``REGLAB_DEBUG=1``), never a traceback otherwise.

How a command is added (``train`` and ``sweep`` in :mod:`reglab.cli.training`, ``demo`` and
``report`` in :mod:`reglab.cli.lecture`; a new one, say ``tune``, in ``reglab/cli/tuning.py``):

1. The module declares its options with :func:`reglab.cli.options.option` and :func:`~reglab.cli.options.flag`
   (text values, read later by the rules of :mod:`reglab.cli.parsing`), and registers its functions
   with ``@app.command()`` on :data:`reglab.cli.application.app`.
2. At import, it imports only what ``--help`` needs: typer, :mod:`reglab.cli.application`,
   :mod:`reglab.cli.options`, :mod:`reglab.cli.parsing`, :mod:`reglab.cli.progress` and
   :mod:`reglab.config`. Everything else of the library (runs, lecture, views, measures, the web)
   is imported inside the command function, after its options are read, so that ``reglab --help``
   and every refusal of a bad value answer without loading PyTorch, scikit-learn, pandas or
   matplotlib. ``tests/test_cli_imports.py`` holds this for every registered command.
3. Its module is added to the import line at the end of this file, in the order ``reglab --help``
   lists the commands.

Option values are parsed in :mod:`reglab.cli.parsing` and turned into runs in :mod:`reglab.cli.building`;
results are shown by :mod:`reglab.cli.present`, progress by :mod:`reglab.cli.progress`. Results go to
stdout: a table, or with ``--json`` exactly one JSON document; progress and notes go to stderr.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

import typer
from pydantic import ValidationError

from reglab.cli.application import Switches, app, debug_requested
from reglab.config import config_error
from reglab.errors import ReglabError

__all__ = ["app", "execute", "main"]


def usage_error(message: str) -> int:
    sys.stderr.write(f"reglab: error: {' '.join(message.split())}\n")
    return 2


def execute(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``) and returns the exit code."""
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    Switches.debug = False
    try:
        code = command.main(args=args, prog_name="reglab", standalone_mode=False)
    except ValidationError as exc:  # a config refused a value that reached it
        return usage_error(config_error(exc))
    except ReglabError as exc:  # OptionError, DataError, ConfigError
        return usage_error(str(exc))
    except typer.TyperException as exc:  # typer's own parsing: unknown option, missing value, ...
        return typer_error(exc, args)
    except KeyboardInterrupt:
        sys.stderr.write("reglab: interrupted\n")
        return 130
    except Exception as exc:  # a bug, a plain ValueError of library code included
        return internal_error(exc)
    return code if isinstance(code, int) else 0


def internal_error(exc: BaseException) -> int:
    """Exit code 1 and one line; the traceback too with --debug or REGLAB_DEBUG=1."""
    if debug_requested():
        traceback.print_exception(exc)
    first = (str(exc).strip().splitlines() or [""])[0]
    what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    sys.stderr.write(f"reglab: internal error: {what} (run with --debug or REGLAB_DEBUG=1 for the traceback)\n")
    return 1


def typer_error(exc: typer.TyperException, args: list[str]) -> int:
    """A usage error found by typer as one line; anything else typer raises is a bug."""
    if getattr(exc, "exit_code", 1) != 2:
        return internal_error(exc)
    words = [a for a in args if not a.startswith("-")]  # the command, when one was given
    if not words and set(args) <= {"--debug"}:
        commands = ", ".join(c.name or c.callback.__name__ for c in app.registered_commands)
        return usage_error(f"Expected a command, one of {commands}; see 'reglab --help'.")
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else " ".join(["reglab", *words[:1]])
    return usage_error(f"{exc.format_message().rstrip('.')}; see '{where} --help'.")


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``reglab`` console script."""
    sys.exit(execute(argv))


# the commands register themselves on ``app`` when imported, in the order ``reglab --help`` lists them
from reglab.cli import training, lecture, tuning  # noqa: E402, F401, I001
