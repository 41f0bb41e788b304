"""The folder tree is the architecture: imports run downward only, and this test holds it.

Every ``import reglab...`` of every module (lazy ones inside functions included) is read with
``ast``; a module may import its own layer and the layers below it, never above:

    faces       cli/ · web/
    workflows   runs · workers · costs · checkpoints · sweeps · lecture/ · tuning/ · diagnosis/
    views       views/            measures/   (views draw measured numbers; measures never draw)
    engine      engine/
    inputs      config · regularizers · errors · version · provenance · data/
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import reglab

SRC = Path(reglab.__file__).resolve().parent

LAYERS = {
    "inputs": set(),
    "engine": {"inputs"},
    "measures": {"inputs"},
    "views": {"inputs", "measures"},
    "workflows": {"inputs", "engine", "measures", "views"},
    "faces": {"inputs", "engine", "measures", "views", "workflows"},
}
TOP_LEVEL = {
    "config": "inputs", "regularizers": "inputs", "errors": "inputs", "data": "inputs", "version": "inputs", "provenance": "inputs",
    "engine": "engine", "measures": "measures", "views": "views",
    "runs": "workflows", "workers": "workflows", "costs": "workflows", "checkpoints": "workflows", "sweeps": "workflows",
    "lecture": "workflows",
    "tuning": "workflows",
    "diagnosis": "workflows",
    "cli": "faces", "web": "faces",
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str | None:
    """The layer of ``reglab.x.y``; None for the package itself and ``reglab.__main__``."""
    parts = module.split(".")
    if len(parts) < 2 or parts[1] == "__main__":
        return None
    return TOP_LEVEL[parts[1]]


def reglab_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "reglab"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "reglab":
            if node.module == "reglab":  # "from reglab import x": x is a submodule or a re-export
                found += [(node.lineno, f"reglab.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


SOURCES = sorted(SRC.rglob("*.py"))


def test_every_top_level_module_has_a_layer():
    names = {p.stem if p.is_file() else p.name for p in SRC.iterdir() if (p.suffix == ".py" or (p / "__init__.py").exists())}
    assert names - {"__init__", "__main__"} <= set(TOP_LEVEL), "a new top-level module needs a layer in this test and in DESIGN.md"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_run_downward(path):
    here = module_name(path)
    mine = layer_of(here)
    if mine is None:
        return
    wrong = []
    for line, target in reglab_imports(path):
        theirs = layer_of(target)
        if theirs is None:
            wrong.append(f"line {line}: {target} (the package's public face, above every layer)")
        elif theirs != mine and theirs not in LAYERS[mine]:
            wrong.append(f"line {line}: {target} is {theirs}, above {mine}")
    assert not wrong, f"{here} ({mine}) imports upward: " + "; ".join(wrong)


def test_nothing_outside_the_command_line_imports_it():
    for path in SOURCES:
        here = module_name(path)
        if here.startswith("reglab.cli") or here == "reglab.__main__":
            continue
        assert not [t for _, t in reglab_imports(path) if t.startswith("reglab.cli")], here


def test_the_layer_rules_catch_an_upward_import(tmp_path):
    """The checker itself: an engine module importing the runs workflow is reported."""
    fake = SRC / "engine" / "stack.py"
    assert layer_of(module_name(fake)) == "engine"
    assert "workflows" not in LAYERS["engine"]
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from reglab.runs import train\n")
    assert reglab_imports(bad) == [(2, "reglab.runs")]
