"""The ``reglab train`` / ``reglab sweep`` command lines that reproduce a playground run.

One model gives ``reglab train``; compared models that differ in one setting only (λ, penalty, ...)
give one ``reglab sweep`` over that setting's list; other comparisons give one ``reglab train`` per
model. The command line has one ``--seed`` for both the data and the model, so a run whose data
seed and model seed differ is reproduced with the data seed and says so.
"""

from __future__ import annotations

from reglab.web.models import ModelSpec, RunRequest

__all__ = ["reglab_commands"]

_PER_MODEL = ("penalty", "lam", "l1_method", "weight_decay", "dropout", "lr")  # list options of 'reglab sweep'


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _shared(request: RunRequest) -> list[str]:
    d = request.data
    parts = [f"--dataset {d.dataset}", f"--n-samples {d.n_samples}", f"--noise {d.noise:g}"]
    if d.dataset == "blobs":
        parts.append(f"--n-classes {d.n_classes}")
    parts += [f"--test-size {d.test_size:g}", f"--val-size {d.val_size:g}", f"--seed {d.seed}"]
    parts += [f"--hidden {','.join(map(str, request.hidden))}", f"--activation {request.activation}", f"--optimizer {request.optimizer}"]
    parts += [f"--batch-size {request.batch_size}", f"--epochs {request.epochs}"]
    return parts


def _model(m: ModelSpec, skip: str | None = None) -> list[str]:
    parts = []
    for name in _PER_MODEL:
        if name == skip:
            continue
        value = getattr(m, name)
        if name == "lam" and m.penalty == "none" and skip != "penalty":
            continue
        if name == "lam" and m.penalty == "l1l2" and skip != "penalty":
            parts += [f"--l1 {m.lam:g}", f"--l2 {m.lam:g}"]
            continue
        parts.append(f"{_flag(name)} {value:g}" if isinstance(value, float) else f"{_flag(name)} {value}")
    if m.regularize_output:
        parts.append("--regularize-output")
    if m.patience:
        parts.append(f"--patience {m.patience}")
    return parts


def reglab_commands(request: RunRequest) -> list[str]:
    """Command lines (without a trailing newline) that train the same models on the same data."""
    note = [] if request.seed == request.data.seed else [f"# the model seed was {request.seed}; the command line uses one seed"]
    if request.data.dataset == "upload":
        note.append("# the data was an uploaded CSV: save it and pass --dataset FILE.csv --target label")
    models = request.models
    base = " ".join(_shared(request))
    if len(models) == 1:
        return [*note, f"reglab train {base} {' '.join(_model(models[0]))}"]
    dumps = [m.model_dump() for m in models]
    varying = [k for k in dumps[0] if len({str(d[k]) for d in dumps}) > 1]
    if len(varying) == 1 and varying[0] in _PER_MODEL and (varying[0] != "lam" or models[0].penalty in ("l1", "l2")):
        name = varying[0]
        values = ",".join(f"{getattr(m, name):g}" if isinstance(getattr(m, name), float) else str(getattr(m, name)) for m in models)
        return [*note, f"reglab sweep {base} {' '.join(_model(models[0], skip=name))} {_flag(name)} {values}"]
    return [*note, *(f"reglab train {base} {' '.join(_model(m))}" for m in models)]
