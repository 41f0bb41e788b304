"""How much memory a stack needs, worked out before it is built, and the refusal when it would not fit.

:func:`stack_bytes` counts every buffer the trainer allocates for a stack of ``M`` models with layer
sizes ``(F, h_1, …, h_L, K)``, ``P`` parameters per model and elements of ``s`` bytes:

* flat buffers of ``M·P`` elements: parameters, gradients, the first moment (SGD's momentum buffer
  too), Adam's second moment, with several learning rates in an Adam stack the per-element rates and
  a scratch buffer, the best weights when early stopping is on, and the between-epochs copies of the
  parameters, moments and best weights a checkpoint keeps;
* a training workspace per batch size (the full batch and the last, shorter one): activations and
  their gradients (pre-activations too for GELU, dropout outputs and masks with dropout), the output
  and the gathered inputs, all ``M·B·width`` elements;
* each epoch's randomness: the batch order (``M·n_train`` int64), input jitter (``M·n_train·F``, drawn in
  float64 then cast), dropout keep-masks (``M·n_train·h`` bytes per hidden layer);
* an evaluation pass over ``min(8192, rows)`` rows of a part: the same workspace without dropout;
* the data: every part's features and targets on the device, once per distinct split.

It is an estimate of the peak, within the small allocations of the loop (per-model metrics, the
history) and of the allocator's own rounding.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from reglab.config import RunConfig
from reglab.data import Split
from reglab.engine.batches import EVAL_CHUNK, PARTS
from reglab.errors import ReglabError

__all__ = ["MemoryLimitError", "StackSize", "available_bytes", "check_memory", "gigabytes", "stack_bytes", "stack_parts", "stack_size"]


class MemoryLimitError(ReglabError):
    """The runs would need more memory than the device has available."""


@dataclass(frozen=True)
class StackSize:
    """What decides a stack's memory: its shape, its data and what its runs ask of the trainer."""

    sizes: tuple[int, ...]  # (n_inputs, hidden..., n_outputs)
    n_models: int
    rows: dict[str, int]  # rows of each part ("train", "val", "test") of one split
    n_splits: int  # distinct splits held on the device
    batch: int  # training rows per step
    adam: bool
    several_rates: bool  # Adam with several learning rates: per-element rates and a scratch buffer
    early_stopping: bool
    dropout: bool
    input_noise: bool
    gelu: bool
    regression: bool
    element: int = 4  # bytes per element: 4 for float32, 8 for float64


def stack_size(configs: Sequence[RunConfig], splits: Sequence[Split], dtype: torch.dtype = torch.float32) -> StackSize:
    """The :class:`StackSize` of the stack that ``configs`` on ``splits`` would train as."""
    c0, s0 = configs[0], splits[0]
    rows = {p: len(getattr(s0, f"X_{p}")) for p in PARTS}
    return StackSize(
        sizes=(s0.n_features, *c0.hidden, s0.n_outputs),
        n_models=len(configs),
        rows=rows,
        n_splits=len({id(s) for s in splits}),
        batch=min(c0.batch_size or rows["train"], rows["train"]),
        adam=c0.optimizer != "sgd",
        several_rates=c0.optimizer != "sgd" and len({c.lr for c in configs}) > 1,
        early_stopping=any(c.patience for c in configs),
        dropout=any(c.dropout for c in configs),
        input_noise=any(c.input_noise for c in configs),
        gelu=c0.activation == "gelu",
        regression=s0.task == "regression",
        element=torch.empty((), dtype=dtype).element_size(),
    )


def _workspace_elements(sizes: tuple[int, ...], batch: int, dropout: bool, gelu: bool) -> int:
    """Elements of one model's workspace for ``batch`` rows (see :meth:`reglab.engine.StackedMLP.workspace`)."""
    hidden = sum(sizes[1:-1])
    per_row = hidden * (2 + gelu + 2 * dropout) + sizes[-1] + sizes[0]
    return batch * per_row


def stack_parts(size: StackSize, checkpoint: bool = False) -> dict[str, int]:
    """Estimated bytes of each kind of buffer of the stack ``size`` (see the module docstring):
    ``flat`` (parameters, gradients, moments, rates, best and checkpoint copies), ``workspaces``
    (training), ``epoch`` (batch order, jitter, masks), ``evaluation`` and ``data``."""
    m, s, sizes = size.n_models, size.element, size.sizes
    per_model = sum(fi * fo + fo for fi, fo in zip(sizes[:-1], sizes[1:]))
    flats = 3 + size.adam + 2 * size.several_rates + size.early_stopping
    if checkpoint:
        flats += 1 + 1 + size.adam + size.early_stopping  # parameters, moments and best weights of the last epoch
    n = size.rows["train"]
    last = n % size.batch
    workspaces = _workspace_elements(sizes, size.batch, size.dropout, size.gelu)
    if last:
        workspaces += _workspace_elements(sizes, last, size.dropout, size.gelu)
    epoch = m * n * 8 * 2  # batch order and the rows gathered from it
    if size.input_noise:
        epoch += m * n * sizes[0] * (8 + s)
    if size.dropout:
        epoch += m * n * sum(sizes[1:-1])
    chunk = min(EVAL_CHUNK, max(size.rows.values()))
    y_bytes = s if size.regression else 8
    return {
        "flat": flats * m * per_model * s,
        "workspaces": m * s * workspaces,
        "epoch": epoch,
        "evaluation": m * s * (_workspace_elements(sizes, chunk, False, size.gelu) + chunk * sizes[0]),
        "data": size.n_splits * sum(size.rows.values()) * (sizes[0] * s + y_bytes),
    }


def stack_bytes(size: StackSize, checkpoint: bool = False) -> int:
    """Estimated peak bytes of training the stack ``size``: the sum of :func:`stack_parts`."""
    return sum(stack_parts(size, checkpoint).values())


def available_bytes(device: str | torch.device = "cpu") -> int | None:
    """Memory free for new allocations on ``device``: ``MemAvailable`` of ``/proc/meminfo`` on a CPU
    (else free physical pages), the driver's free memory on a CUDA device; None when unknown."""
    device = torch.device(device)
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def gigabytes(n: int) -> str:
    """Bytes in the unit a reader expects: ``34.4 GB`` (10⁹ bytes), ``512 MB`` below one GB."""
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def check_memory(sizes: Sequence[StackSize], available: int | None, checkpoint: bool = False) -> None:
    """Refuses (:class:`MemoryLimitError`) when the largest stack would need more than ``available``
    bytes; stacks train one after another, so the peak is the largest stack's. None: not checked."""
    if available is None or not sizes:
        return
    need = [stack_bytes(s, checkpoint) for s in sizes]
    k = max(range(len(sizes)), key=need.__getitem__)
    if need[k] <= available:
        return
    size = sizes[k]
    models = f"{size.n_models} model{'s' * (size.n_models != 1)} (hidden {','.join(map(str, size.sizes[1:-1]))})"
    which = "1 stack of" if len(sizes) == 1 else f"the largest of {len(sizes)} stacks,"
    raise MemoryLimitError(
        f"The runs need about {gigabytes(need[k])} for {which} {models} but {gigabytes(available)} is available; "
        "use narrower layers or fewer models."
    )
