"""The folder tree is the architecture: imports run downward only, and these tests hold it.

Every ``import reglab...`` of every module (lazy ones inside functions and those for type checking included) is
read with ``ast``; a module may import its own layer and the layers below it, never above:

    faces       cli/ · web/
    workflows   lecture/ · tuning/ · diagnosis/        (in this order: each may use those before it)
    runs        runs/                                  (the only code that knows processes, files and cores)
    engine      engine/         views/ over measures/  (views draw measured numbers; measures never draw)
    inputs      errors · version · rules · regularizers · config · data/ · provenance   (in this order)

Inside a layer with an order, a module may import only what comes before it (or its own package), so no arrow
points back up; and the graph of every module's imports has no cycle.
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
    "runs": {"inputs", "engine", "measures"},
    "workflows": {"inputs", "engine", "measures", "views", "runs"},
    "faces": {"inputs", "engine", "measures", "views", "runs", "workflows"},
}
TOP_LEVEL = {
    "errors": "inputs", "version": "inputs", "rules": "inputs", "regularizers": "inputs", "config": "inputs", "data": "inputs",
    "provenance": "inputs",
    "engine": "engine", "measures": "measures", "views": "views",
    "runs": "runs",
    "lecture": "workflows", "tuning": "workflows", "diagnosis": "workflows",
    "cli": "faces", "web": "faces",
}  # fmt: skip
ORDER = {  # inside these layers, the order of their top-level modules: each may import only those before it
    "inputs": ["errors", "version", "rules", "regularizers", "config", "data", "provenance"],
    "workflows": ["lecture", "tuning", "diagnosis"],
}


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


def test_no_arrow_points_back_up_inside_a_layer():
    wrong = []
    for path in SOURCES:
        here = module_name(path).split(".")
        if len(here) < 2 or here[1] == "__main__" or TOP_LEVEL[here[1]] not in ORDER:
            continue
        order = ORDER[TOP_LEVEL[here[1]]]
        for line, target in reglab_imports(path):
            there = target.split(".")
            if len(there) > 1 and there[1] in order and order.index(there[1]) > order.index(here[1]):
                wrong.append(f"{'.'.join(here)} line {line}: {target}")
    assert not wrong, "imports against the order " + str(ORDER) + ": " + "; ".join(wrong)


def import_graph() -> dict[str, set[str]]:
    """Every module and the reglab modules it imports (``from reglab.x import y`` counts as ``reglab.x.y`` when that
    is a module, else as ``reglab.x``)."""
    modules = {module_name(p): p for p in SOURCES}

    def known(name: str) -> str:
        while name not in modules and "." in name:
            name = name.rsplit(".", 1)[0]
        return name

    graph = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {known(a.name) for a in node.names if a.name.split(".")[0] == "reglab"}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.split(".")[0] == "reglab":
                targets |= {known(f"{node.module}.{a.name}") for a in node.names}
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_import_graph_has_no_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_engine_knows_no_processes_files_or_cores():
    """engine/ is the maths: nothing in it reads /proc, starts processes or sets thread counts."""
    for path in (SRC / "engine").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("/proc", "multiprocessing", "subprocess", "set_num_threads", "sched_getaffinity", "getloadavg"):
            assert word not in text, f"{path.relative_to(SRC)} mentions {word}"


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
    assert "runs" not in LAYERS["engine"]
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from reglab.runs import train\n")
    assert reglab_imports(bad) == [(2, "reglab.runs")]
