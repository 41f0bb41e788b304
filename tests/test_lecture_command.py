"""The ``reglab sweep`` lines of every section, rendered from its grid description, build the section's runs (parsed by the CLI)."""

import shlex

import pytest
import typer

from reglab.cli import app
from reglab.cli.building import read_request
from reglab.lecture import SECTIONS
from reglab.lecture.command import sweep_command
from reglab.lecture.plan import grid_description, plan, settings_for
from reglab.runs import grid

SETTINGS = settings_for(quick=True)


def runs_of(command: str) -> set:
    """The runs the CLI's ``sweep`` would train for each line, parsed by its own options."""
    group = typer.main.get_command(app)
    sweep = group.get_command(group.make_context("reglab", ["sweep"]), "sweep")
    out = set()
    for line in command.splitlines():
        args = shlex.split(line)
        assert args[:2] == ["reglab", "sweep"]
        ctx = sweep.make_context("sweep", args[2:])
        r = read_request(ctx.params, sweep=True)
        out |= set(grid(r.base, r.data, r.seeds, split_per_seed=r.split_per_seed, **r.axes))
    return out


@pytest.mark.parametrize("key", list(SECTIONS))
def test_each_sections_command_builds_exactly_its_runs(key):
    runs, sections = plan([SECTIONS[key]], SETTINGS)
    command = sweep_command(grid_description(SETTINGS, [arm for arm, _ in sections[key]]))
    assert runs_of(command) == set(runs)


def test_arms_that_differ_in_one_listed_field_fold_into_one_line():
    base = {"data": {"dataset": "moons", "standardize": False}, "config": {"hidden": [8]}, "seed": 0}
    arms = [{"key": str(lam), "data": {}, "config": {"penalty": "l2", "lam": lam}, "seeds": 2} for lam in (0.001, 0.01)]
    widths = [{"key": str(w), "data": {}, "config": {"hidden": [w, w]}, "seeds": 2} for w in (4, 8)]
    assert sweep_command({**base, "arms": arms}) == (
        "reglab sweep --dataset moons --no-standardize --hidden 8 --penalty l2 --lam 0.001,0.01 --seed 0 --seeds 2"
    )
    assert "--hidden '4,4;8,8'" in sweep_command({**base, "arms": widths})
    crossed = [{"key": "", "data": {}, "config": {"penalty": p, "lam": lam, "dropout": d}, "seeds": 2}
               for p in ("l1", "l2") for lam in (0.1, 1.0) for d in (0.0, 0.5)]  # fmt: skip
    (line,) = sweep_command({**base, "arms": crossed}).splitlines()
    assert "--penalty l1,l2 --lam 0.1,1 --dropout 0,0.5" in line
    apart = [{"key": "", "data": {}, "config": {"penalty": "l2", "lam": 0.1, "dropout": 0.5}, "seeds": 2},
             {"key": "", "data": {}, "config": {"penalty": "l2", "lam": 1.0, "dropout": 0.0}, "seeds": 2}]  # fmt: skip
    assert len(sweep_command({**base, "arms": apart}).splitlines()) == 2  # folding them would add two runs
