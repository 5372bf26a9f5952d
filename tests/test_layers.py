"""The layout holds: only the store speaks SQL, imports run down the layers, and no import cycle exists.

The graph is built from the source with ``ast`` (imports inside functions count; those under
``if TYPE_CHECKING:`` do not, as they never run).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import parallax

SRC = Path(parallax.__file__).resolve().parent
# None tolerated: the one inside the quote modules of analyze/ went with their reorganisation into
# analyze/quotes/ (issue 23, item 4).
KNOWN_CYCLES: set[frozenset[str]] = set()


def _name(path: Path) -> str:
    parts = ["parallax", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for part in node.body for n in ast.walk(part))
    return skipped


def _imports(name: str, path: Path) -> set[str]:
    """The parallax modules ``name`` imports (a package's submodule when ``from pkg import sub``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            found.update(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layers() -> dict[str, int]:
    """Top-level module or package -> layer number, from the table in ``parallax/__init__.py``."""
    table: dict[str, int] = {}
    for number, names in re.findall(r"^\s+(\d) \w+:\s+(.+)$", parallax.__doc__ or "", re.M):
        for entry in names.split(","):
            table[entry.split()[0]] = int(number)
    return table


def _group(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "parallax"


def test_layers_only_the_store_speaks_sql() -> None:
    offenders = []
    for name, path in MODULES.items():
        if name.startswith("parallax.store"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            imported = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )
            if any(m.split(".")[0] == "sqlite3" for m in imported):
                offenders.append(f"{name}:{node.lineno} imports sqlite3")
            if isinstance(node, ast.Attribute) and node.attr in {"conn", "execute", "executemany", "executescript"}:
                offenders.append(f"{name}:{node.lineno} uses .{node.attr}")
    assert offenders == [], "SQL belongs in parallax.store; add a repository method there:\n" + "\n".join(offenders)


def test_layers_no_import_cycle() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[frozenset[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(frozenset(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert [sorted(c) for c in cycles if c not in KNOWN_CYCLES] == []


def test_layers_imports_run_down() -> None:
    layers = _layers()
    unplaced = sorted({_group(m) for m in MODULES} - set(layers))
    assert unplaced == [], f"place {unplaced} in the layer table of src/parallax/__init__.py"
    upward = [
        f"{a} (layer {layers[_group(a)]}) imports {b} (layer {layers[_group(b)]})"
        for a, targets in GRAPH.items() for b in sorted(targets)
        if layers[_group(a)] < layers[_group(b)]
    ]
    assert upward == []


@pytest.mark.parametrize("module", ["parallax.store.db", "parallax.pipeline", "parallax.api"])
def test_layers_graph_sees_imports(module: str) -> None:
    """The checks above mean something: the graph finds the imports that are there."""
    assert GRAPH[module], module
    assert "parallax.store.db" in GRAPH["parallax.store"] and "parallax.store" in GRAPH["parallax.api"]
