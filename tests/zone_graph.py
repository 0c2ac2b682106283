"""The import graph of the installed package, folded into zones, for tests/test_architecture.py.

A zone is a folder of the package (`cases`, `run`, `report`, ..., plus `reference` and `spec`);
a module directly under the root (`model`, `errors`, ...) is a zone of its own. Every import
counts, the ones inside functions too: a lazy import is still a dependency, only a later one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "wbimage_conformance"
#: Source folder -> the package it is installed as (pyproject.toml's package-dir).
FOLDERS = {"conformance": PACKAGE, "reference": f"{PACKAGE}.reference", "spec": f"{PACKAGE}.spec"}
#: Development tools beside the package, not installed.
NOT_INSTALLED = ("spec/tools",)


@dataclass(frozen=True)
class Edge:
    source: str     # zone importing
    target: str     # zone imported
    module: str     # the importing module, to say where the edge comes from


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Installed module name -> source file."""
    found: dict[str, Path] = {}
    for folder, package in FOLDERS.items():
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root)
            if any(relative.as_posix().startswith(skip + "/") for skip in NOT_INSTALLED):
                continue
            parts = list(path.relative_to(root / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


def zone(module: str) -> str:
    """`wbimage_conformance.run.runner` -> `run`; `wbimage_conformance.model` -> `model`; the root package itself is `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported(module: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """Modules of the package `module` imports (`from pkg import name` is pkg.name where that
    is a module, else pkg)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                name = f"{source}.{alias.name}"
                out.add(name if name in known else source)
    return {name for name in out if name in known}


def edges(known: Mapping[str, Path] | None = None) -> list[Edge]:
    known = modules() if known is None else known
    found = []
    for module, path in known.items():
        for target in imported(module, path, known):
            if zone(target) != zone(module):
                found.append(Edge(zone(module), zone(target), module))
    return found


def cycles(graph_edges: Iterable[Edge]) -> list[list[str]]:
    """Strongly connected groups of more than one zone (Tarjan's algorithm), each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in graph_edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups
