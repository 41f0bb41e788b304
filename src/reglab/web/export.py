"""The ``reglab train`` / ``reglab sweep`` command lines that reproduce a playground run.

One model gives ``reglab train``; compared models that differ in one setting only (λ, penalty, ...)
give one ``reglab sweep`` over that setting's list; other comparisons give one ``reglab train`` per
model. The command line has one ``--seed`` for both the data and the model, so a run whose data
seed and model seed differ is reproduced with the data seed and says so; input features other than
x₁, x₂ have no command-line option, and the lines say so too.

The lines follow the models' settings now (:func:`current_request`, from the trainer's configs), not
the request the run started with: a change made mid-run is in them, with ``--epochs`` the run's cap,
or without one the epochs trained so far.
"""

from __future__ import annotations

from collections.abc import Sequence

from reglab.config import RunConfig
from reglab.regularizers import LAMBDA_KINDS
from reglab.web.models import UPLOAD, ModelSpec, RunRequest
from reglab.web.plane import INPUTS, PLAIN

__all__ = ["current_request", "reglab_commands"]

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
    parts += [f"--batch-size {request.batch_size}", f"--epochs {request.epochs or 1}"]
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


def current_request(request: RunRequest, configs: Sequence[RunConfig], lams: Sequence[float], epochs: int) -> RunRequest:
    """``request`` with the models' settings of ``configs`` (the trainer's, changes included) and ``epochs``;
    ``lams`` gives each model's λ as last set, kept when its penalty is none."""
    c0, models = configs[0], []
    for c, lam in zip(configs, lams):
        models.append(ModelSpec(
            penalty=c.penalty.kind, lam=max(c.penalty.l1, c.penalty.l2) if c.penalty.kind != "none" else lam,
            l1_method=c.l1_method, regularize_output=c.regularize_output, weight_decay=c.decay, dropout=c.dropout,
            lr=c.lr, patience=c.patience,
        ))  # fmt: skip
    return request.model_copy(update={"models": models, "optimizer": c0.optimizer, "batch_size": c0.batch_size, "epochs": epochs})


def reglab_commands(request: RunRequest) -> list[str]:
    """Command lines (without a trailing newline) that train the same models on the same data."""
    note = [] if request.seed == request.data.seed else [f"# the model seed was {request.seed}; the command line uses one seed"]
    if request.data.dataset == UPLOAD:
        note.append("# the data was an uploaded CSV: save it and pass --dataset FILE.csv --target label")
    if request.input_features() != PLAIN:
        shown = ", ".join(INPUTS[name] for name in request.input_features())
        note.append(f"# the playground's inputs were {shown}; the command line trains on x₁, x₂")
    models = request.models
    base = " ".join(_shared(request))
    if len(models) == 1:
        return [*note, f"reglab train {base} {' '.join(_model(models[0]))}"]
    dumps = [m.model_dump() for m in models]
    varying = [k for k in dumps[0] if len({str(d[k]) for d in dumps}) > 1]
    if len(varying) == 1 and varying[0] in _PER_MODEL and (varying[0] != "lam" or models[0].penalty in LAMBDA_KINDS):
        name = varying[0]
        values = ",".join(f"{getattr(m, name):g}" if isinstance(getattr(m, name), float) else str(getattr(m, name)) for m in models)
        return [*note, f"reglab sweep {base} {' '.join(_model(models[0], skip=name))} {_flag(name)} {values}"]
    return [*note, *(f"reglab train {base} {' '.join(_model(m))}" for m in models)]
