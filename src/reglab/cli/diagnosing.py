"""``reglab diagnose``: detect → apply and tune → verify → recommend, on a shipped dataset or a CSV file.

The data and model options are those of ``train`` (:mod:`reglab.cli.options`, read by
:mod:`reglab.cli.building`), the search's options those of ``tune`` (read by :mod:`reglab.tuning.space`);
the library (:mod:`reglab.diagnosis`) is imported once every option is read, so that ``--help`` and a
refusal never load PyTorch or Optuna. Writes ``DIR/report.html`` and ``DIR/results.json``; prints a
summary, or with ``--json`` the document, on stdout; the phases' progress goes to stderr.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import typer

from reglab.cli.application import app
from reglab.cli.asked import DataOptions
from reglab.cli.folders import no_empty_folder
from reglab.cli.options import (
    DATA_PANEL,
    DEFAULT,
    DEFAULT_DEVICE,
    TRAINING,
    Activation,
    AsJson,
    Dataset,
    Device,
    Drop,
    Force,
    GapThreshold,
    Hidden,
    InputNoise,
    L1Method,
    Lr,
    MinDelta,
    Missing,
    Momentum,
    NClasses,
    Noise,
    NSamples,
    Optimizer,
    RegularizeOutput,
    Seed,
    Standardize,
    Target,
    Task,
    TestSize,
    Threads,
    UnderfitMargin,
    about,
    option,
)
from reglab.cli.outputs import claimed_folder
from reglab.cli.parsing import batch_size, by, cuda_checked, fail, written
from reglab.cli.progress import note
from reglab.cli.tuning import DropoutRange, Heartbeat, LamRange, Penalties, Storage, StudyName, bounds
from reglab.config import DataConfig, RunConfig
from reglab.diagnosis.settings import (
    AUTO_MAX_EPOCHS,
    AUTO_MIN_EPOCHS,
    MAX_BATCH,
    PATIENCE_STEPS,
    ROW_PASSES,
    SMALL_BATCH,
    STEPS_SCALE,
    Settings,
)
from reglab.rules import COUNT, EPOCHS, RATE, VALIDATION_FRACTION
from reglab.tuning.defaults import STUDY_FILE
from reglab.tuning.space import DROPOUT_GRID_POINTS, LAM_GRID_POINTS

DEFAULT_OUT = "reglab-diagnose"
DEFAULT_DATASET = "breast_cancer"  # a table, where the whole workflow shows (a 2-D generator needs no reference)
SETTINGS = Settings()  # the defaults of the search and verification options
SETTING = SimpleNamespace(
    **{name: written(getattr(SETTINGS, name)) for name in ("seeds", "search_seeds", "budget", "batch", "heartbeat", "folds", "repeats",
                                                           "epochs", "batch_size", "patience")},
    penalty=written(SETTINGS.space.penalties), lam_range=bounds(SETTINGS.space.lam_low, SETTINGS.space.lam_high),
    dropout_range=bounds(SETTINGS.space.dropout_low, SETTINGS.space.dropout_high), val_size=written(VALIDATION_FRACTION),
)  # fmt: skip
SEARCH, VERIFY = "Search", "Verify"
AUTO = "auto"


def at_least(low: int, why: str):
    """An int >= ``low``: the words of COUNT below 1, ``why`` between 1 and ``low``."""

    def read(option: str, text: str) -> int:
        value = by(COUNT)(option, text)
        if value < low:
            fail(option, f"an int >= {low} ({why})", text)
        return value

    return read


def epochs_or_auto(option: str, text: str) -> int | str:
    return AUTO if text.strip() == AUTO else by(EPOCHS)(option, text)


def batch_size_or_auto(option: str, text: str) -> int | str | None:
    """``auto``, an int >= 1, or ``full`` (None: one batch of all training rows)."""
    if text.strip() == AUTO:
        return AUTO
    size = batch_size(option, text)
    return None if size == "full" else size


def patience_or_auto(option: str, text: str) -> int | str | None:
    """``auto``, ``off`` (None) or an int >= 1."""
    if text.strip() in (AUTO, "off"):
        return AUTO if text.strip() == AUTO else None
    value = COUNT.parse(text)
    if value is None:
        fail(option, f"{COUNT.expected}, 'auto' or 'off'", text)
    return value


# fmt: off
ValSize = Annotated[float, option("--val-size", DATA_PANEL, "FLOAT",
    f"{about(DataConfig, 'val_size')}: the gap, the search and early stopping watch it.", by(RATE))]
Epochs = Annotated[object, option("--epochs", TRAINING, "INT|auto",
    f"{about(RunConfig, 'epochs')}, at most; auto: ceil({ROW_PASSES:,} / training rows) within [{AUTO_MIN_EPOCHS}, {AUTO_MAX_EPOCHS}].",
    epochs_or_auto)]
BatchSize = Annotated[object, option("--batch-size", TRAINING, "INT|full|auto",
    f"{about(RunConfig, 'batch_size', none=repr('full'))}; auto: {SMALL_BATCH} up to {SMALL_BATCH * STEPS_SCALE:,} training rows, else "
    f"the power of two nearest rows/{STEPS_SCALE}, at most {MAX_BATCH}.", batch_size_or_auto)]
Patience = Annotated[object, option("--patience", TRAINING, "INT|auto|off",
    f"{about(RunConfig, 'patience', unit='epochs without improvement')} of the searched and tuned models, best weights restored; "
    f"off: none; auto: {PATIENCE_STEPS} steps, max(5, ceil({PATIENCE_STEPS} / steps per epoch)). The baseline never stops early.",
    patience_or_auto)]
Seeds = Annotated[int, option("--seeds", TRAINING, "INT",
    "Model seeds of the detection, and of the verification on a generator's fresh sample, >= 2.",
    at_least(2, "the verification pairs seeds"))]
Folds = Annotated[int, option("--folds", VERIFY, "INT", "Verification on a table: k of the repeated k-fold cross-validation, >= 2.",
    at_least(2, "one fold tests, the others train"))]
Repeats = Annotated[int, option("--repeats", VERIFY, "INT", "Verification on a table: repeats of the k-fold (fits = folds × repeats).",
    by(COUNT))]
SearchSeeds = Annotated[int, option("--search-seeds", SEARCH, "INT", "Model seeds per searched configuration, averaged by the objective.",
    by(COUNT))]
Budget = Annotated[int, option("--budget", SEARCH, "INT",
    f"Finished trials of the search; a grid ({LAM_GRID_POINTS} λ × {DROPOUT_GRID_POINTS} dropout × kinds) that fits in it is trained "
    "whole instead.", by(COUNT))]
Batch = Annotated[int, option("--batch", SEARCH, "INT", "Trials of the TPE search trained as one stack (each × --search-seeds).",
    by(COUNT))]
Out = Annotated[str, option("--out", "Output", "DIR", "Directory of report.html, results.json and the study's SQLite file.")]
# fmt: on

DIAGNOSE_HELP = f"""Is the model over- or underfitting, which penalty and λ fix it, and is the gain real?

