"""The output folders of the commands: never left behind empty, and never mixed with another run's files.

* :func:`no_empty_folder` removes an ``--out`` folder (and the parents made for it) that a failed
  command created, or that an interrupted one left empty.
* A demo folder holds only reglab's own files (:data:`OWN_FILES` and the figures in ``figures/``):
  :func:`foreign_files` lists anything else, which the demo refuses to write beside;
  :func:`remove_own_files` clears an earlier demo's files when the settings changed, and
  :func:`clear_figures` removes the figures before they are drawn again, so that no SVG of an
  earlier run is left beside new PNGs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RESULTS = "results.json"
PAGE = "report.html"
CHECKPOINT = "checkpoint.pt"
FIGURES = "figures"
FIGURE_SUFFIXES = (".png", ".svg")
AT_WORK = ".reglab"  # how a command's lock and probe files start (cli.locking, cli.outputs): never foreign, never removed
OWN_FILES = (RESULTS, PAGE, CHECKPOINT, f"{CHECKPOINT}.tmp", f"{CHECKPOINT}.float64", f"{CHECKPOINT}.float64.tmp", f"{RESULTS}.tmp")


def _missing_ancestors(path: Path) -> list[Path]:
    """``path`` and its parents that do not exist yet, deepest first."""
    missing = []
    for p in (path, *path.parents):
        if p.exists():
            break
        missing.append(p)
    return missing


@contextmanager
def no_empty_folder(text: str | None, resumable: tuple[str, ...] = (f"{CHECKPOINT}*",)) -> Iterator[None]:
    """If the block fails, removes the folder ``text`` (and the parents made for it) when it did not exist
    before the block: with everything in it after an error, as only this command wrote there, unless it
    holds a file to resume from (``resumable``: name patterns, a checkpoint by default); only if empty after an
    interrupt."""
    created = [] if text is None else _missing_ancestors(Path(text))
    try:
        yield
    except BaseException as exc:
        if created and not isinstance(exc, KeyboardInterrupt) and not any(any(created[-1].rglob(p)) for p in resumable):
            shutil.rmtree(created[-1], ignore_errors=True)
        for p in created:
            try:
                p.rmdir()  # only when empty
            except OSError:
                break
        raise


def _figures(folder: Path) -> list[Path]:
    figures = folder / FIGURES
    return sorted(p for p in figures.iterdir() if p.is_file() and p.suffix in FIGURE_SUFFIXES) if figures.is_dir() else []


def _own(name: str) -> bool:
    """A file name the demo writes at the top of its folder: :data:`OWN_FILES`, or a worker's checkpoint."""
    from reglab.runs.checkpoint import worker_of

    return name in OWN_FILES or worker_of(name.removesuffix(".tmp"), CHECKPOINT) is not None


def foreign_files(folder: Path) -> list[str]:
    """Names in ``folder`` that a demo does not write (``figures/x`` for files in its figures folder)."""
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(AT_WORK):
            continue
        if entry.name == FIGURES and entry.is_dir():
            found += [f"{FIGURES}/{p.name}" for p in sorted(entry.iterdir()) if not (p.is_file() and p.suffix in FIGURE_SUFFIXES)]
        elif not _own(entry.name) or not entry.is_file():
            found.append(entry.name + ("/" if entry.is_dir() else ""))
    return found


def remove_own_files(folder: Path) -> list[str]:
    """Removes the files an earlier demo wrote in ``folder``; returns their names (figures counted)."""
    removed = []
    order = {name: k for k, name in enumerate(OWN_FILES)}
    for entry in sorted(folder.iterdir(), key=lambda e: (order.get(e.name, len(order)), e.name)):
        if _own(entry.name) and entry.is_file():
            entry.unlink()
            removed.append(entry.name)
    figures = clear_figures(folder)
    if figures:
        removed.append(f"{figures} figure{'s' * (figures != 1)}")
    return removed


def clear_figures(folder: Path) -> int:
    """Removes the PNG and SVG files of ``folder/figures``; returns how many."""
    figures = _figures(folder)
    for p in figures:
        p.unlink()
    return len(figures)


def write_atomically(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` through a temporary file, so that ``path`` is whole or absent."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
