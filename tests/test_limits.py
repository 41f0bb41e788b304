"""Limits checked before work starts, divergence by its stated rule, and the stack's float guarantee.

* Memory: the estimate of :mod:`reglab.runs.memory` against the tensors a real stack allocates,
  and the refusal of a stack that would not fit, as one line with both numbers.
* Divergence: NaN/inf, over 1000 × the first epoch's data loss, or over 100 × a model that learnt
  nothing; the diverged run's metrics absent (None in JSON, "-" in the table), never a chance score.
* Stacked = alone: to 1e-12 in float64 over a chaotic run, to rounding in float32 over a short one.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import reglab.runs.memory as memory
from reglab.config import DataConfig, RunConfig
from reglab.data import load
from reglab.engine import StackTrainer
from reglab.regularizers import L1
from reglab.runs import Run, train_runs
from reglab.runs.memory import MemoryLimitError, check_memory, gigabytes, stack_bytes, stack_parts, stack_size

MOONS = DataConfig(n_samples=100, val_size=0.2)



def nbytes(tensors) -> int:
    unique = {id(t): t for t in tensors if t is not None}
    return sum(t.numel() * t.element_size() for t in unique.values())


@pytest.mark.parametrize(
    "config, dtype",
    [
        (RunConfig(hidden=(8, 5), epochs=1, batch_size=16), torch.float32),
        (RunConfig(hidden=(6,), epochs=1, batch_size=16, optimizer="sgd", dropout=0.2, activation="gelu", patience=3), torch.float64),
    ],
)
def test_memory_estimate_matches_the_real_buffers_of_a_stack(config, dtype):
    configs = [config.replace(seed=s) for s in range(3)]
    splits = [load(MOONS)] * 3
    trainer = StackTrainer(configs, splits, dtype=dtype)
    next(trainer.epochs())
    parts = stack_parts(stack_size(configs, splits, dtype))
    optimizer = trainer.optimizer
    assert parts["flat"] == nbytes([trainer.stack.params, trainer.stack.grads, optimizer.moment1, optimizer.moment2, trainer.best])
    workspaces = [t for ws in trainer.stack._workspaces.values() for f in ws.__dataclass_fields__ for t in _tensors(getattr(ws, f))]
    assert len(trainer.stack._workspaces) == 2  # 56 training rows in batches of 16: 16 and the last 8
    assert parts["workspaces"] == nbytes(workspaces)
    data = trainer.data
    assert parts["data"] == nbytes([*data.X.values(), *data.y.values()])
    n = data.n_rows["train"]  # the largest part evaluated
    evaluation = trainer.stack._new_workspace(n, dropout=False)
    fields = [t for f in evaluation.__dataclass_fields__ for t in _tensors(getattr(evaluation, f))]
    assert parts["evaluation"] == nbytes(fields) + 3 * n * 2 * torch.empty((), dtype=dtype).element_size()  # + the gathered inputs


def _tensors(value):
    return value if isinstance(value, list) else [value]


def test_a_stack_that_does_not_fit_is_refused_with_both_numbers(cli, capsys, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda device="cpu": 21_300_000_000)
    code, out, err = cli("train", "--hidden", "65536,65536")
    need = stack_bytes(stack_size([RunConfig(hidden=(65536, 65536))], [load(DataConfig())]))
    params = 2 * 65536 + 65536 + 65536 * 65536 + 65536 + 65536 + 1
    assert 4 * params * 4 < need < 4 * params * 4 * 1.02  # parameters, gradients and Adam's two moments, in float32
    message = (
        f"The runs need about {gigabytes(need)} for 1 stack of 1 model (hidden 65536,65536) but 21.3 GB is available; "
        "use narrower layers or fewer models."
    )
    assert (code, out, err) == (2, "", f"reglab: error: {message}\n")


def test_the_largest_of_several_stacks_is_named():
    small, wide = stack_size([RunConfig(hidden=(4,))], [load(MOONS)]), stack_size([RunConfig(hidden=(4096, 4096))] * 8, [load(MOONS)] * 8)
    check_memory([small, wide], available=stack_bytes(wide))  # fits exactly
    with pytest.raises(MemoryLimitError) as info:
        check_memory([small, wide], available=stack_bytes(wide) - 1)
    assert str(info.value) == (
        f"The runs need about {gigabytes(stack_bytes(wide))} for the largest of 2 stacks, 8 models (hidden 4096,4096) "
        f"but {gigabytes(stack_bytes(wide) - 1)} is available; use narrower layers or fewer models."
    )


# divergence ----------------------------------------------------------------------------------


def test_adam_at_lr_1e6_is_diverged_and_shows_no_metrics(cli, capsys):
    code, out, err = cli("train", "--optimizer", "adam", "--lr", "1e6", "--epochs", "5", "--n-samples", "100", "--hidden", "8")
    assert code == 0
    cells = {row[0]: row[1:] for row in ([c.strip() for c in line.strip("│").split("│")] for line in out.splitlines() if "│" in line)}
    assert cells["train"] == cells["test"] == ["-", "-", "-", "-"]  # loss, data_loss, penalty, accuracy
    assert "status diverged at epoch 1: the loss became NaN or infinite, or exploded (over 100" in " ".join(out.split())


def test_the_divergence_rule_on_scripted_losses():
    trainer = StackTrainer([RunConfig(hidden=(4,), epochs=3)], [load(MOONS)])
    assert trainer.trivial == [pytest.approx(math.log(2))]
    trainer.history[0]["data_loss"] = [0.01]  # a first epoch that went well
    assert not trainer.exploded(0, {"loss": 9.9, "data_loss": 9.9})
    assert trainer.exploded(0, {"loss": 10.01, "data_loss": 10.01})  # 1000 × the first epoch's
    trainer.history[0]["data_loss"] = [1e9]  # a first epoch that blew up already
    assert not trainer.exploded(0, {"loss": 69.0, "data_loss": 69.0})
    assert trainer.exploded(0, {"loss": 69.4, "data_loss": 69.4})  # 100 × ln 2 = 69.31
    assert trainer.exploded(0, {"loss": math.nan, "data_loss": 1.0}) and trainer.exploded(0, {"loss": 1.0, "data_loss": math.inf})


def test_a_diverged_run_has_null_metrics_in_json():
    result = train_runs([Run(RunConfig(hidden=(8,), optimizer="adam", lr=1e6, epochs=4), MOONS)])[0]
    doc = result.to_dict()
    assert (doc["status"], doc["diverged_epoch"], doc["verdict"], doc["gap"]) == ("diverged", 1, None, None)
    assert all(v is None for part in ("train", "val", "test") for v in doc[part].values())


# stacked = alone -----------------------------------------------------------------------------


def chaotic(seed: int) -> RunConfig:
    return RunConfig(hidden=(8, 8), epochs=40, lr=0.05, penalty=L1(lam=0.01), l1_method="subgradient", seed=seed, batch_size=8)


def test_float64_stacked_equals_alone_to_1e_12_on_a_chaotic_run():
    runs = [Run(chaotic(s), MOONS) for s in range(3)]
    together = train_runs(runs, dtype=torch.float64)
    alone = train_runs(runs[1:2], dtype=torch.float64)[0]
    for a, b in zip(together[1].kernels, alone.kernels):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_float32_stacked_equals_alone_up_to_rounding_on_a_short_run():
    runs = [Run(RunConfig(hidden=(8,), epochs=5, lr=0.01, seed=s, activation="tanh"), MOONS) for s in range(3)]
    together = train_runs(runs)
    alone = train_runs(runs[2:3])[0]
    for a, b in zip(together[2].kernels, alone.kernels):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
