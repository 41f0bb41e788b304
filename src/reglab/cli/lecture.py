"""``reglab demo`` (the lecture, reproduced) and ``reglab report`` (the page again, from saved results).

The lecture, the engine and the figures are imported inside the commands, after their options are
read (see :mod:`reglab.cli`).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from reglab.cli.application import app
from reglab.cli.building import out_dir
from reglab.cli.options import DEFAULT_DEVICE, DEVICES, OUTPUT, TRAINING, Threads, flag, option, words
from reglab.cli.parsing import one, parse_device
from reglab.cli.progress import Stack, StackProgress, note, step
from reglab.config import COUNT, SEED
from reglab.errors import OptionError

RESULTS = "results.json"
CHECKPOINT = "checkpoint.pt"

# fmt: off
DemoOut = Annotated[str, option("--out", OUTPUT, "DIR", "Directory for report.html, results.json and figures/.")]
Quick = Annotated[bool, flag("--quick", TRAINING, "Reduced version: fewer epochs, seeds and grid points, same sections.")]
DemoSeeds = Annotated[Optional[str], option("--seeds", TRAINING, "INT", "Seeds per configuration (default 5, quick 2).")]
DemoSeed = Annotated[str, option("--seed", TRAINING, "INT", "First seed.")]
DemoDevice = Annotated[str, option("--device", TRAINING, "DEVICE", f"{words(DEVICES)}.")]
NoSvg = Annotated[bool, flag("--no-svg", OUTPUT, "Write PNG figures only.")]
AsJson = Annotated[bool, flag("--json", OUTPUT, "Print one JSON document (paths and headline numbers) on stdout.")]
ReportOut = Annotated[Optional[str], option("--out", OUTPUT, "DIR", "Directory for the page and figures (default: beside RESULTS).")]
# fmt: on


@app.command()
def demo(
    out: DemoOut = "reglab-demo", quick: Quick = False, seeds: DemoSeeds = None, seed: DemoSeed = "0",
    device: DemoDevice = DEFAULT_DEVICE, threads: Threads = None, no_svg: NoSvg = False, as_json: AsJson = False,
) -> None:  # fmt: skip
    """Reproduce every experiment of the lecture: figures, numbers over seeds and a self-contained HTML report.

    An interrupted demo resumes from DIR/checkpoint.pt when run again with the same options.
    """
    n_seeds = one("--seeds", seeds, COUNT) if seeds is not None else None
    first_seed, on = one("--seed", seed, SEED), parse_device(device)
    n_threads = one("--threads", threads, COUNT) if threads is not None else None
    folder = out_dir(out)
    from reglab.engine.threads import set_threads
    from reglab.lecture import settings_for

    set_threads(n_threads)
    settings = settings_for(quick, n_seeds, first_seed)
    start = time.perf_counter()
    try:
        doc = _train(settings, on, folder / CHECKPOINT)
    except KeyboardInterrupt:
        note(f"interrupted; run the same command again to resume from {folder / CHECKPOINT}")
        raise typer.Exit(130) from None
    (folder / RESULTS).write_text(json.dumps(doc, allow_nan=False) + "\n")
    page = _draw(doc, folder, svg=not no_svg)
    _finish(doc, folder, page, time.perf_counter() - start, as_json)


@app.command()
def report(
    results: Annotated[str, typer.Argument(metavar="RESULTS", help="A results.json written by 'reglab demo'.", show_default=False)],
    out: ReportOut = None, no_svg: NoSvg = False, as_json: AsJson = False,
) -> None:  # fmt: skip
    """Rebuild report.html and the figures from a saved results.json, without training."""
    doc = _read_results(results)
    folder = out_dir(out) if out is not None else Path(results).parent
    page = _draw(doc, folder, svg=not no_svg)
    _finish(doc, folder, page, None, as_json)


def _read_results(path: str) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise OptionError(f"The RESULTS file must be an existing results.json written by 'reglab demo'. Got '{path}' instead.")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise OptionError(f"The RESULTS file must be valid JSON. Got '{path}', which is not{where}.") from None
    if not isinstance(doc, dict) or doc.get("kind") != "reglab-lecture" or not isinstance(doc.get("sections"), list):
        raise OptionError(f"The RESULTS file must be the results.json of 'reglab demo' (kind 'reglab-lecture'). Got '{path}' instead.")
    return doc


def _train(settings, device: str, checkpoint: Path) -> dict:
    """Trains with progress per stack on stderr, each named after the sections it serves."""
    from reglab.lecture import SECTIONS, run_lecture, stacks

    plan = stacks(settings)
    titles = {k: t.split(" (")[0].lower() for k, (t, _) in SECTIONS.items()}
    shown = []
    for stack in plan:
        names = ", ".join(titles[k] for k in stack["sections"][:2])
        more = f" +{len(stack['sections']) - 2}" if len(stack["sections"]) > 2 else ""
        shown.append(Stack(models=stack["models"], epochs=stack["epochs"], serves=names + more, noun="model"))
    with StackProgress(shown, f"training the lecture's {sum(s.models for s in shown)} models in {len(shown)} stacks") as on_epoch:
        return run_lecture(settings, device=device, on_epoch=on_epoch, checkpoint=str(checkpoint))


def _draw(doc: dict, folder: Path, svg: bool) -> Path:
    from reglab.views.report import write_report

    with step("drawing figures", "figure") as advance:
        return write_report(doc, folder, svg=svg, on_figure=advance)


def headline(doc: dict) -> dict[str, Any]:
    """The numbers a reader looks for first: weight ranges, the chosen λ, exact-zero fractions."""
    sections = {s["key"]: s for s in doc["sections"]}
    out: dict[str, Any] = {}
    if "weights" in sections:
        out["first_layer_range"] = {
            label: [v["min"]["mean"] if v["min"] else None, v["max"]["mean"] if v["max"] else None]
            for label, v in sections["weights"]["numbers"].items()
        }
    if "lambda" in sections:
        out["chosen_lambda"] = sections["lambda"]["numbers"]["chosen_lambda"]
    if "penalties" in sections:
        out["exact_zero"] = {k: (v["exact_zero"] or {}).get("mean") for k, v in sections["penalties"]["numbers"].items()}
    return out


def _finish(doc: dict, folder: Path, page: Path, seconds: float | None, as_json: bool) -> None:
    from reglab.cli.present import emit_json, stdout_console

    figures = sorted(str(p) for p in (folder / "figures").glob("*.png"))
    if as_json:
        emit_json({"schema_version": doc["schema_version"], "report": str(page), "results": str(folder / RESULTS),
                   "figures": figures, "seconds": None if seconds is None else round(seconds, 1), "headline": headline(doc)})  # fmt: skip
        return
    console = stdout_console()
    for i, s in enumerate(doc["sections"], start=1):
        console.print(f"[bold]{i}. {s['title']}[/bold]")
        console.print(f"   {s['conclusion']}", highlight=False)
    took = "" if seconds is None else f" in {seconds:.0f} s"
    console.print(f"\nReport: [bold]{page}[/bold] ({len(figures)} figures{took}); numbers in {folder / RESULTS}")