Detect: the unregularized model on --seeds seeds, judged against the best score the data allows.

That ceiling is the Bayes accuracy of a 2-D generator, else a wider reference trained longer.

Tune: penalty kind, λ and dropout by a grid or TPE, in a reglab tune study (--storage, --study).

Rule: the most regularized configuration whose validation loss is within one standard error of the best.

Verify: on a generator, {SETTINGS.fresh_rows:,} fresh points; on a table, repeated k-fold, the corrected resampled t-test.

Recommend: the settings, and code for Keras, PyTorch and scikit-learn.

Defaults suit 200 rows as well as 50,000: epochs, batch size and patience scale with the data.
"""


@app.command(help=DIAGNOSE_HELP)
def diagnose(
    ctx: typer.Context,
    dataset: Dataset = DEFAULT_DATASET, target: Target = DEFAULT.target, task: Task = DEFAULT.task, n_samples: NSamples = DEFAULT.n_samples,
    noise: Noise = DEFAULT.noise, n_classes: NClasses = DEFAULT.n_classes, test_size: TestSize = DEFAULT.test_size,
    val_size: ValSize = SETTING.val_size, standardize: Standardize = DEFAULT.standardize, missing: Missing = DEFAULT.missing,
    drop: Drop = None, hidden: Hidden = DEFAULT.hidden, activation: Activation = DEFAULT.activation, penalty: Penalties = SETTING.penalty,
    lam_range: LamRange = SETTING.lam_range, dropout_range: DropoutRange = SETTING.dropout_range, l1_method: L1Method = DEFAULT.l1_method,
    regularize_output: RegularizeOutput = DEFAULT.regularize_output, optimizer: Optimizer = DEFAULT.optimizer, lr: Lr = DEFAULT.lr,
    momentum: Momentum = DEFAULT.momentum, epochs: Epochs = SETTING.epochs, batch_size: BatchSize = SETTING.batch_size,
    patience: Patience = SETTING.patience, min_delta: MinDelta = DEFAULT.min_delta, input_noise: InputNoise = DEFAULT.input_noise,
    seed: Seed = DEFAULT.seed, seeds: Seeds = SETTING.seeds, search_seeds: SearchSeeds = SETTING.search_seeds,
    budget: Budget = SETTING.budget, batch: Batch = SETTING.batch, storage: Storage = SETTINGS.storage,
    study: StudyName = SETTINGS.study, heartbeat: Heartbeat = SETTING.heartbeat, device: Device = DEFAULT_DEVICE,
    threads: Threads = None, gap_threshold: GapThreshold = None, underfit_margin: UnderfitMargin = None,
    folds: Folds = SETTING.folds, repeats: Repeats = SETTING.repeats, as_json: AsJson = False, out: Out = DEFAULT_OUT,
    force: Force = False,
) -> None:  # fmt: skip
    data, base, settings, thresholds = read_options(ctx.params)
    with no_empty_folder(out, resumable=(f"{STUDY_FILE}*",)), claimed_folder(out, "diagnose", force) as folder:
        _diagnose(data, base, settings, thresholds, threads, folder, device, as_json)


def _diagnose(data, base, settings, thresholds, threads_given: int | None, folder: Path, device: str, as_json: bool) -> None:
    import optuna

    from reglab.cli.present import emit_json
    from reglab.diagnosis import diagnose as run_diagnosis
    from reglab.diagnosis.report import write_outputs
    from reglab.runs.threads import set_threads

    set_threads(threads_given)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    found = run_diagnosis(data, base, settings, thresholds=thresholds, out=folder, device=cuda_checked(device), progress=note)
    document = found.document()
    results, report = write_outputs(document, folder)
    note(f"wrote {report} and {results}")
    if as_json:
        emit_json(document)
    else:
        show(document)


def read_options(params: Mapping[str, Any]):
    """Every option checked (the data loaded, so that a bad file is refused before training):
    ``(data, base, settings, thresholds)``. ``params``: ``diagnose``'s typed option values by parameter name (``ctx.params``)."""
    from reglab.cli.building import check_batch_size, data_config
    from reglab.tuning.space import SearchSpace

    p = params
    asked = DataOptions.of(p)
    if asked.val_size == 0:
        fail("--val-size", "> 0 (the gap, the search and early stopping watch the validation part)", written(asked.val_size))
    data = data_config(asked, p["seed"], asked.val_size)
    model = ("hidden", "activation", "l1_method", "regularize_output", "optimizer", "lr", "momentum", "min_delta", "input_noise")
    base = RunConfig(**{name: p[name] for name in model}, seed=data.seed)  # the schedule is the settings'; the penalty is searched
    space = SearchSpace(tuple(p["penalty"]), *p["lam_range"], *p["dropout_range"])
    counts = {name: p[name] for name in ("seeds", "search_seeds", "budget", "batch", "heartbeat", "folds", "repeats")}
    given = {"gap": p["gap_threshold"], "underfit_margin": p["underfit_margin"]}
    thresholds = {name: value for name, value in given.items() if value is not None}
    cuda_checked(p["device"])
    size = p["batch_size"]
    schedule = {"epochs": p["epochs"], "batch_size": size, "patience": p["patience"]}
    settings = Settings(**counts, **schedule, space=space, storage=p["storage"], study=p["study"])
    check_batch_size(data, None if size == AUTO else size, size not in (AUTO, None))
    from reglab.measures import FitThresholds

    return data, base, settings, FitThresholds(**thresholds)


