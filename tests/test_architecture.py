"""Imports run one way: web -> core <- loaders, and the CLI on top; core never imports Flask."""

from __future__ import annotations

import ast
from pathlib import Path

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
