"""A command's output folder, claimed before any work: :func:`claimed_folder`.

1. Writable: the folder is created and a probe file written and removed in it, so that a folder that
   cannot take the results is refused with one line before anything trains, never after.
2. Locked for the command's life (:mod:`reglab.cli.locking`): two commands never write one folder.
3. Clear of other results: a folder holds the results of one command. A result document
   (:data:`DOCUMENTS`) that another command wrote, or one that cannot be read, is refused with one line
   naming it, unless ``--force`` is given: then it is discarded with the files that belong to it
   (:data:`COMPANIONS`), and a note says which. A command's own documents are its to overwrite or reuse.
   A study database is never discarded.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reglab.cli.folders import PAGE, clear_figures
from reglab.cli.locking import folder_lock
from reglab.cli.progress import note, plural
from reglab.errors import OptionError

DOCUMENTS = ("result.json", "results.json", "tune.json")  # the files that tell which command wrote a folder
SHAPES = {  # the top-level fields by which each command's document is known (a demo's by its kind)
    "sweep": {"runs", "summary"},
    "diagnose": {"verdict", "recommendation", "search"},
    "train": {"config", "data", "train", "test", "status"},
    "tune": {"study", "trials", "objective"},
}
COMPANIONS = {"train": ("weights.npz",), "sweep": ("weights.npz",), "demo": (PAGE,), "diagnose": (PAGE,), "tune": ()}
UNREADABLE = "cannot be read (empty, truncated, not a reglab document, or changed after reglab wrote it)"


Check = Callable[[Path, set[str]], None]  # a command's own check of its folder, told which files --force will discard


@contextmanager
def claimed_folder(
    text: str | None, command: str, force: bool | None = False, *, shared: bool = False, accepts: tuple[str, ...] = (),
    check: Check | None = None,
) -> Iterator[Path | None]:  # fmt: skip
    """The folder ``text`` (None: no folder), writable, locked while the block runs and clear of other
    results. ``command`` writes it (``accepts``: the writers of documents it may write beside, itself
    by default); ``force`` None: the command has no --force; ``shared``: see :mod:`reglab.cli.locking`;
    ``check`` may refuse the folder before --force discards anything."""
    if text is None:
        yield None
        return
    folder = writable_folder(text)
    with folder_lock(folder, shared=shared):
        clear_the_way(folder, accepts or (command,), force, check)
        yield folder


def writable_folder(text: str, option: str = "--out") -> Path:
    """``text`` as a folder, created, that a probe file can be written to and removed from."""
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".reglab-probe-{os.getpid()}"
        probe.write_bytes(b"reglab")
        probe.unlink()
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):
            fix = f"a file stands in the way: choose another {option}"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            fix = f"make it writable or choose another {option}"
        else:
            fix = f"choose another {option}"
        why = exc.strerror or str(exc)
        expected = "a folder that reglab can create and write in"
        raise OptionError(f"The '{option}' option must be {expected}. Got '{text}' instead ({why}): {fix}.") from None
    return path


@dataclass(frozen=True)
class InTheWay:
    """A result document that the command would write beside: another command's, or unreadable."""

    name: str
    writer: str | None  # None: it cannot be read as a reglab document


def writer_of(document: Any) -> str | None:
    """The command that wrote ``document`` (a parsed JSON value), or None when it is no reglab document."""
    if not isinstance(document, dict):
        return None
    if document.get("kind") == "reglab-lecture":
        return "demo"
    return next((command for command, fields in SHAPES.items() if fields <= document.keys()), None)


def read_writer(path: Path) -> str | None:
    """The command that wrote the document at ``path``; None when it cannot be read, or changed after it was written
    (its provenance checksum does not match, :mod:`reglab.provenance`)."""
    from reglab.provenance import sealed_intact

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return writer_of(document) if sealed_intact(document) else None


def in_the_way(folder: Path, accepts: tuple[str, ...]) -> list[InTheWay]:
    found = [InTheWay(name, read_writer(folder / name)) for name in DOCUMENTS if (folder / name).is_file()]
    return [f for f in found if f.writer not in accepts]


def clear_the_way(folder: Path, accepts: tuple[str, ...], force: bool | None, check: Check | None = None) -> None:
    """Refuses the folder when a document is in the way; with ``force``, discards them and says which
    (after ``check``, which sees the folder as it is)."""
    found = in_the_way(folder, accepts)
    if found and not force:
        raise OptionError(refusal(folder, found[0], force is not None))
    if check is not None:
        check(folder, {name for f in found for name in belonging(folder, f)[0]})
    if not found:
        return
    discarded = [item for f in found for item in discard(folder, f)]
    note(f"discarded {', '.join(discarded)} from {folder} (--force)")


def belonging(folder: Path, found: InTheWay) -> tuple[list[str], int]:
    """The files that go with the document (its name first), and how many figures (a demo's)."""
    names = [found.name, *(c for c in COMPANIONS.get(found.writer or "", ()) if (folder / c).is_file())]
    figures = folder / "figures"
    count = sum(p.suffix in (".png", ".svg") for p in figures.iterdir()) if found.writer == "demo" and figures.is_dir() else 0
    return names, count


def listing(names: list[str], figures: int) -> list[str]:
    return names + ([plural(figures, "figure")] if figures else [])


def refusal(folder: Path, found: InTheWay, forceable: bool) -> str:
    if found.writer is None:
        fix = "add --force to discard it and start over, or choose another --out" if forceable else "choose another --out or remove it"
        return f"The '--out' option must be a folder whose results reglab can read. Got '{folder}', whose {found.name} {UNREADABLE}: {fix}."
    items = listing(*belonging(folder, found))
    listed = items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
    fix = f"choose another --out, or add --force to discard {listed}" if forceable else "choose another --out"
    return (
        f"The '--out' option must be a folder without another command's results. Got '{folder}', which holds {found.name} "
        f"written by 'reglab {found.writer}': {fix}."
    )


def discard(folder: Path, found: InTheWay) -> list[str]:
    """Removes the document and the files that go with it; what the note says of them."""
    names, figures = belonging(folder, found)
    for name in names:
        (folder / name).unlink()
    if figures:
        clear_figures(folder)
        try:
            (folder / "figures").rmdir()  # only when nothing else is left in it
        except OSError:
            pass
    origin = "unreadable" if found.writer is None else f"written by 'reglab {found.writer}'"
    return [f"{found.name} ({origin})", *listing(names[1:], figures)]
