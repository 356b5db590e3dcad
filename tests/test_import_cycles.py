"""No import cycle inside a package of the project (`bench`, `forcepack.solver`, `forcepack.api`).

Every `import` and `from ... import` anywhere in a module counts: at the top, inside a function, and
under `if TYPE_CHECKING:`. An import hidden in a function to dodge a cycle still marks a layering not
yet decided (docs: shared STYLE.md, "Imports that only look down"), so the graph is read from the
source with `ast`, not from what a run happens to load.

An edge goes from a module to the module it names: `import a.b` and `from a import b` (when `a.b` is a
module) name `a.b`; `from a.b import name` names `a.b`. A parent package's `__init__`, which Python runs
first when a submodule is imported, is not counted unless named: otherwise every package that imports
its own submodules would be a cycle.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PACKAGES = {
    "bench": ROOT / "bench",
    "forcepack.solver": ROOT / "solver",
    "forcepack.api": ROOT / "api",
    "forcepack.models": ROOT / "models",
}
"""Each package checked, by its import name, and the folder holding it."""

Graph = dict[str, set[str]]


def _modules(package: str, folder: Path) -> dict[str, Path]:
    """Every module of a package by its dotted name (a package's `__init__` by the package's name)."""
    out: dict[str, Path] = {}
    for path in sorted(folder.rglob("*.py")):
        parts = [package, *path.relative_to(folder).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imported(module: str, is_package: bool, node: ast.Import | ast.ImportFrom, known: set[str]) -> Iterator[str]:
    """The dotted names of the modules an import statement names."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:
        # Relative: from the module's own package (a package's `__init__` is its own package).
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        yield submodule if submodule in known else source


def import_graph(package: str, folder: Path) -> Graph:
    """The imports between the modules of one package, read from every import statement in each file."""
    modules = _modules(package, folder)
    known = set(modules)
    graph: Graph = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                is_package = path.name == "__init__.py"
                graph[name] |= {target for target in _imported(name, is_package, node, known) if target in known}
    return graph


def knots(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (or of a module importing itself):
    the sets of modules each of which imports every other, through the others; each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        # Tarjan's algorithm; the graphs here are a few dozen modules, recursion is fine.
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(sorted(component) for component in components)


def cycles(graph: Graph) -> list[list[str]]:
    """One cycle per knot, as the modules around it with the first repeated at the end; sorted."""
    return sorted(_cycle_in(graph, set(knot)) for knot in knots(graph))


def _cycle_in(graph: Graph, component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module (by name), staying inside the component."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in sorted(graph[node] & component):
                if succ == start:
                    return [*paths[node], start]
                if succ not in paths:
                    paths[succ] = [*paths[node], succ]
                    following.append(succ)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {sorted(component)}")  # a component always has one


def describe(graph: Graph) -> str:
    """Each knot, one a line: a cycle through it, `a -> b -> a`, and, when the knot holds more, its modules."""
    lines = []
    for knot in knots(graph):
        cycle = _cycle_in(graph, set(knot))
        more = f" (the knot: {', '.join(knot)})" if len(knot) > len(cycle) - 1 else ""
        lines.append(" -> ".join(cycle) + more)
    return "\n".join(lines)


@pytest.mark.parametrize(
    "package",
    [
        pytest.param("bench", id="bench"),
        pytest.param("forcepack.solver", id="solver"),
        pytest.param("forcepack.models", id="models"),
        pytest.param("forcepack.api", id="api"),
    ],
)
def test_import_cycles_none_within_the_package(package: str) -> None:
    """No module of the package imports, directly or through others of it, a module that imports it."""
    graph = import_graph(package, PACKAGES[package])
    assert not knots(graph), f"import cycles in {package}:\n{describe(graph)}"


def test_import_cycles_found_inside_functions_and_type_checking(tmp_path: Path) -> None:
    """The graph counts an import inside a function and one under `if TYPE_CHECKING:`, relative
    imports included, and the cycle is named module by module."""
    folder = tmp_path / "pkg"
    (folder / "sub").mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (folder / "a.py").write_text("from pkg.sub import b\n", encoding="utf-8")
    (folder / "sub" / "b.py").write_text(
        textwrap.dedent(
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from ..c import C
            """
        ),
        encoding="utf-8",
    )
    (folder / "c.py").write_text("def f():\n    from . import a\n", encoding="utf-8")
    (folder / "d.py").write_text("import pkg.c\n", encoding="utf-8")
    graph = import_graph("pkg", folder)
    assert graph["pkg.a"] == {"pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.c"}
    assert graph["pkg.c"] == {"pkg.a"}
    assert graph["pkg.d"] == {"pkg.c"}
    assert cycles(graph) == [["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]]
    assert describe(graph) == "pkg.a -> pkg.sub.b -> pkg.c -> pkg.a"
    (folder / "c.py").write_text("import json\n", encoding="utf-8")
    assert cycles(import_graph("pkg", folder)) == []
