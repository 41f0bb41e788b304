"""The engine: many MLPs of one shape trained as one stacked model, with a hand-written backward.

``stack`` holds the parameters and the forward/backward; ``objective`` the losses by task and the
penalty's value and gradient; ``coefficients`` each model's hyperparameters as tensors; ``optim``
the update step; ``batches`` the data on the device and each epoch's randomness; ``early_stopping``
the per-model state machine; ``floats`` flush-to-zero in every thread that computes; ``state``
outcomes, saving and resuming; ``grouping`` which runs can share a stack; ``trainer`` the one loop;
``ops`` the private torch operations, with fallbacks.
The engine imports only the inputs layer (configs, penalties, data splits): it knows nothing of
files, plots or terminals.
"""

from reglab.engine.floats import flush_subnormals
from reglab.engine.grouping import stack_key
from reglab.engine.stack import StackedMLP
from reglab.engine.state import Outcome
from reglab.engine.trainer import DIVERGED_HINT, EpochReport, StackTrainer

__all__ = ["DIVERGED_HINT", "EpochReport", "Outcome", "StackTrainer", "StackedMLP", "flush_subnormals", "stack_key"]
