"""The lecture's sections, in the order the report shows them: one :class:`~reglab.lecture.plan.Section` record each."""

from __future__ import annotations

from reglab.lecture.decay import DECAY
from reglab.lecture.exercise import EXERCISE
from reglab.lecture.lambdas import LAMBDA
from reglab.lecture.overfitting import CAPACITY, L2_PAIR
from reglab.lecture.penalties import PENALTIES
from reglab.lecture.remedies import DATA, DROPOUT
from reglab.lecture.weights import WEIGHTS

__all__ = ["SECTIONS"]

SECTIONS = {s.key: s for s in (CAPACITY, L2_PAIR, WEIGHTS, LAMBDA, PENALTIES, DECAY, DROPOUT, DATA, EXERCISE)}
