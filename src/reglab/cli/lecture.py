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
from reglab.cli.folders import CHECKPOINT, RESULTS, clear_figures, foreign_files, no_empty_folder, remove_own_files, write_atomically
from reglab.cli.options import DEFAULT_DEVICE, DEVICES, OUTPUT, TRAINING, Force, Threads, flag, option, words
from reglab.cli.outputs import claimed_folder
from reglab.cli.parsing import Choice, by, cuda_checked
from reglab.cli.progress import Stack, StackProgress, note, step
from reglab.config import SCHEMA_VERSION
from reglab.errors import DataError, OptionError
from reglab.provenance import sealed_intact
from reglab.rules import SEED, SEEDS

# the seeds of reglab.lecture.settings_for (full, its exercise, quick), stated here so that --help needs no torch;
# a test holds them equal
DEMO_SEEDS = (10, 8, 2)

# fmt: off
DemoOut = Annotated[str, option("--out", OUTPUT, "DIR", "Directory for report.html, results.json and figures/.")]
Quick = Annotated[bool, flag("--quick", TRAINING, "Reduced version: fewer epochs, seeds and grid points, same sections.")]
DemoSeeds = Annotated[Optional[int], option("--seeds", TRAINING, "INT",
    "Seeds per configuration, and per cell of the crossed exercise (default {}, exercise {}; quick {}).".format(*DEMO_SEEDS), by(SEEDS))]
DemoSeed = Annotated[int, option("--seed", TRAINING, "INT", "First seed.", by(SEED))]
DemoDevice = Annotated[str, option("--device", TRAINING, "DEVICE", f"{words(DEVICES)}.", by(Choice(DEVICES)))]
NoSvg = Annotated[bool, flag("--no-svg", OUTPUT, "Write PNG figures only.")]
AsJson = Annotated[bool, flag("--json", OUTPUT, "Print one JSON document (paths and headline numbers) on stdout.")]
ReportOut = Annotated[Optional[str], option("--out", OUTPUT, "DIR", "Directory for the page and figures (default: beside RESULTS).")]
# fmt: on


@app.command()
def demo(
    out: DemoOut = "reglab-demo", quick: Quick = False, seeds: DemoSeeds = None, seed: DemoSeed = "0",
    device: DemoDevice = DEFAULT_DEVICE, threads: Threads = None, no_svg: NoSvg = False, as_json: AsJson = False,
    force: Force = False,
) -> None:  # fmt: skip
    """Reproduce every experiment of the lecture: figures, numbers over seeds and a self-contained HTML report.

    On two cores or more the small stacks train in two processes (``--threads 1``: one). An interrupted
    demo resumes from DIR/checkpoint.pt (and DIR/checkpoint.pt.worker1) when run again with the same
    options; a complete DIR/results.json of the same options is reused, and only the figures are drawn again.
    """
    on = cuda_checked(device)
    with no_empty_folder(out), claimed_folder(out, "demo", force, check=refuse_foreign_files) as folder:
        _demo(folder, quick, seeds, seed, on, threads, not no_svg, as_json)


def _demo(
    folder: Path, quick: bool, n_seeds: int | None, first_seed: int, on: str, n_threads: int | None, svg: bool, as_json: bool
) -> None:
    from reglab.lecture import settings_for
    from reglab.runs.checkpoint import checkpoint_files
    from reglab.runs.threads import set_threads

    set_threads(n_threads)
    settings = settings_for(quick, n_seeds, first_seed)
    doc = _earlier_results(folder, settings)
    start = time.perf_counter()
    if doc is None:
        try:
            doc = _train(settings, on, folder / CHECKPOINT)
        except KeyboardInterrupt as exc:
            saved = checkpoint_files(folder / CHECKPOINT)
            if saved:
                note(f"interrupted; run the same command again to resume from {' and '.join(map(str, saved))}")
            else:
                note("interrupted before anything was saved; nothing to resume from")
            exc.reported = True
            raise
        from reglab.cli.present import sealed_json

        write_atomically(folder / RESULTS, sealed_json(doc))
        for path in checkpoint_files(folder / CHECKPOINT):
            path.unlink(missing_ok=True)
    try:
        page = _draw(doc, folder, svg=svg)
    except KeyboardInterrupt as exc:
        note(f"interrupted while drawing; {folder / RESULTS} is complete: run the same command again to draw the figures")
        exc.reported = True
        raise
    _finish(doc, folder, page, time.perf_counter() - start, as_json)


