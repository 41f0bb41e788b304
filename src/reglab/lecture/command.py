"""The ``reglab sweep`` command lines that train a section's runs, rendered from its grid description.

The renderer knows no option by name: a config field ``f`` becomes the option ``--f`` with ``_`` read
as ``-`` (``n_samples`` → ``--n-samples``), a bool ``--f`` / ``--no-f``, a list of widths ``128,128``,
and ``None`` leaves the option out. Arms that differ in one field that a sweep takes as a list are
folded into one line: the values are joined with ``,`` (widths with ``;``). A line's grid is the
product of its lists, so an arm is folded only into a line whose other fields are single values, and
two lines are merged only where they differ in one listed field.
"""

from __future__ import annotations

import shlex
from typing import Any

__all__ = ["LISTED", "sweep_command"]

# config fields a sweep takes as lists, with the separator of their values
LISTED = {"hidden": ";", "penalty": ",", "lam": ",", "l1": ",", "l2": ",", "dropout": ",", "lr": ",", "weight_decay": ","}


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _options(fields: dict[str, list[Any]]) -> list[str]:
    out = []
    for name, values in fields.items():
        option = "--" + name.replace("_", "-")
        if values == [None]:
            continue
        if isinstance(values[0], bool):
            out.append(option if values[0] else "--no-" + name.replace("_", "-"))
            continue
        out += [option, shlex.quote(LISTED.get(name, ",").join(_value(v) for v in values))]
    return out


def _fold(lines: list[dict[str, list[Any]]], fields: dict[str, Any]) -> None:
    """Adds an arm's fields to the first line it extends by one listed value, else as a new line."""
    for line in lines:
        if line.keys() != fields.keys():
            continue
        differ = [k for k in fields if line[k] != [fields[k]]]
        if not differ:
            return
        if len(differ) == 1 and differ[0] in LISTED and all(len(line[k]) == 1 for k in line if k != differ[0]):
            if fields[differ[0]] not in line[differ[0]]:
                line[differ[0]].append(fields[differ[0]])
            return
    lines.append({k: [v] for k, v in fields.items()})


def _merge(lines: list[dict[str, list[Any]]]) -> list[dict[str, list[Any]]]:
    """Merges two lines equal in every field but one listed field (the product of their lists stays the same runs)."""
    merged = True
    while merged:
        merged = False
        for a in range(len(lines)):
            for b in range(a + 1, len(lines)):
                x, y = lines[a], lines[b]
                differ = [k for k in x if x.keys() == y.keys() and x[k] != y[k]]
                if x.keys() == y.keys() and len(differ) == 1 and differ[0] in LISTED:
                    x[differ[0]] += [v for v in y[differ[0]] if v not in x[differ[0]]]
                    del lines[b]
                    merged = True
                    break
            if merged:
                break
    return lines


def sweep_command(grid: dict) -> str:
    """One ``reglab sweep`` line per group of folded arms (see the module docstring)."""
    lines: list[dict[str, list[Any]]] = []
    for arm in grid["arms"]:
        fields = {**grid["data"], **arm["data"], **grid["config"], **arm["config"], "seed": grid["seed"], "seeds": arm["seeds"]}
        _fold(lines, dict(sorted(fields.items(), key=lambda kv: _ORDER.get(kv[0], len(_ORDER)))))
    return "\n".join(" ".join(["reglab", "sweep", *_options(line)]) for line in _merge(lines))


# the order options are written in: data, model, penalty, training, seeds (others after, as given)
_ORDER = {name: i for i, name in enumerate(
    "dataset n_samples noise standardize test_size val_size hidden activation penalty lam l1 l2 l1_method dropout optimizer lr "
    "weight_decay epochs batch_size patience input_noise seed seeds".split()
)}  # fmt: skip
