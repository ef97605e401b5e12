#!/usr/bin/env python3
"""The layer check of PerfCycle (docs/ARCHITECTURE.md, "Apps and their layers").

Fails (exit 1) when an app imports an app of the same or a higher layer, when a module imports a
``_private`` name from another module, when an app is missing from the table below, or when the
modules of one app import each other in a cycle at import time (tasks import services; a service
may import its task inside the function that queues it). Run by ``make lint`` and so by CI.

Usage: python3 .ci/layers.py [PROJECT_ROOT]
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

LAYERS = [
    ["core"],
    ["accounts", "notifications"],
    ["org"],
    ["plans"],
    ["contracts"],
    ["coaching"],
    ["feedback"],
    ["appraisals"],
    ["interviews", "appeals"],
    ["results", "pay"],
    ["dashboards", "policy"],
]
RANK = {app: i for i, layer in enumerate(LAYERS) for app in layer}


def module_name(root: Path, py: Path) -> str:
    parts = list(py.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level(tree: ast.Module):
    """Nodes run when the module is imported: the body, and the bodies of top-level if/try blocks."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        yield node
        if isinstance(node, ast.If | ast.Try):
            todo += node.body + node.orelse + getattr(node, "finalbody", []) + [
                n for h in getattr(node, "handlers", []) for n in h.body]


def imports(root: Path, py: Path):
    """(imported module, names, line, at module level) for every import of a file, relative imports
    resolved. Imports inside functions run late (a service queuing its task on commit) and do not
    make import cycles."""
    tree = ast.parse(py.read_text(encoding="utf-8"), filename=str(py))
    here = module_name(root, py).split(".")
    package = here if py.name == "__init__.py" else here[:-1]
    early = {id(n) for n in top_level(tree)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno, id(node) in early
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            names = [a.name for a in node.names]
            if not node.module and node.level:  # from . import services
                for n in names:
                    yield f"{mod}.{n}", [], node.lineno, id(node) in early
            else:
                yield mod, names, node.lineno, id(node) in early


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def check(root: Path) -> list[str]:
    problems: list[str] = []
    graph: dict[str, set[str]] = {}
    modules = set()
    for app_dir in sorted(p for p in (root / "apps").iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        app = app_dir.name
        if app not in RANK:
            problems.append(f"apps/{app}: not in the layer table of .ci/layers.py (and docs/ARCHITECTURE.md)")
            continue
        for py in sorted(app_dir.rglob("*.py")):
            if "migrations" in py.parts:
                continue
            me = module_name(root, py)
            modules.add(me)
            where = py.relative_to(root)
            for mod, names, line, early in imports(root, py):
                parts = mod.split(".")
                if len(parts) < 2 or parts[0] != "apps":
                    continue
                other = parts[1]
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                if private and mod != me:
                    problems.append(f"{where}:{line}: imports private {', '.join(private)} from {mod}")
                if other == app:
                    if mod != me and early:
                        graph.setdefault(me, set()).add(mod)
                    continue
                if other in RANK and RANK[other] >= RANK[app]:
                    kind = "a higher" if RANK[other] > RANK[app] else "a same-layer"
                    problems.append(f"{where}:{line}: {app} imports {other} ({kind} app)")
    # Only edges to real modules count (``from .services import x`` names a module or a package).
    graph = {k: {v for v in vs if v in modules} for k, vs in graph.items()}
    for loop in cycles(graph):
        problems.append("import cycle: " + " <-> ".join(loop))
    return problems


def main() -> int:
    sys.setrecursionlimit(10000)
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent).resolve()
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"layers: {len(problems)} problem(s); see docs/ARCHITECTURE.md, 'Apps and their layers'")
        return 1
    print("layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
