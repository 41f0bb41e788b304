"""The lecture report: figures (PNG and SVG) and one self-contained HTML page, from saved results.

Nothing here trains: :func:`write_report` reads the document of :func:`reglab.lecture.run_lecture`
(or its ``results.json``), draws every figure and embeds them in ``report.html``, which opens from
disk with no network. Drawing is most of its time, so it can spread the sections over processes.
"""

from __future__ import annotations

import base64
import html
import multiprocessing
import os
import queue
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from reglab.views.report.figures import section_figures
from reglab.views.style import save

__all__ = ["write_report"]


# how the page writes the settings' names of activations and optimizers
DISPLAY_NAMES = {"relu": "ReLU", "gelu": "GELU", "tanh": "tanh", "sigmoid": "sigmoid", "sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}

Drawn = list[dict]  # a section's figures for the page: {"stem", "caption", "data" (the PNG in base64)}


def _environment() -> Environment:
    """The page's filters: ``num`` (fixed decimals, "n/a" for None), ``percent`` (0.3 → "30%"),
    ``count`` (2, "seed" → "2 seeds"), ``display`` (a setting's name as people write it), ``pvalue`` and ``sig`` (two
    significant digits), ``signed`` (a difference, four decimals), ``thousands`` (20000 → "20,000") and ``wording`` (a
    comparison's word as the page reads it)."""
    env = Environment(loader=PackageLoader("reglab", "views/report"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = lambda v, d=3: "n/a" if v is None else f"{v:.{d}f}"
    env.filters["percent"] = lambda v: f"{v:.0%}"
    env.filters["count"] = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"
    env.filters["display"] = lambda name: DISPLAY_NAMES.get(name, name)
    env.filters["pvalue"] = lambda p: "n/a" if p is None else f"{p:.2g}" if p >= 0.001 else f"{p:.0e}"
    env.filters["sig"] = lambda v: "n/a" if v is None else f"{v:.2g}"
    env.filters["signed"] = lambda v: "n/a" if v is None else f"{v:+.4f}"
    env.filters["thousands"] = lambda n: f"{n:,}"
    env.filters["wording"] = lambda word: {"indistinguishable": "not distinguishable"}.get(word, word)
    return env


def _draw_section(section: dict, figures_dir: Path, svg: bool, on_figure: Callable[[str], None] | None) -> Drawn:
    """Draws and saves one section's figures, in order; ``on_figure(stem)`` after each is saved."""
    drawn = []
    for stem, fig, caption in section_figures(section):
        png = save(fig, figures_dir / stem, svg=svg)[0].read_bytes()
        drawn.append({"stem": stem, "caption": caption, "data": base64.b64encode(png).decode("ascii")})
        if on_figure is not None:
            on_figure(stem)
    return drawn


_finished: multiprocessing.Queue | None = None  # in a drawing process: where it announces each saved figure


def _start_drawer(finished: multiprocessing.Queue) -> None:
    """A drawing process's start: keeps the queue, and leaves the standard streams inherited through the fork
    alone (another thread of the parent, such as a progress spinner, may have held their lock at that moment;
    flushing them when the process ends would then wait forever). Its exceptions travel back on the pool's queue."""
    global _finished
    _finished = finished
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # open for the process's life


def _draw_in_worker(section: dict, figures_dir: Path, svg: bool) -> Drawn:
    return _draw_section(section, figures_dir, svg, _finished.put)


def _grids(value) -> int:
    """How many sets of boundary grids (dicts holding ``panels``) a section's figure data holds: the costliest
    figures to draw."""
    if isinstance(value, dict):
        return ("panels" in value) + sum(_grids(v) for v in value.values())
    if isinstance(value, list):
        return sum(_grids(v) for v in value)
    return 0


def _draw_in_parallel(sections: list[dict], figures_dir: Path, svg: bool, workers: int, on_figure) -> list[Drawn]:
    """Each section drawn in one of ``workers`` processes (forked where the platform allows, so nothing is imported
    again); the stems of saved figures come back on a queue, so ``on_figure`` runs here as each is saved. A worker's
    exception is raised here by ``Future.result``; a worker that dies raises ``BrokenProcessPool`` instead of hanging."""
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    finished = context.Queue()
    announce = on_figure or (lambda stem: None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_drawer, initargs=(finished,)) as pool:
        # the sections with the most boundary grids start first, so that the pool does not end on one long section alone
        first = sorted(range(len(sections)), key=lambda i: -_grids(sections[i].get("figures")))
        submitted = {i: pool.submit(_draw_in_worker, sections[i], figures_dir, svg) for i in first}
        futures: list[Future] = [submitted[i] for i in range(len(sections))]
        try:
            pending = set(futures)
            while pending:
                try:
                    announce(finished.get(timeout=0.05))
                except queue.Empty:
                    pass
                for future in [f for f in pending if f.done()]:
                    pending.discard(future)
                    future.result()  # raises the worker's exception, here
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        results = [future.result() for future in futures]
    while True:  # the announcements still on their way when the last section finished
        try:
            announce(finished.get(timeout=0.05))
        except queue.Empty:
            break
    finished.close()
    return results


def write_report(doc: dict, out: str | Path, *, svg: bool = True, on_figure: Callable[[str], None] | None = None, workers: int = 1) -> Path:
    """Writes ``out/figures/*.png`` (and ``.svg``, unless ``svg`` is false) and ``out/report.html``; returns the page's path.

    ``on_figure(stem)`` is called once per figure as it is saved. With ``workers`` > 1 the sections are drawn in
    that many processes at once; the page and its figures are the same, in the same order.
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"The 'workers' parameter must be an int >= 1. Got {workers!r} instead.")
    out = Path(out)
    figures_dir = out / "figures"
    figures_dir.mkdir(parents=True, exist_ok=True)
    parts = list(doc["sections"])
    if workers > 1 and len(parts) > 1:
        drawn = _draw_in_parallel(parts, figures_dir, svg, min(workers, len(parts)), on_figure)
    else:
        drawn = [_draw_section(section, figures_dir, svg, on_figure) for section in parts]
    sections = [{**section, "drawn": figures} for section, figures in zip(parts, drawn)]
    page = _environment().get_template("template.html.j2").render(doc=doc, sections=sections, escape=html.escape)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
