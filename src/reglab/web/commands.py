"""What each command does to a playground run, applied by its worker thread between epochs.

:class:`RunCommands` is the half of :class:`~reglab.web.session.PlaygroundRun` that answers requests:
play, pause, step, reset, a model's change (λ, penalty, L1 method, learning rate), a change of the
settings every model shares, and the snapshot that export sends. Every change goes on from the current
weights (:mod:`reglab.web.changes`) and is marked at its epoch; one that cannot be made raises
ValueError, which the request answers as 409 in words.
"""

from __future__ import annotations

from typing import Any

from reglab.regularizers import make_regularizer
from reglab.web import frames
from reglab.web.changes import carried_over, diverged_refusal, training_changes
from reglab.web.export import current_request, reglab_commands
from reglab.web.models import PATIENCE_WITHOUT_VALIDATION, HyperparameterChange, TrainingChange

__all__ = ["RunCommands"]


class RunCommands:
    """Commands of a playground run (mixed into :class:`~reglab.web.session.PlaygroundRun`, whose worker calls them)."""

    def _apply(self, kind: str, payload: Any) -> Any:
        if kind == "play":
            self._continue()
            self.state = "playing"
        elif kind == "pause" and self.state == "playing":
            self.state = "paused"
        elif kind == "step":
            self._continue()
            self.state = "paused" if self.state == "finished" else self.state
        elif kind == "reset":
            self.configs = list(self.trainer.configs)
            self.state = "paused"
            self._start_trainer()
        elif kind == "change":
            return self._change(payload)
        elif kind == "settings":
            return self._settings(payload)
        elif kind == "snapshot":
            return self._export()
        return self.status()

    def _continue(self) -> None:
        """A finished run goes on: with the models that stopped early, when none still trains."""
        if self.trainer.active:
            return
        revive = [i for i, outcome in sorted(self.trainer.outcomes.items()) if outcome.status != "diverged"]
        if not revive:
            raise ValueError("Every model diverged: lower the learning rate or λ, then press ⟲ Reset to train again.")
        self.trainer = carried_over(self.trainer, self.trainer.configs, revive)
        for i in revive:
            self._mark(i, "trains again from its weights")

    def _change(self, change: HyperparameterChange) -> dict:
        i = change.model
        if i >= len(self.configs):
            raise ValueError(f"The 'model' field must be below {len(self.configs)}, the number of compared models. Got {i} instead.")
        trainer = self.trainer
        if i not in trainer.active:
            if trainer.outcomes[i].status == "diverged":
                raise ValueError(diverged_refusal(trainer, i))
            self.trainer = trainer = carried_over(trainer, trainer.configs, [i])
            self.state = "paused" if self.state == "finished" else self.state
        old = trainer.configs[i]
        if change.lam is not None:
            self.lams[i] = change.lam
        lam = self.lams[i]
        penalty = make_regularizer(change.penalty or old.penalty.kind, lam, lam, lam)
        trainer.set_hyperparameters(i, lr=change.lr, penalty=penalty, l1_method=change.l1_method)
        new = trainer.configs[i]
        self._mark(i, f"{old.label}, lr {old.lr:g} → {new.label}, lr {new.lr:g}")
        return {"model": i, "epoch": self.epoch, "label": new.label, "lr": new.lr}

    def _settings(self, change: TrainingChange) -> dict:
        if change.patience and not len(self.features.X_val):
            raise ValueError(PATIENCE_WITHOUT_VALIDATION)
        words = []
        if change.epochs is not None and (change.epochs or None) != self.cap:
            words.append(f"epochs cap {self.cap or 'none'} → {change.epochs or 'none'}")
            self.cap = change.epochs or None
        if change.epochs_per_frame is not None:
            self.epochs_per_frame = change.epochs_per_frame or None
        configs, changed = training_changes(self.trainer.configs, change)
        if changed:
            self.trainer = carried_over(self.trainer, configs, ())
            words.append(changed)
            self._mark(None, changed)
        return {"epoch": self.epoch, "changed": ", ".join(words), "labels": [c.label for c in self.trainer.configs]}

    def command_epochs(self) -> int:
        """The ``--epochs`` of the matching command: the cap, or the epochs trained so far (at least 1)."""
        return self.cap or max(self.epoch, 1)

    def _export(self) -> dict:
        """Weights, history and matching command lines of every model, for export."""
        weights = frames.model_weights(self.trainer)
        epochs = self.command_epochs()
        request = current_request(self.request, self.trainer.configs, self.lams, epochs)
        return {
            "epoch": self.epoch,
            "configs": [c.replace(epochs=epochs).model_dump(mode="json", by_alias=True) for c in self.trainer.configs],
            "history": {str(i): h for i, h in self.trainer.history.items()},
            "weights": {str(i): {"kernels": [w.tolist() for w in k], "biases": [b.tolist() for b in bs]} for i, (k, bs) in weights.items()},
            "marks": list(self.marks),
            "commands": reglab_commands(request),
            "current": request.model_dump(exclude={"autoplay"}),
        }
