"""What the lecture's experiments run: settings, arms, the ``Section`` record, and the distinct runs of all sections.

Every section is a list of *arms* (one configuration each, with a stable key, trained for every seed).
Each seed draws its own data and split, so intervals over seeds cover both initialisation and
sampling. Arms that are the same configuration in two sections train once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from reglab.config import DataConfig, RunConfig
from reglab.runs import Run, RunResult

__all__ = ["QUICK_SEEDS", "Arm", "Arms", "Section", "Settings", "grid_description", "plan", "settings_for"]

QUICK_SEEDS = 2  # seeds per configuration of --quick: enough for an interval, too few for any test to call


@dataclass(frozen=True)
class Settings:
    """Knobs of the whole demo; ``quick`` shrinks epochs, seeds and grids but keeps every section."""

    seeds: int = 10  # seeds per configuration: the exact sign-flip test's smallest p is 2^(1 − seeds) = 0.002
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
    lam_grid: tuple[float, ...] = (0.0, 1e-3, 3e-3, 1e-2, 0.1, 1.0)  # the lecture's 0, 0.01, 0.1, 1 and its range
    lam_shown: tuple[float, ...] = (0.0, 1e-3, 1e-2, 0.1, 1.0)  # boundaries drawn for these
    ladder: tuple[float, ...] = (1e-3, 3e-3, 1e-2)  # L2 λ tried before penalties are compared at matched strength
    l1_ladder: tuple[float, ...] = (1e-4, 1e-3, 1e-2)  # L1 λ tried (proximal), 0.01 being the lecture's l1_l2 value
    enet_ladder: tuple[float, ...] = (1e-2,)  # elastic net l2 tried, with l1 = l2/10 (and the lecture's 0.01, 0.01)
    adamw_decays: tuple[float, ...] = (0.02, 2.0, 20.0)  # AdamW decays: 2λ of L2 λ = 0.01 (SGD's equivalent), and stronger
    identity_seeds: int = 3  # seeds of the float64 SGD pair: an identity shown to rounding, not a comparison
    widths: tuple[int, ...] = (1, 10, 50, 256, 1000)
    patience: int = 50  # early stopping, in epochs
    sgd_lr: float = 0.1
    exercise_seeds: int = 8  # seeds per cell of the crossed exercise: fewer, to fit the time budget (families of 4)
    exercise_epochs: int = 300  # epochs per cell of the crossed practical exercise
    snapshots: tuple[int, ...] = (10, 50, 200, 1000)  # epochs whose boundary the evolution strip shows
    resolution: int = 120  # boundary grid points per axis
    quick: bool = False
    seed: int = 0  # first seed

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seed, self.seed + self.seeds))

    def data_base(self) -> dict[str, Any]:
        """The DataConfig fields every section sets (the seed aside)."""
        return dict(
            dataset="moons", n_samples=self.n_samples, noise=self.noise, standardize=False, test_size=self.test_size,
            val_size=self.val_size,
        )  # fmt: skip

    def config_base(self) -> dict[str, Any]:
        """The RunConfig fields every section sets (the seed aside)."""
        return dict(
            hidden=self.hidden, activation=self.activation, optimizer=self.optimizer, epochs=self.epochs, lr=self.lr,
            batch_size=self.batch_size,
        )  # fmt: skip

    def data(self, seed: int, **changes) -> DataConfig:
        return DataConfig(**{**self.data_base(), "seed": seed, **changes})

    def config(self, seed: int, **changes) -> RunConfig:
        return RunConfig(**{**self.config_base(), "seed": seed, **changes})


def settings_for(quick: bool = False, seeds: int | None = None, seed: int = 0) -> Settings:
    """Full settings, or the quick ones (same sections, fewer epochs, seeds and grid points)."""
    if not quick:
        full = Settings()
        return Settings(seeds=seeds or full.seeds, exercise_seeds=seeds or full.exercise_seeds, seed=seed)
    return Settings(
        seeds=seeds or QUICK_SEEDS,
        epochs=150,
        lr=3e-3,
        lam_grid=(0.0, 1e-3, 1e-2, 0.1, 1.0),
        ladder=(1e-3, 1e-2),
        identity_seeds=QUICK_SEEDS,
        widths=(1, 10, 256),
        patience=15,
        exercise_seeds=seeds or QUICK_SEEDS,
        exercise_epochs=80,
        snapshots=(5, 30, 150),
        resolution=60,
        quick=True,
        seed=seed,
    )


@dataclass(frozen=True)
class Arm:
    """One configuration of a section, trained once per seed; ``key`` is stable, ``label`` is for people."""

    key: str
    label: str
    config: dict = field(default_factory=dict)  # RunConfig fields changed from the base
    data: dict = field(default_factory=dict)  # DataConfig fields changed from the base
    seeds: int | None = None  # seeds of this arm, if not the settings' count
    exact: bool = False  # trained in float64 (an identity is shown to rounding)

    def seed_list(self, s: Settings) -> list[int]:
        return list(range(s.seed, s.seed + (self.seeds or s.seeds)))

    def runs(self, s: Settings) -> list[Run]:
        return [Run(s.config(seed, **self.config), s.data(seed, **self.data)) for seed in self.seed_list(s)]


class Arms(Mapping[str, tuple[Arm, list[RunResult]]]):
    """A section's arms with their results (one per seed), by key, in the section's order."""

    def __init__(self, pairs: Sequence[tuple[Arm, list[RunResult]]]):
        self._pairs = {arm.key: (arm, list(results)) for arm, results in pairs}

    def __getitem__(self, key: str) -> tuple[Arm, list[RunResult]]:
        return self._pairs[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def results(self, key: str) -> list[RunResult]:
        return self._pairs[key][1]

    def label(self, key: str) -> str:
        return self._pairs[key][0].label

    def pairs(self) -> list[tuple[Arm, list[RunResult]]]:
        return list(self._pairs.values())


@dataclass(frozen=True)
class Section:
    """One experiment of the lecture: its anchor, title, arms, analysis and drawing.

    ``analyse(arms, settings)`` returns the section's JSON-able document (table, figure data, numbers,
    conclusion); ``draw(figures)`` is a drawing of :mod:`reglab.views.report.figures`, named in the
    document so that the report can be drawn again from ``results.json`` alone.
    """

    key: str
    title: str
    arms: Callable[[Settings], list[Arm]]
    analyse: Callable[[Arms, Settings], dict]
    draw: Callable

    def __iter__(self):
        """Unpacks as ``(title, arms)``, for callers that only name the sections."""
        return iter((self.title, self.arms))


def plan(sections: Sequence[Section], s: Settings) -> tuple[list[Run], dict[str, list[tuple[Arm, list[int]]]]]:
    """All distinct runs, and for each section its arms with the indices of their runs (one per seed)."""
    runs: list[Run] = []
    index: dict[Run, int] = {}
    out = {}
    for section in sections:
        arms = []
        for arm in section.arms(s):
            ids = []
            for run in arm.runs(s):
                if run not in index:
                    index[run] = len(runs)
                    runs.append(run)
                ids.append(index[run])
            arms.append((arm, ids))
        out[section.key] = arms
    return runs, out


def _flat(config: Mapping[str, Any]) -> dict[str, Any]:
    """Config fields with the penalty spread into ``penalty`` (its kind) and its strengths (``lam``, ``l1``, ``l2``)."""
    out = {}
    for name, value in config.items():
        if name == "penalty":
            spec = value.model_dump(by_alias=True)
            out["penalty"] = spec.pop("kind")
            out.update(spec)
        else:
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def grid_description(s: Settings, arms: Sequence[Arm]) -> dict:
    """What a section trains, as data: the data and model fields all its arms share, each arm's changes
    (config field → value, the penalty spread into its kind and strengths), and the seeds."""
    return {
        "data": dict(s.data_base()),
        "config": _flat(s.config_base()),
        "seed": s.seed,
        "arms": [
            {"key": a.key, "data": dict(a.data), "config": _flat(a.config), "seeds": a.seeds or s.seeds} for a in arms
        ],
    }
