"""The thread policy: cores minus what other processes keep busy, fixed settings first."""

from __future__ import annotations

import pytest
import torch

from reglab.errors import ConfigError
from reglab.runs import threads
from reglab.runs.threads import ThreadGovernor, fixed_threads, set_threads


class Machine:
    """A scripted machine: every process's CPU seconds and this process's own, by wall time."""

    def __init__(self, monkeypatch, others_per_second: float, own_per_second: float) -> None:
        self.wall = 100.0
        self.others, self.own = others_per_second, own_per_second
        monkeypatch.setattr(threads.time, "monotonic", lambda: self.wall)
        monkeypatch.setattr(threads.time, "sleep", self.advance)
        monkeypatch.setattr(threads.time, "process_time", lambda: self.own * self.wall)
        monkeypatch.setattr(threads, "_busy_seconds", lambda: (self.others + self.own) * self.wall)

    def advance(self, seconds: float) -> None:
        self.wall += seconds


@pytest.fixture(autouse=True)
def automatic(monkeypatch):
    monkeypatch.delenv("REGLAB_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    set_threads(None)
    before = torch.get_num_threads()
    yield
    set_threads(None)
    torch.set_num_threads(before)


@pytest.mark.parametrize(
    ("others", "cores", "expected"),
    [(0.0, 2, 2), (0.2, 2, 2), (0.3, 2, 1), (1.0, 2, 1), (1.9, 2, 1), (4.0, 2, 1), (1.0, 8, 7), (2.6, 8, 5)],
)
def test_threads_are_the_cores_others_leave_free(monkeypatch, others, cores, expected):
    Machine(monkeypatch, others_per_second=others, own_per_second=1.7)
    governor = ThreadGovernor(cores=cores)
    assert governor.tick() == expected
    assert torch.get_num_threads() == expected


def test_own_work_never_counts_as_a_neighbour(monkeypatch):
    Machine(monkeypatch, others_per_second=0.0, own_per_second=2.0)  # this process uses both cores
    assert ThreadGovernor(cores=2).tick() == 2


def test_the_governor_follows_a_neighbour_that_comes_and_goes(monkeypatch):
    machine = Machine(monkeypatch, others_per_second=0.0, own_per_second=1.0)
    governor = ThreadGovernor(cores=2, interval=1.0)
    assert governor.tick() == 2
    machine.others = 1.0
    machine.advance(0.5)
    assert governor.tick() == 2, "looks again only once the interval has passed"
    machine.advance(0.6)
    assert governor.tick() == 1
    machine.others = 0.0
    machine.advance(1.5)
    assert governor.tick() == 2


def test_a_fixed_count_wins_over_the_policy(monkeypatch):
    Machine(monkeypatch, others_per_second=1.0, own_per_second=1.0)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    assert ThreadGovernor(cores=2).tick() == 2
    monkeypatch.setenv("REGLAB_THREADS", "1")
    assert fixed_threads() == 1
    set_threads(2)
    assert ThreadGovernor(cores=2).tick() == 2


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_thread_count_is_refused_with_its_name(monkeypatch, value):
    monkeypatch.setenv("REGLAB_THREADS", value)
    with pytest.raises(ConfigError) as err:
        fixed_threads()
    assert str(err.value) == f"The 'REGLAB_THREADS' setting must be an int >= 1 (threads for training). Got {value!r} instead."
    with pytest.raises(ConfigError, match="The 'threads' setting"):
        set_threads(0)