def _earlier_results(folder: Path, settings) -> dict[str, Any] | None:
    """A complete results.json of the same settings in ``folder``, to draw again without training.

    An earlier demo's files of other settings or another version are removed, and a note says which.
    (A folder with other files never reaches here: :func:`reglab.cli.outputs.claimed_folder` refused
    it, by :func:`refuse_foreign_files` and for another command's results.json or an unreadable one.)
    """
    from dataclasses import asdict

    path = folder / RESULTS
    if not path.is_file():
        return None
    try:
        doc = _read_results(str(path))
    except OptionError:
        doc = None
    wanted = json.loads(json.dumps(asdict(settings)))
    if doc is not None and doc.get("schema_version") == SCHEMA_VERSION and doc.get("settings") == wanted:
        note(f"reusing {path} (same options): drawing the figures again without training")
        return doc
    removed = remove_own_files(folder)
    note(f"removed the earlier demo's {', '.join(removed)} from {folder} (other options or another version)")
    return None


def refuse_foreign_files(folder: Path, discarded: set[str]) -> None:
    """Refuses a folder with files that a demo does not write (other than those --force is about to discard)."""
    foreign = [name for name in foreign_files(folder) if name not in discarded]
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OptionError(
            f"The --out folder must be empty or hold only an earlier demo's files. Got '{folder}', which also holds {shown}: "
            "choose another folder or remove them."
        )


@app.command()
def report(
    results: Annotated[str, typer.Argument(metavar="RESULTS", help="A results.json written by 'reglab demo'.", show_default=False)],
    out: ReportOut = None, no_svg: NoSvg = False, as_json: AsJson = False,
) -> None:  # fmt: skip
    """Rebuild report.html and the figures from a saved results.json, without training."""
    doc = _read_results(results)
    folder_text = out if out is not None else str(Path(results).parent)
    with no_empty_folder(out), claimed_folder(folder_text, "report", None, accepts=("demo",)) as folder:
        try:
            page = _draw(doc, folder, svg=not no_svg)
        except (KeyError, TypeError, IndexError, AttributeError) as exc:  # a field the checks of _read_results do not reach
            what = f"field {exc.args[0]!r}" if isinstance(exc, KeyError) and exc.args else "a field of the wrong type"
            raise DataError(
                f"The RESULTS file '{results}' lacks {what} that the report needs: write it again with 'reglab demo'."
            ) from None
    _finish(doc, folder, page, None, as_json)


REQUIRED = ("schema_version", "kind", "settings", "sections", "runs")  # top-level fields of a demo's results.json
SECTION_FIELDS = ("key", "title", "conclusion")


def _read_results(path: str) -> dict[str, Any]:
    """The results.json at ``path``, checked: JSON, a demo's kind, this schema version, the fields the
    report reads first; else OptionError naming the file and what to do."""
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
    if not sealed_intact(doc):
        raise OptionError(
            f"The RESULTS file must be as 'reglab demo' wrote it. Got '{path}', whose content does not match the checksum "
            "of its provenance record (changed after it was written): write it again with 'reglab demo'."
        )
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise OptionError(
            f"The RESULTS file must have schema version {SCHEMA_VERSION}. Got '{path}' with version {doc.get('schema_version')!r}: "
            "write it again with 'reglab demo'."
        )
    missing = [k for k in REQUIRED if k not in doc]
    sections = enumerate(doc["sections"])
    missing += [f"sections[{i}].{k}" for i, s in sections for k in SECTION_FIELDS if not isinstance(s, dict) or k not in s]
    if missing:
        raise OptionError(
            f"The RESULTS file must hold every field of a demo's results.json. Got '{path}', which lacks {', '.join(missing[:3])}: "
            "write it again with 'reglab demo'."
        )
    return doc


