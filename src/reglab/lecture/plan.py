"""What the lecture's experiments run: settings, and the runs of every section.

Every section is a list of *arms* (one configuration each, trained for every seed). Each seed draws
its own data and split, so intervals over seeds cover both initialisation and sampling. Arms that
are the same configuration in two sections train once.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from reglab.config import DataConfig, RunConfig
from reglab.regularizers import L1, L1L2, L2, NoPenalty
from reglab.runs import Run

__all__ = ["Arm", "Settings", "SECTIONS", "plan", "settings_for"]

# Noise of each 2-D dataset in the dataset-complexity section, chosen so the classes overlap a little.
DATASET_NOISE = {"moons": 0.3, "circles": 0.1, "xor": 0.15, "spirals": 0.15}


@dataclass(frozen=True)
class Settings:
    """Knobs of the whole demo; ``quick`` shrinks epochs, seeds and grids but keeps every section."""

    seeds: int = 5  # seeds per configuration
    epochs: int = 1000  # "trained long", as in the lecture
    n_samples: int = 200  # moons points
    noise: float = 0.3  # moons noise
    test_size: float = 0.3  # fraction of all points held out for test (stratified)
    val_size: float = 0.25  # fraction of the rest held out for validation
    hidden: tuple[int, ...] = (128, 128)  # hidden widths of the lecture's model
    activation: str = "relu"  # after every hidden layer
    optimizer: str = "adam"
    lr: float = 1e-3  # Adam's default
    batch_size: int = 32
    lam_grid: tuple[float, ...] = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
    lam_shown: tuple[float, ...] = (0.0, 1e-3, 1e-2, 0.1, 1.0)  # boundaries drawn for these
    widths: tuple[int, ...] = (1, 10, 50, 256, 1000)
    patience: int = 50  # early stopping, in epochs
    sgd_lr: float = 0.1
    resolution: int = 120  # boundary grid points per axis
    quick: bool = False
    seed: int = 0  # first seed

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seed, self.seed + self.seeds))

    def data(self, seed: int, **changes) -> DataConfig:
        base = dict(
            dataset="moons", n_samples=self.n_samples, noise=self.noise, standardize=False, test_size=self.test_size,
            val_size=self.val_size, seed=seed,
        )  # fmt: skip
        return DataConfig(**{**base, **changes})

    def config(self, seed: int, **changes) -> RunConfig:
        base = dict(
            hidden=self.hidden, activation=self.activation, optimizer=self.optimizer, epochs=self.epochs, lr=self.lr,
            batch_size=self.batch_size, seed=seed,
        )  # fmt: skip
        return RunConfig(**{**base, **changes})


def settings_for(quick: bool = False, seeds: int | None = None, seed: int = 0) -> Settings:
    """Full settings, or the quick ones (same sections, fewer epochs, seeds and grid points)."""
    if not quick:
        return Settings(seeds=seeds or 5, seed=seed)
    return Settings(
        seeds=seeds or 2,
        epochs=150,
        lr=3e-3,
        lam_grid=(0.0, 1e-3, 1e-2, 0.1, 1.0),
        widths=(1, 10, 256),
        patience=15,
        resolution=60,
        quick=True,
        seed=seed,
    )


@dataclass(frozen=True)
class Arm:
    """One configuration of a section, trained once per seed."""

    label: str
    config: dict = field(default_factory=dict)  # RunConfig fields changed from the base
    data: dict = field(default_factory=dict)  # DataConfig fields changed from the base

    def runs(self, s: Settings) -> list[Run]:
        return [Run(s.config(seed, **self.config), s.data(seed, **self.data)) for seed in s.seed_list]


def capacity(s: Settings) -> list[Arm]:
    return [Arm(f"{w} neuron{'s' if w > 1 else ''}", {"hidden": (w,)}) for w in s.widths]


def with_without_l2(s: Settings) -> list[Arm]:
    return [Arm("no penalty"), Arm("L2 λ=0.01", {"penalty": L2(lam=0.01)})]


def choosing_lambda(s: Settings) -> list[Arm]:
    return [Arm(f"λ={lam:g}", {"penalty": L2(lam=lam) if lam else NoPenalty()}) for lam in s.lam_grid]


def penalties(s: Settings) -> list[Arm]:
    return [
        Arm("L2 λ=0.01", {"penalty": L2(lam=0.01)}),
        Arm("L1 λ=0.001 proximal", {"penalty": L1(lam=1e-3), "l1_method": "proximal"}),
        Arm("L1 λ=0.001 subgradient", {"penalty": L1(lam=1e-3), "l1_method": "subgradient"}),
        Arm("elastic net l1=0.001 l2=0.01", {"penalty": L1L2(l1=1e-3, l2=0.01), "l1_method": "proximal"}),
    ]


def weight_decay(s: Settings) -> list[Arm]:
    sgd = {"optimizer": "sgd", "lr": s.sgd_lr}
    return [
        Arm("SGD + L2 λ=0.005", {**sgd, "penalty": L2(lam=0.005)}),
        Arm("SGD + decay 0.01", {**sgd, "weight_decay": 0.01}),
        Arm("Adam + L2 λ=0.005", {"penalty": L2(lam=0.005)}),
        Arm("AdamW decay 0.01", {"optimizer": "adamw", "weight_decay": 0.01}),
    ]


def dropout_early_stopping(s: Settings) -> list[Arm]:
    arms = []
    for patience in (None, s.patience):
        for rate in (0.0, 0.3):
            for lam in (0.0, 0.01):
                parts = [f"dropout {rate:g}", f"L2 {lam:g}", "early stop" if patience else "no early stop"]
                config = {"dropout": rate, "penalty": L2(lam=lam) if lam else NoPenalty(), "patience": patience}
                arms.append(Arm(" · ".join(parts), config))
    return arms


def more_data(s: Settings) -> list[Arm]:
    n = s.n_samples
    return [
        Arm(f"{n} points", {}),
        Arm(f"{2 * n} points (2×)", {}, {"n_samples": 2 * n}),
        Arm(f"{4 * n} points (4×)", {}, {"n_samples": 4 * n}),
        Arm(f"{n} points + jitter 0.15", {"input_noise": 0.15}),
        Arm(f"{n} points + L2 λ=0.01", {"penalty": L2(lam=0.01)}),
    ]


def dataset_complexity(s: Settings) -> list[Arm]:
    return [
        Arm(f"{name} · λ={lam:g}", {"penalty": L2(lam=lam)}, {"dataset": name, "noise": noise})
        for name, noise in DATASET_NOISE.items()
        for lam in (0.001, 0.01, 0.1)
    ]


SECTIONS = {
    "capacity": ("Overfitting grows with capacity", capacity),
    "l2": ("Without vs with L2 (λ = 0.01)", with_without_l2),
    "weights": ("Weight distributions", with_without_l2),
    "lambda": ("Choosing λ", choosing_lambda),
    "penalties": ("L1 vs L2 vs elastic net", penalties),
    "decay": ("Weight decay", weight_decay),
    "dropout": ("Dropout and early stopping, with and without L2", dropout_early_stopping),
    "data": ("More data and augmentation", more_data),
    "datasets": ("Dataset complexity", dataset_complexity),
}


def plan(s: Settings) -> tuple[list[Run], dict[str, list[tuple[Arm, list[int]]]]]:
    """All distinct runs, and for each section its arms with the indices of their runs (one per seed)."""
    runs: list[Run] = []
    index: dict[Run, int] = {}
    sections = {}
    for key, (_, arms_of) in SECTIONS.items():
        arms = []
        for arm in arms_of(s):
            ids = []
            for run in arm.runs(s):
                if run not in index:
                    index[run] = len(runs)
                    runs.append(run)
                ids.append(index[run])
            arms.append((arm, ids))
        sections[key] = arms
    return runs, sections


def command(s: Settings, arms: list[Arm]) -> str:
    """``reglab sweep`` command lines that train the same arms, folding arms that differ in one value."""
    lines: list[list[str]] = []
    any_l2 = any(s.config(s.seed, **arm.config).penalty.kind == "l2" for arm in arms)
    for opts in (_options(s, arm, any_l2) for arm in arms):
        for line in lines:
            differ = [k for k, (a, b) in enumerate(zip(line, opts)) if a != b]
            if len(line) == len(opts) and len(differ) <= 1 and (not differ or line[differ[0] - 1] in _LISTS):
                if differ:
                    k = differ[0]
                    sep = ";" if line[k - 1] == "--hidden" else ","
                    line[k] = shlex.quote(f"{shlex.split(line[k])[0]}{sep}{shlex.split(opts[k])[0]}")
                break
        else:
            lines.append(opts)
    return "\n".join(" ".join(["reglab", "sweep", *line]) for line in lines)


_LISTS = {"--lam", "--hidden", "--dropout", "--penalty", "--l1", "--l2", "--lr", "--weight-decay"}


def _options(s: Settings, arm: Arm, any_l2: bool = True) -> list[str]:
    cfg, data = s.config(s.seed, **arm.config), s.data(s.seed, **arm.data)
    opts = [
        "--dataset", data.dataset, "--n-samples", str(data.n_samples), "--noise", f"{data.noise:g}",
        "--no-standardize", "--test-size", f"{data.test_size:g}", "--val-size", f"{data.val_size:g}",
        "--hidden", ",".join(map(str, cfg.hidden)), "--optimizer", cfg.optimizer, "--lr", f"{cfg.lr:g}",
        "--epochs", str(cfg.epochs), "--batch-size", str(cfg.batch_size),
    ]  # fmt: skip
    p = cfg.penalty
    if p.kind == "l1l2":
        opts += ["--penalty", "l1l2", "--l1", f"{p.l1:g}", "--l2", f"{p.l2:g}", "--l1-method", cfg.l1_method]
    elif p.kind == "none" and any_l2:
        opts += ["--penalty", "l2", "--lam", "0"]
    elif p.kind != "none":
        opts += ["--penalty", p.kind, "--lam", f"{p.lam:g}"]
        if p.kind == "l1":
            opts += ["--l1-method", cfg.l1_method]
    extras = {"--dropout": cfg.dropout, "--weight-decay": cfg.weight_decay, "--patience": cfg.patience, "--input-noise": cfg.input_noise}
    for flag, value in extras.items():
        if value:
            opts += [flag, f"{value:g}"]
    opts += ["--seed", str(s.seed), "--seeds", str(s.seeds)]
    return [shlex.quote(o) for o in opts]
