"""The lecture, reproduced: every experiment trained (stacked), analysed and concluded from numbers.

``run_lecture(settings)`` returns one JSON-able document — settings, the λ convention, every section
(table, figure data, conclusion, the command that reproduces it) and every run — that
:mod:`reglab.views.report` turns into figures and a self-contained HTML page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict

import torch

from reglab.config import SCHEMA_VERSION
from reglab.engine.trainer import EpochReport
from reglab.lecture.plan import SECTIONS, Settings, command, plan, settings_for
from reglab.lecture.sections import ANALYSES
from reglab.runs import group_runs, json_safe, train_runs

__all__ = ["CONVENTION", "SECTIONS", "Settings", "run_lecture", "settings_for", "stacks"]

CONVENTION = {
    "penalty": "L2(λ) adds λ·Σw² and L1(λ) adds λ·Σ|w| to the batch-mean data loss (Keras's convention: no ½, no 1/n), "
    "on the kernels of hidden layers only; biases are never penalised.",
    "pytorch": "PyTorch SGD weight_decay = 2λ",
    "sklearn": "scikit-learn MLPClassifier alpha = 2λ·batch_size (scikit-learn also penalises the output kernel)",
    "playground": "TensorFlow Playground regularization rate = 2λ",
    "lecture": "the lecture's (λ/2n)·Σw² is L2(λ/2n)",
}


def _phases(s: Settings, runs, sections) -> list[tuple[list[int], torch.dtype]]:
    """Runs trained in float32, then the weight-decay section in float64 (what remains is rounding, not chaos)."""
    exact = {i for _, ids in sections["decay"] for i in ids}
    rest = [i for i in range(len(runs)) if i not in exact]
    return [(rest, torch.float32), (sorted(exact), torch.float64)]


def stacks(s: Settings) -> list[dict]:
    """The stacks the demo trains, in order: which sections each serves, its size and epochs."""
    runs, sections = plan(s)
    owner: dict[int, set[str]] = {}
    for key, arms in sections.items():
        for _, ids in arms:
            for i in ids:
                owner.setdefault(i, set()).add(key)
    out = []
    for ids, _ in _phases(s, runs, sections):
        for members in group_runs([runs[i] for i in ids]):
            keys = sorted(set().union(*(owner[ids[k]] for k in members)), key=list(SECTIONS).index)
            out.append({"sections": keys, "models": len(members), "epochs": runs[ids[members[0]]].config.epochs})
    return out


def run_lecture(
    s: Settings,
    *,
    device: str = "cpu",
    on_epoch: Callable[[int, EpochReport], None] | None = None,
    checkpoint: str | None = None,
) -> dict:
    """Trains every section's runs (identical runs once, stacked by architecture) and analyses them."""
    runs, sections = plan(s)
    start = time.perf_counter()
    results: list = [None] * len(runs)
    offset = 0
    for ids, dtype in _phases(s, runs, sections):
        shifted = None if on_epoch is None else (lambda g, report, o=offset: on_epoch(g + o, report))
        path = checkpoint if dtype == torch.float32 else None
        for i, r in zip(ids, train_runs([runs[i] for i in ids], device=device, dtype=dtype, on_epoch=shifted, checkpoint=path)):
            results[i] = r
        offset += len(group_runs([runs[i] for i in ids]))
    trained = time.perf_counter() - start
    out = []
    for key, arms in sections.items():
        title = SECTIONS[key][0]
        arm_results = [(arm, [results[i] for i in ids]) for arm, ids in arms]
        section = ANALYSES[key](arm_results, s)
        section.update(key=key, title=title, command=command(s, [arm for arm, _ in arms]))
        if key == "decay":
            section["precision"] = "float64"
        out.append(section)
    runs_doc = []
    for r in results:
        doc = r.to_dict()
        doc.pop("history")
        runs_doc.append(doc)
    return json_safe(
        {
            "schema_version": SCHEMA_VERSION,
            "kind": "reglab-lecture",
            "settings": asdict(s),
            "convention": CONVENTION,
            "sections": out,
            "runs": runs_doc,
            "timing": {"train_seconds": round(trained, 1), "analysis_seconds": round(time.perf_counter() - start - trained, 1), "n_runs": len(runs)},
        }
    )
