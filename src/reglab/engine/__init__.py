"""The engine: many MLPs of one shape trained as one stacked model, with a hand-written backward.

``stack`` holds the parameters and the forward/backward; ``trainer`` is the one training loop;
``optim`` the update step; ``early_stopping`` the per-model state machine. The engine imports only
the inputs layer (configs, penalties, data splits): it knows nothing of files, plots or terminals.
"""

from reglab.engine.stack import StackedMLP
from reglab.engine.trainer import DIVERGED_HINT, EpochReport, Outcome, StackTrainer

__all__ = ["DIVERGED_HINT", "EpochReport", "Outcome", "StackTrainer", "StackedMLP"]
