"""Running a command line: :func:`execute` parses it with typer, runs the command and turns every way it
can end into an exit code and at most one line on stderr (see :mod:`reglab.cli`).

User errors (:class:`reglab.errors.ReglabError`, a value its reader refused (:class:`reglab.cli.parsing.Refused`),
a config's refusal, typer's usage errors) end with exit code 2; Ctrl-C with 130 and SIGTERM with 143, each after
the command has saved what it can; a bug with exit code 1 (the traceback with ``--debug`` or ``REGLAB_DEBUG=1``).
With ``--json``, an error also prints its one JSON document on stdout: ``{"error": line, "exit_code": 2, "schema_version": N}``.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import click
import typer
from pydantic import ValidationError

from reglab.cli.application import Interrupted, Switches, app, debug_requested
from reglab.cli.parsing import Refused
from reglab.config import SCHEMA_VERSION, config_error
from reglab.errors import ReglabError

__all__ = ["Terminated", "app", "execute", "terminate_as_interrupt"]


def usage_error(message: str) -> int:
    line = " ".join(message.split())
    sys.stderr.write(f"reglab: error: {line}\n")
    return error_document(line, 2)


def error_document(line: str, code: int) -> int:
    """With --json, the error as the command's one JSON document on stdout (unless it printed its own); returns ``code``."""
    if Switches.json and not Switches.emitted:
        sys.stdout.write(json.dumps({"error": line, "exit_code": code, "schema_version": SCHEMA_VERSION}) + "\n")
        Switches.emitted = True
    return code


def json_requested(command: click.Group, args: list[str]) -> bool:
    """Whether ``args`` give --json to a command that takes it (before a ``--`` that ends the options)."""
    words = args[: args.index("--")] if "--" in args else args
    name = next((a for a in words if not a.startswith("-")), None)
    found = command.commands.get(name) if name is not None else None
    return found is not None and "--json" in words and any("--json" in p.opts for p in found.params)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so that every command saves on it as it does on Ctrl-C."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs (in the main thread), SIGTERM raises :class:`Terminated`; the previous
    handler is restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def execute(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``) and returns the exit code."""
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    Switches.debug, Switches.command_line, Switches.emitted = False, args, False
    Switches.json = json_requested(command, args)
    try:
        with terminate_as_interrupt():
            code = command.main(args=args, prog_name="reglab", standalone_mode=False)
    except ValidationError as exc:  # a config refused a value that reached it
        return usage_error(config_error(exc))
    except ReglabError as exc:  # OptionError, DataError, ConfigError
        return usage_error(str(exc))
    except Refused as exc:  # a value refused by its reader while typer read the command line
        return usage_error(str(exc.error))
    except typer.TyperException as exc:  # typer's own parsing: unknown option, missing value, ...
        return typer_error(exc, args)
    except Interrupted as exc:  # the command has said what it saved, if anything
        return interrupted(exc.interrupt)
    except (KeyboardInterrupt, click.exceptions.Abort) as exc:  # while the command line was read
        return interrupted(exc.__cause__ if isinstance(exc.__cause__, KeyboardInterrupt) else exc)
    except Exception as exc:  # a bug, a plain ValueError of library code included
        return internal_error(exc)
    return code if isinstance(code, int) else 0


def interrupted(exc: BaseException) -> int:
    """Exit code 130 (Ctrl-C) or 143 (SIGTERM), with one line unless the command wrote its own."""
    if not getattr(exc, "reported", False):
        sys.stderr.write("reglab: interrupted\n")
    return 143 if isinstance(exc, Terminated) else 130


def internal_error(exc: BaseException) -> int:
    """Exit code 1 and one line; the traceback too with --debug or REGLAB_DEBUG=1."""
    if debug_requested():
        traceback.print_exception(exc)
    first = (str(exc).strip().splitlines() or [""])[0]
    what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    line = f"internal error: {what} (run with --debug or REGLAB_DEBUG=1 for the traceback)"
    sys.stderr.write(f"reglab: {line}\n")
    return error_document(line, 1)


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


# the commands register themselves on ``app`` when imported, in the order ``reglab --help`` lists them
from reglab.cli import training, lecture, tuning, diagnosing, serving  # noqa: E402, F401, I001
