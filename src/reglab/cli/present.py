"""What the user sees of a result: tables on stdout, one JSON document with ``--json``, and the JSON
document and weights written to ``--out``. Imported by the commands once they have results (it
needs the library: NumPy arrays, run results, verdicts).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from reglab.cli.application import Switches
from reglab.cli.folders import write_atomically
from reglab.cli.progress import note
from reglab.config import DataConfig
from reglab.data import load
from reglab.engine.trainer import DIVERGED_HINT
from reglab.measures import FitThresholds
from reglab.rules import LEVEL
from reglab.runs import RunResult

CI = f"{LEVEL:.0%} CI"  # the confidence interval of every summary over seeds, at reglab's one level


def fmt(value: float | None, digits: int = 4) -> str:
    """A number for a table; an absent value (None, or NaN: a diverged run's) as ``-``."""
    return "-" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def split_facts(result: RunResult) -> tuple[str, str]:
    """The task in words (with the classes) and the rows of each part, such as ``train 245, test 105``."""
    split = result.split if result.split is not None else load(result.data)
    task = "regression" if result.task == "regression" else f"{result.task} classification, {split.n_classes} classes"
    rows = {"train": len(split.X_train), "validation": len(split.X_val), "test": len(split.X_test)}
    return task, ", ".join(f"{part} {n}" for part, n in rows.items() if n)


def optimiser_facts(result: RunResult) -> str:
    config = result.config
    momentum = f", momentum {config.momentum:g}" if config.optimizer == "sgd" and config.momentum else ""
    return f"{config.optimizer}, learning rate {config.lr:g}{momentum}"


def epoch_facts(result: RunResult) -> str:
    """``30 of 30``, ``stopped early at 42 of 300``, then ``best epoch 25 of 30 restored`` when it was."""
    planned = result.config.epochs
    ran = f"stopped early at {result.epochs_run} of {planned}" if result.stopped_early else f"{result.epochs_run} of {planned}"
    if result.best_epoch is not None:
        ran += f"; best epoch {result.best_epoch} of {result.epochs_run} restored"
    return ran


def show_run(result: RunResult, limits: FitThresholds) -> None:
    """A table of the split parts, then the task and rows, optimiser, verdict, gap, epochs and first-layer weights."""
    score_names = ["r2", "rmse"] if result.task == "regression" else ["accuracy"]
    table = Table(title=f"{result.data.dataset}: {result.config.label}, hidden {','.join(map(str, result.config.hidden))}")
    for column in ("part", "loss", "data_loss", "penalty", *score_names):
        table.add_column(column, justify="left" if column == "part" else "right")
    parts = (("train", result.train), ("validation", result.val), ("test", result.test))
    for name, metrics in parts:
        if metrics:
            table.add_row(name, *(fmt(metrics[k]) for k in ("loss", "data_loss", "penalty", *score_names)))
    facts = Table.grid(padding=(0, 2))
    task, rows = split_facts(result)
    facts.add_row("task", task)
    facts.add_row("rows", rows)
    facts.add_row("optimiser", optimiser_facts(result))
    if result.diverged:
        facts.add_row("status", f"diverged at epoch {result.diverged_epoch}: {DIVERGED_HINT}")
    else:
        kernel = result.kernels[0]
        facts.add_row("verdict", f"{result.verdict(limits)} (gap {result.gap:+.4f}, train − {result.held_out[0]})")
        facts.add_row("why", result.explain(limits))
        facts.add_row("first-layer weights", f"[{kernel.min():.4f}, {kernel.max():.4f}]")
    facts.add_row("epochs", epoch_facts(result))
    print_out(table, facts)


def mean_std(stats: dict | None) -> tuple[str, str]:
    if stats is None:
        return "-", "-"
    return f"{stats['mean']:.3f} ± {stats['std']:.3f}", f"[{stats['ci_low']:.3f}, {stats['ci_high']:.3f}]"


def describe(summary: dict, varying: list[str]) -> str:
    """The configuration's label, plus hidden widths or learning rate when they differ between rows."""
    config = summary["config"]
    extra = {"hidden": lambda: ",".join(map(str, config["hidden"])), "lr": lambda: f"{config['lr']:g}"}
    return ", ".join([summary["label"], *(f"{k}={extra[k]()}" for k in varying)])


def show_sweep(summary: list[dict], score: str) -> None:
    """One row per configuration: test score and gap as mean ± std and their CI (at ``LEVEL``), and verdict counts."""
    varying = [k for k in ("hidden", "lr") if len({json.dumps(s["config"][k]) for s in summary}) > 1]
    table = Table(title=f"{len(summary)} configuration{'s' * (len(summary) != 1)}: mean ± std over seeds, {CI}")
    for column in ("configuration", "seeds", f"test {score}", CI, "gap", CI, "verdicts"):
        table.add_column(column, justify="left" if column in ("configuration", "verdicts") else "right")
    for s in summary:
        verdicts = [f"{name} {count}" for name, count in s["verdicts"].items()]
        verdicts += [f"diverged {s['diverged']}"] if s["diverged"] else []
        table.add_row(describe(s, varying), str(s["n_seeds"]), *mean_std(s[f"test_{score}"]), *mean_std(s["gap"]), ", ".join(verdicts))
    print_out(table)


def stdout_console() -> Console:
    """Rich on stdout: the terminal's width, or wide enough for a table not to wrap in a file or pipe."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def print_out(*renderables: Any) -> None:
    """Prints on stdout; in a file or pipe without the spaces rich pads lines with."""
    console = stdout_console()
    if console.is_terminal:
        for r in renderables:
            console.print(r)
        return
    with console.capture() as captured:
        for r in renderables:
            console.print(r)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def emit_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, allow_nan=False) + "\n")
    Switches.emitted = True


def save(folder: Path, name: str, document: dict[str, Any], weights: dict[str, np.ndarray], data: Iterable[DataConfig] = ()) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / name, sealed_json(document, data, indent=2))
    np.savez(folder / "weights.npz", **weights)
    note(f"wrote {folder / name} and {folder / 'weights.npz'}")


def save_document(folder: Path, name: str, document: dict[str, Any], data: Iterable[DataConfig] = ()) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / name, sealed_json(document, data, indent=2))
    note(f"wrote {folder / name}")


def sealed_json(document: dict[str, Any], data: Iterable[DataConfig] = (), indent: int | None = None) -> str:
    """``document`` with its provenance record (this command line, reglab's version, its CSV files' digests and a
    checksum of the content, :mod:`reglab.provenance`), as the text of a results file."""
    from reglab.provenance import seal

    command = " ".join(["reglab", *Switches.command_line])
    return json.dumps(seal(document, command, data), allow_nan=False, indent=indent) + "\n"


def layer_arrays(result: RunResult, prefix: str = "") -> dict[str, np.ndarray]:
    arrays = {f"{prefix}kernel_{i}": k for i, k in enumerate(result.kernels)}
    arrays.update({f"{prefix}bias_{i}": b for i, b in enumerate(result.biases)})
    return arrays
