"""One command at a time in an output folder: an advisory lock on ``DIR/.reglab.lock``.

The lock is ``flock(2)`` on the file, held for the command's life. The kernel releases it when the
process ends, however it ends (Ctrl-C, SIGTERM, ``kill -9``, a power cut): a lock file left behind is
never stale, the next command simply takes it. The holder writes who it is into the file (pid, command
line, start time), so that a refused command can say what holds the folder.

``reglab tune`` takes the lock shared: several tune workers may share one folder and its SQLite study
(the study's own machinery divides the trials between them), while any other command, which takes it
exclusively, is refused beside them, and they beside it.

The last holder removes the file on release. A command that opened the file just before it was removed
would lock a file no longer in the folder: it checks, after locking, that the path still names the file
it locked, and otherwise takes the new one.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reglab.cli.application import Switches
from reglab.errors import OptionError

try:
    import fcntl
except ImportError:  # Windows has no flock(2): its folders are not locked
    fcntl = None

LOCK = ".reglab.lock"
ATTEMPTS = 20  # files removed under us by their last holder before we give up (each time: another command was ending)
READ_TRIES = 10  # a holder writes who it is just after locking: how many times a refused command reads again
SHOWN_COMMAND = 120  # characters of the holder's command line shown in a refusal


@contextmanager
def folder_lock(folder: Path, shared: bool = False) -> Iterator[None]:
    """Holds the lock of ``folder`` while the block runs; an OptionError at once when another reglab
    command holds it (or, ``shared``, holds it exclusively)."""
    if fcntl is None:
        yield
        return
    fd = _acquire(folder / LOCK, shared)
    try:
        yield
    finally:
        _release(folder / LOCK, fd)


def _acquire(path: Path, shared: bool) -> int:
    for _ in range(ATTEMPTS):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # say, left by a command of another user that was killed
            raise OptionError(
                f"The '--out' option must be a folder whose lock file reglab can open. Got '{path.parent}' instead ({exc.strerror} "
                f"on {LOCK}): remove {path} if no reglab command works there, or choose another --out."
            ) from None
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise OptionError(in_use(path.parent, holder)) from None
        if _names(path, fd):
            _write_holder(fd)
            return fd
        os.close(fd)  # its last holder removed the file meanwhile: lock the one in the folder now
    raise OptionError(in_use(path.parent, None))


def _release(path: Path, fd: int) -> None:
    """Removes the file when no other command holds it (a shared holder may remain), then unlocks."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if _names(path, fd):
            path.unlink()
    except OSError:
        pass  # another tune worker still holds it, or the folder went away: nothing to remove
    finally:
        os.close(fd)


def _names(path: Path, fd: int) -> bool:
    """Whether ``path`` is still the file open as ``fd``."""
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _write_holder(fd: int) -> None:
    command = shlex.join(["reglab", *Switches.command_line])
    me = {"pid": os.getpid(), "command": command, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(me).encode(), 0)


def _holder(fd: int) -> dict | None:
    """Who holds the lock, as it wrote itself into the file; None when it has not (yet) or cannot be read."""
    for _ in range(READ_TRIES):
        try:
            found = json.loads(os.pread(fd, 4096, 0))
        except (OSError, ValueError):
            found = None
        if isinstance(found, dict) and {"pid", "command", "started"} <= set(found):
            return found
        time.sleep(0.02)
    return None


def in_use(folder: Path, holder: dict | None) -> str:
    """The refusal: the folder, who holds it (when known) and what to do."""
    who = ""
    if holder is not None:
        command = str(holder["command"])
        command = command if len(command) <= SHOWN_COMMAND else command[: SHOWN_COMMAND - 1] + "…"
        who = f" (pid {holder['pid']}, '{command}', started at {holder['started']})"
    return f"Output folder '{folder}' is in use by another reglab command{who}; wait for it or choose another --out."