def _train(settings, device: str, checkpoint: Path) -> dict:
    """Trains with progress per stack on stderr, each named after the sections it serves.

    On a CPU with two cores or more (``--threads`` counts when given), stacks may be spread over two
    processes, each with half the cores, when their work pays for a second process's start: the full
    demo's small stacks, or every stack beside a busy process (see :mod:`reglab.runs.spread`).
    """
    from reglab.lecture import SECTIONS, run_lecture, stacks
    from reglab.runs.threads import available_cores, fixed_threads

    plan = stacks(settings)
    titles = {k: t.split(" (")[0].lower() for k, (t, _) in SECTIONS.items()}
    shown = []
    for stack in plan:
        names = ", ".join(titles[k] for k in stack["sections"][:2])
        more = f" +{len(stack['sections']) - 2}" if len(stack["sections"]) > 2 else ""
        shown.append(Stack(models=stack["models"], epochs=stack["epochs"], serves=names + more, noun="model"))
    workers = 2 if device == "cpu" and (fixed_threads() or available_cores()) >= 2 else 1
    with StackProgress(shown, f"training the lecture's {sum(s.models for s in shown)} models in {len(shown)} stacks") as progress:
        return run_lecture(
            settings, device=device, on_epoch=progress, on_stack=progress.stack_done, checkpoint=str(checkpoint), workers=workers
        )


def _draw(doc: dict, folder: Path, svg: bool) -> Path:
    """Draws the page and figures into ``folder`` (created here), after removing the earlier figures.

    Sections are drawn in two processes when this process may use two cores or more and a fixed thread count
    (``--threads``, ``REGLAB_THREADS``, ``OMP_NUM_THREADS``) does not say one: the processes draw independently,
    so beside a busy process they still take their share of the cores (measured: 9 s instead of 14 s).
    """
    from reglab.runs.threads import available_cores, fixed_threads
    from reglab.views.report import write_report

    folder.mkdir(parents=True, exist_ok=True)
    clear_figures(folder)
    workers = min(2, available_cores(), fixed_threads() or 2)
    with step("drawing figures", "figure") as advance:
        return write_report(doc, folder, svg=svg, on_figure=advance, workers=workers)


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
        out["exact_zero"] = {v["label"]: (v["exact_zero"] or {}).get("mean") for v in sections["penalties"]["numbers"].values()}
    return out


def _finish(doc: dict, folder: Path, page: Path, seconds: float | None, as_json: bool) -> None:
    from reglab.cli.present import emit_json, stdout_console

    figures = sorted(str(p) for p in (folder / "figures").glob("*.png"))
    if as_json:
        emit_json({"schema_version": doc["schema_version"], "report": str(page), "results": str(folder / RESULTS),
                   "figures": figures, "seconds": None if seconds is None else round(seconds, 1), "headline": headline(doc)})  # fmt: skip
        return
    console = stdout_console()
    for line in summary_lines(doc, console.width):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    took = "" if seconds is None else f" in {seconds:.0f} s"
    console.print(f"\nReport: [bold]{page}[/bold] ({len(figures)} figures{took}); numbers in {folder / RESULTS}")
    console.print("The full conclusions, every comparison with its family and correction, and the teacher's sheet are in the report.")


def summary_lines(doc: dict, width: int = 100) -> list[str]:
    """The terminal summary: one headline per section, numbered, its continuation lines indented under its text (a
    hanging indent), wrapped at ``width`` columns; the full conclusions stay in the page."""
    import textwrap

    lines = []
    for i, s in enumerate(doc["sections"], start=1):
        head = f"{i}. {s['title']} ({s.get('seeds', '?')} seeds): "
        indent = " " * len(f"{i}. ")
        lines += textwrap.wrap(head + (s.get("headline") or s["conclusion"]), width=max(40, width), subsequent_indent=indent)
    return lines
