"""The lecture report: figures (PNG, and SVG) and one self-contained HTML page, from saved results.

Nothing here trains: :func:`write_report` reads the document of :func:`reglab.lecture.run_lecture`
(or its ``results.json``), draws every figure and embeds them in ``report.html``, which opens from
disk with no network.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from reglab.views.report.figures import section_figures
from reglab.views.style import save

__all__ = ["write_report"]


# how the page writes the settings' names of activations and optimizers
DISPLAY_NAMES = {"relu": "ReLU", "gelu": "GELU", "tanh": "tanh", "sigmoid": "sigmoid", "sgd": "SGD", "adam": "Adam", "adamw": "AdamW"}


def _environment() -> Environment:
    """The page's filters: ``num`` (fixed decimals, "n/a" for None), ``percent`` (0.3 → "30%"),
    ``count`` (2, "seed" → "2 seeds") and ``display`` (a setting's name as people write it)."""
    env = Environment(loader=PackageLoader("reglab", "views/report"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = lambda v, d=3: "n/a" if v is None else f"{v:.{d}f}"
    env.filters["percent"] = lambda v: f"{v:.0%}"
    env.filters["count"] = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"
    env.filters["display"] = lambda name: DISPLAY_NAMES.get(name, name)
    return env


def write_report(doc: dict, out: str | Path, *, svg: bool = True, on_figure: Callable[[str], None] | None = None) -> Path:
    """Writes ``out/figures/*.png`` (and ``.svg``) and ``out/report.html``; returns the page's path."""
    out = Path(out)
    figures_dir = out / "figures"
    figures_dir.mkdir(parents=True, exist_ok=True)
    sections = []
    for section in doc["sections"]:
        drawn = []
        for stem, fig, caption in section_figures(section):
            dense = "boundaries" in stem or stem.startswith("datasets_")  # SVG only where it stays small
            png = save(fig, figures_dir / stem, svg=svg and not dense)[0].read_bytes()
            drawn.append({"stem": stem, "caption": caption, "data": base64.b64encode(png).decode("ascii")})
            if on_figure is not None:
                on_figure(stem)
        sections.append({**section, "drawn": drawn})
    page = _environment().get_template("template.html.j2").render(doc=doc, sections=sections, escape=html.escape)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
