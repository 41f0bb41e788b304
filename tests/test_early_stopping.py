import math

import pytest

from reglab.engine.early_stopping import EarlyStopping


def run(stopper, losses):
    """Feeds scripted losses; returns the epoch (1-based) at which it said stop, or None."""
    for epoch, loss in enumerate(losses, start=1):
        if stopper.update(loss, epoch):
            return epoch
    return None


def test_stops_after_patience_epochs_without_improvement():
    stopper = EarlyStopping(patience=2)
    assert run(stopper, [1.0, 0.8, 0.9, 0.85, 0.7]) == 4
    assert stopper.best == 0.8 and stopper.best_epoch == 2 and stopper.wait == 2


def test_keeps_going_while_improving():
    stopper = EarlyStopping(patience=1)
    assert run(stopper, [5, 4, 3, 2, 1]) is None
    assert stopper.best_epoch == 5 and stopper.improved


def test_min_delta_requires_a_real_decrease():
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    # 0.95 and 0.91 are within min_delta of the best 1.0: not improvements
    assert run(stopper, [1.0, 0.95, 0.91]) == 3
    assert stopper.best == 1.0


def test_nan_never_improves():
    stopper = EarlyStopping(patience=2)
    assert run(stopper, [1.0, math.nan, math.inf]) == 3
    assert stopper.best_epoch == 1


def test_reset_and_state_round_trip():
    stopper = EarlyStopping(patience=3)
    run(stopper, [1.0, 2.0])
    copy = EarlyStopping(patience=3)
    copy.load_state_dict(stopper.state_dict())
    assert copy == stopper
    stopper.reset()
    assert stopper.best == math.inf and stopper.best_epoch is None and stopper.wait == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"patience": 0}, "The 'patience' parameter must be an int >= 1. Got 0 instead."),
        ({"patience": 2, "min_delta": -1.0}, "The 'min_delta' parameter must be a finite float >= 0. Got -1.0 instead."),
    ],
)
def test_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError) as info:
        EarlyStopping(**kwargs)
    assert str(info.value) == message
