"""Imports run one way: web -> core <- loaders, and the CLI on top; core never imports Flask."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from .conftest import ROOT


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = path.relative_to(ROOT).with_suffix("").parts[: -node.level]
                base = ".".join([*parts, base]) if base else ".".join(parts)
            names.add(base)
    return names


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", files("graph_app/core"), ids=lambda p: p.name)
def test_core_imports_neither_flask_nor_web_nor_loaders(path):
    for name in imported_modules(path):
        assert not name.startswith(("flask", "werkzeug", "graph_app.web", "graph_app.cli", "loaders")), name


@pytest.mark.parametrize("path", files("loaders"), ids=lambda p: p.name)
def test_loaders_import_core_but_not_web(path):
    for name in imported_modules(path):
        assert not name.startswith(("flask", "graph_app.web", "graph_app.cli")), name


@pytest.mark.parametrize("path", files("graph_app/web"), ids=lambda p: p.name)
def test_web_does_not_import_the_cli(path):
    for name in imported_modules(path):
        assert not name.startswith("graph_app.cli"), name


def test_the_rules_catch_a_violation(tmp_path):
    bad = ROOT / "graph_app" / "core" / "_probe_tmp.py"
    bad.write_text("from flask import Flask\n", encoding="utf-8")
    try:
        assert "flask" in imported_modules(bad)
    finally:
        bad.unlink()


# -- no import cycles ---------------------------------------------------------------------

PACKAGES = ("graph_app", "loaders")

# Cycles still to be broken, each named exactly, so that the list can only shrink (none
# is left).
REMAINING: set[tuple[str, str]] = set()


def module_files() -> dict[str, Path]:
    """Every module of the packages, by dotted name (a package by its own name)."""
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def import_graph(modules: dict[str, Path]) -> nx.DiGraph:
    """An edge A -> B for every import of module B in A, at the top or inside a function.
    `from package import module` imports the module; `from module import name` the module."""
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:  # a name inside a module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph.add_edge(name, target)
    return graph


def cycles(graph: nx.DiGraph) -> set[tuple[str, ...]]:
    """Each cycle once, as its modules in sorted order."""
    return {tuple(sorted(c)) for c in nx.simple_cycles(graph)}


def test_no_import_cycles():
    found = cycles(import_graph(module_files()))
    new = found - REMAINING
    assert not new, f"import cycles (move what both need into a module that imports neither): {sorted(new)}"
    assert REMAINING <= found, f"broken, so take them off REMAINING: {sorted(REMAINING - found)}"


def test_the_cycle_check_finds_cycles_at_the_top_and_inside_functions(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg" / "a.py").write_text("from . import b\n", encoding="utf-8")
    (tmp_path / "pkg" / "b.py").write_text("def f():\n    from .a import x\n", encoding="utf-8")
    (tmp_path / "pkg" / "c.py").write_text("import pkg.d\n", encoding="utf-8")
    (tmp_path / "pkg" / "d.py").write_text("from pkg import c\n", encoding="utf-8")
    (tmp_path / "pkg" / "e.py").write_text("from pkg.a import x\n", encoding="utf-8")
    modules = {f"pkg.{n}": tmp_path / "pkg" / f"{n}.py" for n in "abcde"}
    modules["pkg"] = tmp_path / "pkg" / "__init__.py"
    assert cycles(import_graph(modules)) == {("pkg.a", "pkg.b"), ("pkg.c", "pkg.d")}