def p_text(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.3g}"


def show(doc: dict[str, Any]) -> None:
    """The verdict, the decision and what it rests on, as a few lines on stdout."""
    from rich.table import Table

    from reglab.cli.present import stdout_console
    from reglab.diagnosis.choose import described
    from reglab.diagnosis.metrics import LABELS

    b, s, v, a = doc["baseline"], doc["search"], doc["verification"], doc["advice"]
    facts = Table.grid(padding=(0, 2))
    data = doc["data"]
    rows = ", ".join(f"{count} {'validation' if part == 'val' else part}" for part, count in data["rows"].items())
    facts.add_row("data", f"{data['dataset']}: {data['task']}, rows {rows}, {data['features']} columns")
    facts.add_row("verdict", f"{doc['verdict']} ({b['seeds_agreeing']}): {doc['verdict_reason']}")
    chosen = f"{described(s['chosen']['params'])} → validation data loss {s['chosen']['mean']:.4f}"
    facts.add_row("chosen", f"{chosen} ({s['mode']}, {s['trials']} trials)")
    method, m = v["method"], v["metrics"]
    quantity, (low, high) = v["quantity"], v["ci95"]
    facts.add_row("verified", f"{method['name']}, {method['pairs']} fits: test {LABELS[quantity]} {m['baseline'][quantity]:.4f} → "
                  f"{m['tuned'][quantity]:.4f}, difference {v['difference']:+.4f} [{low:+.4f}, {high:+.4f}], p = {p_text(v['p_value'])}; "
                  f"detectable {p_text(method['detectable'])}")  # fmt: skip
    shown_metrics = [k for k in m["difference"] if k != quantity and m["baseline"][k] is not None and m["tuned"][k] is not None]
    others = [f"{LABELS[k]} {m['baseline'][k]:.3f} → {m['tuned'][k]:.3f}" for k in shown_metrics]
    if m.get("majority_rate") is not None:
        others.append(f"majority rate {m['majority_rate']:.3f}")
    facts.add_row("metrics", "; ".join(others))
    facts.add_row("decision", a["decision"] + (f": {doc['recommendation']['reglab']}" if "reglab" in doc["recommendation"] else ""))
    for i, sentence in enumerate(a["sentences"]):
        facts.add_row("advice" if i == 0 else "", sentence)
    stdout_console().print(facts)
