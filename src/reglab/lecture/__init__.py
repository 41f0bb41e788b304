"""The lecture, reproduced: every experiment trained (stacked), analysed and concluded from numbers.

``run_lecture(settings)`` returns one JSON-able document — settings, the λ convention, every section
(table, figure data, conclusion, the command that reproduces it) and every run — that
:mod:`reglab.views.report` turns into figures and a self-contained HTML page.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import asdict

import torch

from reglab import regularizers
from reglab.config import SCHEMA_VERSION
from reglab.engine import EpochReport
from reglab.lecture.claims import RULE, claims
from reglab.lecture.command import sweep_command
from reglab.lecture.compare import ALPHA, CORRECTION, POWER, TEST_NAME, detectable
from reglab.lecture.contents import SECTIONS
from reglab.lecture.plan import Arms, Settings, grid_description, plan, settings_for
from reglab.lecture.scores import score_on_population
from reglab.lecture.sheet import checklist, conversion, next_steps, workflow
from reglab.lecture.summaries import THRESHOLDS
from reglab.measures.ceiling import bayes_accuracy
from reglab.measures.inference import smallest_p
from reglab.measures.population import POPULATION_SIZE
from reglab.regularizers import CONVENTION
from reglab.rules import LEVEL
from reglab.runs import Run, StackPlan, json_safe, plan_stacks, train_runs
from reglab.runs.threads import available_cores, cpu_model, fixed_threads

__all__ = ["CONVERSIONS", "SECTIONS", "Settings", "planned", "run_lecture", "settings_for", "stacks"]

CONVERSIONS = {"penalty": CONVENTION, **regularizers.CONVERSIONS}  # the λ convention in words, and in other tools' terms


@functools.lru_cache(maxsize=1)
def planned(s: Settings) -> tuple[list[Run], dict, StackPlan]:
    """The demo's distinct runs, each section's arms with their run indices, and the plan of stacks: the arms
    marked ``exact`` train in float64 (an identity shown to rounding, not chaos), the rest in float32. Kept for
    the last settings, so that the progress bars and the training share one plan (the data is loaded once)."""
    runs, sections = plan(list(SECTIONS.values()), s)
    exact = {i for arms in sections.values() for arm, ids in arms if arm.exact for i in ids}
    return runs, sections, plan_stacks(runs, [torch.float64 if i in exact else torch.float32 for i in range(len(runs))])


def stacks(s: Settings) -> list[dict]:
    """The stacks the demo trains, in order: which sections each serves, its size and epochs."""
    runs, sections, stack_plan = planned(s)
    owner: dict[int, set[str]] = {}
    for key, arms in sections.items():
        for _, ids in arms:
            for i in ids:
                owner.setdefault(i, set()).add(key)
    out = []
    for members, epochs in zip(stack_plan.groups, stack_plan.epochs):
        keys = sorted(set().union(*(owner[i] for i in members)), key=list(SECTIONS).index)
        titles = [SECTIONS[k].title for k in keys]
        out.append({"sections": keys, "titles": titles, "models": len(members), "epochs": epochs})
    return out


def run_lecture(
    s: Settings,
    *,
    device: str = "cpu",
    on_epoch: Callable[[int, EpochReport], None] | None = None,
    on_stack: Callable[[int, float | None], None] | None = None,
    checkpoint: str | None = None,
    workers: int = 1,
) -> dict:
    """Trains every section's runs (identical runs once, stacked by architecture and precision, spread over
    ``workers`` processes) and analyses them.

    With ``checkpoint`` (a file path) the training keeps its checkpoint files (``checkpoint`` and, while
    workers train, ``checkpoint.worker1``, …) until the caller removes them; ``reglab demo`` does once
    results.json is written.
    """
    start = time.perf_counter()
    runs, sections, stack_plan = planned(s)
    results = train_runs(
        runs, plan=stack_plan, device=device, on_epoch=on_epoch, on_stack=on_stack, checkpoint=checkpoint,
        keep_checkpoint=True, workers=workers,
    )  # fmt: skip
    trained = time.perf_counter() - start
    score_on_population(results)
    scored = time.perf_counter() - start - trained
    out = []
    for key, arms in sections.items():
        record = SECTIONS[key]
        section = record.analyse(Arms([(arm, [results[i] for i in ids]) for arm, ids in arms]), s)
        grid = grid_description(s, [arm for arm, _ in arms])
        seeds = max(len(ids) for _, ids in arms)
        section.update(key=key, title=record.title, drawing=record.draw.__name__, grid=grid, command=sweep_command(grid), seeds=seeds)
        out.append(section)
    runs_doc = []
    for r in results:
        doc = r.to_dict(THRESHOLDS)
        doc.pop("history")
        runs_doc.append(doc)
    base = next(results[i] for i, run in enumerate(runs) if run == Run(s.config(s.seed), s.data(s.seed)))
    by_key = {section["key"]: section for section in out}
    diagnose = (
        f"reglab diagnose --dataset moons --n-samples {s.n_samples} --noise {s.noise:g} --hidden {','.join(map(str, s.hidden))} "
        f"--seeds {s.seeds} --out diagnose"
    )
    analysed = time.perf_counter() - start - trained - scored
    found = claims(by_key)
    return json_safe(
        {
            "schema_version": SCHEMA_VERSION,
            "kind": "reglab-lecture",
            "settings": asdict(s),
            "model": {"layers": [len(base.kernels[0])] + [k.shape[1] for k in base.kernels]},  # widths, input to output
            "thresholds": asdict(THRESHOLDS),  # of every verdict
            "ceiling": {"dataset": "moons", "noise": s.noise, "bayes_accuracy": bayes_accuracy("moons", s.noise)},
            # the fresh sample every test score is on; one point's share, and the largest standard error of an accuracy there
            "population": {"n": POPULATION_SIZE, "seed": "(data seed + 2^31) mod 2^32", "point": 1 / POPULATION_SIZE,
                           "largest_se": 0.5 / POPULATION_SIZE**0.5},  # fmt: skip
            "inference": inference(s),
            "claims": found,
            "claims_rule": RULE,
            "checklist": checklist(by_key),
            "workflow": workflow(by_key, diagnose, "diagnose/report.html"),
            "teacher": {"conversion": conversion(0.01, s.batch_size, len(base.split.y_train)), "next": next_steps(by_key, found)},
            "confidence": LEVEL,  # level of every interval over seeds
            "convention": CONVERSIONS,
            "sections": out,
            "runs": runs_doc,
            "timing": {"train_seconds": round(trained, 1), "population_seconds": round(scored, 1), "analysis_seconds": round(analysed, 1),
                       "n_runs": len(runs), "cpu": cpu_model(), "threads": fixed_threads() or available_cores()},  # fmt: skip
        }
    )


def inference(s: Settings) -> dict:
    """How every comparison is made, for the page: the test, the correction, the level, and what the seeds allow."""
    return {
        "test": TEST_NAME, "correction": CORRECTION, "alpha": ALPHA, "power": POWER, "seeds": s.seeds, "smallest_p": smallest_p(s.seeds),
        "exercise_seeds": s.exercise_seeds, "exercise_smallest_p": smallest_p(s.exercise_seeds),
        # the mean difference 10 seeds detect at 80% power when the differences spread by 0.01 (sd), in a family of 5
        "example": {"sd": 0.01, "family": 5, "effect": detectable(0.01, s.seeds, 5)},
    }  # fmt: skip
