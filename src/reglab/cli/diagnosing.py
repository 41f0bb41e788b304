"""``reglab diagnose``: detect → apply and tune → verify → recommend, on a shipped dataset or a CSV file.

The data and model options are those of ``train`` (:mod:`reglab.cli.options`, read by
:mod:`reglab.cli.building`), the search's options those of ``tune`` (read by :mod:`reglab.tuning.space`);
the library (:mod:`reglab.diagnosis`) is imported once every option is read, so that ``--help`` and a
refusal never load PyTorch or Optuna. Writes ``DIR/report.html`` and ``DIR/results.json``; prints a
summary, or with ``--json`` the document, on stdout; the phases' progress goes to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from reglab.cli.application import app
from reglab.cli.options import (
    DATA_PANEL,
    MODEL,
    PENALTY,
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
    option,
    shown,
)
from reglab.cli.outputs import claimed_folder
from reglab.cli.parsing import Choice, fail, one, parse_batch_size, parse_device
from reglab.cli.progress import note
from reglab.cli.tuning import Heartbeat, Storage, StudyName
from reglab.config import ACTIVATIONS, COUNT, L1_METHODS, NON_NEGATIVE, OPTIMIZERS, POSITIVE, RATE, UNIT, WIDTHS, DataConfig, RunConfig

DEFAULT_OUT = "reglab-diagnose"
DATA, RUN = DataConfig(), RunConfig()
SEARCH = "Search"
DATA_TEXT = {name: shown(getattr(DATA, name)) for name in ("n_samples", "noise", "n_classes", "test_size")}
RUN_TEXT = {name: shown(getattr(RUN, name)) for name in ("hidden", "lr", "momentum", "min_delta", "input_noise", "seed")}

# fmt: off
ValSize = Annotated[str, option("--val-size", DATA_PANEL, "FLOAT",
    "Fraction of the training rows held out for validation: the gap, the search and early stopping watch it.")]
Epochs = Annotated[str, option("--epochs", TRAINING, "INT|auto",
    "Epoch cap; auto: ceil(50,000 / training rows) within [20, 200] (200 rows: 200; 28,000 training rows: 20).")]
BatchSize = Annotated[str, option("--batch-size", TRAINING, "INT|full|auto",
    "Rows per step; auto: 32 up to 3,200 training rows, else the power of two nearest rows/100, at most 512.")]
Patience = Annotated[str, option("--patience", TRAINING, "INT|auto|off",
    "Early stopping of the searched and tuned models (best weights restored); auto: 300 steps, max(5, ceil(300 / steps per epoch)). "
    "The baseline never stops early.")]
Seeds = Annotated[str, option("--seeds", TRAINING, "INT",
    "Model seeds of the detection, and of the verification on a generator's fresh sample, >= 2.")]
VERIFY = "Verify"
Folds = Annotated[str, option("--folds", VERIFY, "INT", "Verification on a table: k of the repeated k-fold cross-validation, >= 2.")]
Repeats = Annotated[str, option("--repeats", VERIFY, "INT", "Verification on a table: repeats of the k-fold (fits = folds × repeats).")]
SearchSeeds = Annotated[str, option("--search-seeds", SEARCH, "INT", "Model seeds per searched configuration, averaged by the objective.")]
Budget = Annotated[str, option("--budget", SEARCH, "INT",
    "Finished trials of the search; a grid (5 λ × 3 dropout × kinds) that fits in it is trained whole instead.")]
Batch = Annotated[str, option("--batch", SEARCH, "INT", "Trials of the TPE search trained as one stack (each × --search-seeds).")]
Penalties = Annotated[str, option("--penalty", PENALTY, "LIST", "Penalty kinds searched: none, l1, l2, l1l2, comma-separated.")]
LamRange = Annotated[str, option("--lam-range", PENALTY, "LOW:HIGH", "Range of λ, searched on a log scale (0 < LOW <= HIGH).")]
DropoutRange = Annotated[str, option("--dropout-range", MODEL, "LOW:HIGH", "Range of the dropout rate searched (equal bounds: fixed).")]
Out = Annotated[str, option("--out", "Output", "DIR", "Directory of report.html, results.json and the study's SQLite file.")]
# fmt: on


@app.command()
def diagnose(
    dataset: Dataset = "breast_cancer", target: Target = DATA.target, task: Task = DATA.task, n_samples: NSamples = DATA_TEXT["n_samples"],
    noise: Noise = DATA_TEXT["noise"], n_classes: NClasses = DATA_TEXT["n_classes"], test_size: TestSize = DATA_TEXT["test_size"],
    val_size: ValSize = "0.2", standardize: Standardize = DATA.standardize, missing: Missing = "error", drop: Drop = None,
    hidden: Hidden = RUN_TEXT["hidden"],
    activation: Activation = RUN.activation, penalty: Penalties = "l1,l2,l1l2", lam_range: LamRange = "1e-5:1",
    dropout_range: DropoutRange = "0:0.5", l1_method: L1Method = RUN.l1_method, regularize_output: RegularizeOutput = RUN.regularize_output,
    optimizer: Optimizer = RUN.optimizer, lr: Lr = RUN_TEXT["lr"], momentum: Momentum = RUN_TEXT["momentum"], epochs: Epochs = "auto",
    batch_size: BatchSize = "auto", patience: Patience = "auto", min_delta: MinDelta = RUN_TEXT["min_delta"],
    input_noise: InputNoise = RUN_TEXT["input_noise"], seed: Seed = RUN_TEXT["seed"], seeds: Seeds = "5", search_seeds: SearchSeeds = "3",
    budget: Budget = "30", batch: Batch = "10", storage: Storage = None, study: StudyName = "", heartbeat: Heartbeat = "10",
    device: Device = "cpu", threads: Threads = None, gap_threshold: GapThreshold = None, underfit_margin: UnderfitMargin = None,
    folds: Folds = "5", repeats: Repeats = "2", as_json: AsJson = False, out: Out = DEFAULT_OUT, force: Force = False,
) -> None:  # fmt: skip
    """Is the model over- or underfitting, which penalty and λ fix it, and is the gain real?

    Detect: the unregularized model on --seeds seeds, judged against the best score the data allows.

    That ceiling is the Bayes accuracy of a 2-D generator, else a wider reference trained longer.

    Tune: penalty kind, λ and dropout by a grid or TPE, in a reglab tune study (--storage, --study).

    Rule: the most regularized configuration whose validation loss is within one standard error of the best.

    Verify: on a generator, 20,000 fresh points; on a table, repeated k-fold, the corrected resampled t-test.

    Recommend: the settings, and code for Keras, PyTorch and scikit-learn.

    Defaults suit 200 rows as well as 50,000: epochs, batch size and patience scale with the data.
    """
    o = dict(locals())
    data, base, settings, thresholds, threads_given = read_options(o)
    with claimed_folder(out, "diagnose", force) as folder:
        _diagnose(data, base, settings, thresholds, threads_given, folder, o)


def _diagnose(data, base, settings, thresholds, threads_given: int | None, folder: Path, o: dict[str, Any]) -> None:
    import optuna

    from reglab.cli.present import emit_json
    from reglab.diagnosis import diagnose as run_diagnosis
    from reglab.diagnosis.report import write_outputs
    from reglab.runs.threads import set_threads

    set_threads(threads_given)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    found = run_diagnosis(data, base, settings, thresholds=thresholds, out=folder, device=parse_device(o["device"]), progress=note)
    document = found.document()
    results, report = write_outputs(document, folder)
    note(f"wrote {report} and {results}")
    if o["as_json"]:
        emit_json(document)
    else:
        show(document)


def read_options(o: dict[str, Any]):
    """Every option checked (the data loaded, so that a bad file is refused before training):
    ``(data, base, settings, thresholds, threads)``."""
    from reglab.cli.building import check_batch_size, data_config
    from reglab.diagnosis.settings import Settings
    from reglab.tuning.space import SearchSpace, parse_dropout_range, parse_lam_range, parse_penalties

    if one("--val-size", o["val_size"], RATE) == 0:
        fail("--val-size", "> 0 (the gap, the search and early stopping watch the validation part)", o["val_size"])
    data = data_config({**o, "patience": None})
    base = RunConfig(
        hidden=one("--hidden", o["hidden"], WIDTHS), activation=one("--activation", o["activation"], Choice(ACTIVATIONS)),
        l1_method=one("--l1-method", o["l1_method"], Choice(L1_METHODS)), regularize_output=o["regularize_output"],
        optimizer=one("--optimizer", o["optimizer"], Choice(OPTIMIZERS)), lr=one("--lr", o["lr"], POSITIVE),
        momentum=one("--momentum", o["momentum"], RATE), min_delta=one("--min-delta", o["min_delta"], NON_NEGATIVE),
        input_noise=one("--input-noise", o["input_noise"], NON_NEGATIVE), seed=data.seed,
    )  # fmt: skip
    space = SearchSpace(parse_penalties(o["penalty"]), *parse_lam_range(o["lam_range"]), *parse_dropout_range(o["dropout_range"]))
    names = ("seeds", "search_seeds", "budget", "batch", "heartbeat", "folds", "repeats")
    counts = {name: one(f"--{name.replace('_', '-')}", o[name], COUNT) for name in names}
    if counts["seeds"] < 2:
        fail("--seeds", "an int >= 2 (the verification pairs seeds)", o["seeds"])
    if counts["folds"] < 2:
        fail("--folds", "an int >= 2 (one fold tests, the others train)", o["folds"])
    epochs = "auto" if o["epochs"].strip() == "auto" else one("--epochs", o["epochs"], COUNT)
    batch_size = "auto" if o["batch_size"].strip() == "auto" else parse_batch_size(o["batch_size"])
    patience = {"auto": "auto", "off": None}.get(o["patience"].strip(), COUNT.parse(o["patience"]))
    if patience is None and o["patience"].strip() != "off":
        fail("--patience", f"{COUNT.expected}, 'auto' or 'off'", o["patience"])
    thresholds = {}
    if o["gap_threshold"] is not None:
        thresholds["gap"] = one("--gap-threshold", o["gap_threshold"], NON_NEGATIVE)
    if o["underfit_margin"] is not None:
        thresholds["underfit_margin"] = one("--underfit-margin", o["underfit_margin"], UNIT)
    threads = None if o["threads"] is None else one("--threads", o["threads"], COUNT)
    parse_device(o["device"])
    study = o["study"].strip() or None
    settings = Settings(**counts, space=space, epochs=epochs, batch_size=batch_size, patience=patience, storage=o["storage"], study=study)
    check_batch_size(data, None if batch_size in ("auto", None) else o["batch_size"], None if batch_size == "auto" else batch_size)
    from reglab.measures import FitThresholds

    return data, base, settings, FitThresholds(**thresholds), threads


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
