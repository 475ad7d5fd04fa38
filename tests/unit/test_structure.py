"""The shape the code keeps: small modules, short functions, imports that never loop."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tessera", "app", "ui", "migrations")
MAX_LINES = 400
MAX_FUNCTION = 60
# Declarative tables of columns read as data, not as logic.
DECLARATIVE = {("ui/tabs/columns.py", "user_columns"), ("ui/tabs/columns.py", "token_columns"),
               ("ui/tabs/columns.py", "event_columns")}  # fmt: skip


def _sources(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py"))


def test_no_module_of_app_or_ui_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _sources("app", "ui")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_function_outside_migrations_is_over_60_lines() -> None:
    long = []
    for path in _sources("tessera", "app", "ui"):
        name = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION and (name, node.name) not in DECLARATIVE:
                    long.append(f"{name}:{node.name} ({size} lines)")
    assert long == []


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = grimp.build_graph(*PACKAGES)
    modules = sorted(graph.modules)
    index = {m: i for i, m in enumerate(modules)}
    edges = {m: graph.find_modules_directly_imported_by(m) & set(index) for m in modules}
    loops = [sorted(c) for c in _strongly_connected(modules, edges) if len(c) > 1]
    assert loops == []


def _strongly_connected(nodes: list[str], edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively: groups of modules that reach each other."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for start in nodes:
        if start in order:
            continue
        work = [(start, iter(sorted(edges[start])))]
        order[start] = low[start] = len(order)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == order[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
            elif child not in order:
                order[child] = low[child] = len(order)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], order[child])
    return groups
