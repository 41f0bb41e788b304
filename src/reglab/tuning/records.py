"""What a study records about the work it holds, so that a study is never continued on other data or settings.

Every study keeps, in its user attributes, the objective, the search space and the sampler, and (from this record
on) the data its trials train on and the training settings the search varies around: a worker that opens the
study with another dataset, sample size, network or file content is refused, naming what differs. A CSV file is
recorded with the digest of its bytes (:func:`reglab.data.digest.data_digest`): the same path with other rows is
other data.
"""

from __future__ import annotations

import json
from typing import Any

from reglab.config import DataConfig, RunConfig
from reglab.data.digest import data_digest

__all__ = ["data_record", "difference", "training_record"]


def data_record(data: DataConfig) -> str:
    """The data of a study's trials as JSON text: the config's fields, and the file's digest for a CSV file."""
    fields = data.model_dump(mode="json")
    digest = data_digest(data)
    if digest:
        fields["file_digest"] = digest
    return json.dumps(fields, sort_keys=True)


def training_record(base: RunConfig) -> str:
    """The training settings that every trial shares (network, optimiser, epochs, ...), as JSON text."""
    return json.dumps(base.model_dump(mode="json", by_alias=True), sort_keys=True)


def difference(held: str, wanted: str) -> str:
    """What differs between two recorded values, in words: "n_samples 500, not 200; dataset 'moons', not 'circles'"
    for two JSON objects, else "<held>, not <wanted>"."""
    a, b = _object(held), _object(wanted)
    if a is None or b is None:
        return f"{held}, not {wanted}"
    keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
    return "; ".join(f"{k} {_word(a.get(k))}, not {_word(b.get(k))}" for k in keys) or f"{held}, not {wanted}"


def _object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _word(value: Any) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
