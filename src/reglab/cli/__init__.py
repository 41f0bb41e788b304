"""The command line's entry point: ``reglab`` runs :func:`execute`; a user error ends as one line on
stderr with exit code 2, a bug as one line with exit code 1 (the traceback with ``--debug`` or
``REGLAB_DEBUG=1``), never a traceback otherwise.

How a command is added (``train`` and ``sweep`` in :mod:`reglab.cli.training`, ``demo`` and
``report`` in :mod:`reglab.cli.lecture`; a new one, say ``tune``, in ``reglab/cli/tuning.py``):

1. The module declares its options with :func:`reglab.cli.options.option` and :func:`~reglab.cli.options.flag`
   (each value read into its type by a reader of :mod:`reglab.cli.parsing`, its help and default taken from the
   config field it fills), and registers its functions with ``@app.command()`` on :data:`reglab.cli.application.app`.
2. At import, it imports only what ``--help`` needs: typer, :mod:`reglab.cli.application`,
   :mod:`reglab.cli.options`, :mod:`reglab.cli.parsing`, :mod:`reglab.cli.progress`, :mod:`reglab.config`
   and the light modules that state its defaults (:mod:`reglab.rules`, :mod:`reglab.tuning.space`,
   :mod:`reglab.diagnosis.settings`). Everything else of the library (runs, lecture, views, measures, the web)
   is imported inside the command function, after its options are read, so that ``reglab --help``
   and every refusal of a bad value answer without loading PyTorch, scikit-learn, pandas or
   matplotlib. ``tests/test_cli_imports.py`` holds this for every registered command.
3. Its module is added to the import line at the end of :mod:`reglab.cli.running`, in the order ``reglab --help``
   lists the commands.

Option values arrive typed; the training commands hand them on as frozen objects (:mod:`reglab.cli.asked`),
which :mod:`reglab.cli.building` checks together and turns into runs;
an output folder is claimed before any work by :func:`reglab.cli.outputs.claimed_folder` (writable,
locked by :mod:`reglab.cli.locking`, clear of other commands' results);
results are shown by :mod:`reglab.cli.present`, progress by :mod:`reglab.cli.progress`. Results go to
stdout: a table, or with ``--json`` exactly one JSON document; progress and notes go to stderr.

This module itself imports nothing but the standard library: :func:`main` imports the commands
(:mod:`reglab.cli.running`) inside its own guard, so that Ctrl-C at any moment, start-up included,
ends as one line and exit code 130 (SIGTERM: 143), never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, NoReturn

__all__ = ["app", "execute", "main"]

INTERRUPTED = "reglab: interrupted\n"


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``reglab`` console script."""
    try:
        from reglab.cli.running import execute

        code = execute(argv)
    except KeyboardInterrupt:  # before execute's own handling took over, or after it returned
        sys.stderr.write(INTERRUPTED)
        code = 130
    sys.exit(code)


def __getattr__(name: str) -> Any:
    if name in ("app", "execute"):
        from reglab.cli import running

        return getattr(running, name)
    raise AttributeError(f"module 'reglab.cli' has no attribute {name!r}")
