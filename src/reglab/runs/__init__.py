"""The run machinery: from a list of runs to a list of results, and the only code that knows processes, files
and cores.

``plan`` (runs → stacks, memory checks: ``memory``) · ``results`` (:class:`RunResult`, its JSON) · ``seeds``
(statistics over the seeds of a sweep) · ``checkpoint`` (the files that make a call resumable) · ``local``
(stacks trained in this process) · ``spread`` (worker processes) · ``costs`` (what a stack costs on this
machine, measured) · ``threads`` (the thread count that follows the machine's load) · ``training``
(:func:`train_runs`, which reads as these stages).
"""

from reglab.runs.checkpoint import read_checkpoint, runs_fingerprint
from reglab.runs.plan import Run, StackJob, StackPlan, check_runs_memory, grid, group_runs, plan_stacks
from reglab.runs.results import RunResult, json_safe
from reglab.runs.seeds import summarize, summarize_sweep, sweep_document
from reglab.runs.training import train, train_runs

__all__ = [
    "Run", "RunResult", "StackJob", "StackPlan", "check_runs_memory", "grid", "group_runs", "json_safe", "plan_stacks",
    "read_checkpoint", "runs_fingerprint", "summarize", "summarize_sweep", "sweep_document", "train", "train_runs",
]  # fmt: skip
