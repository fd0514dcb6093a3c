"""Every package the code imports is declared in pyproject.toml, and every declared runtime
package is imported: deptry reads the imports and the declarations (its settings are in
pyproject.toml). A package that arrives only through another's dependencies breaks the day
that other package drops it."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def deptry(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deptry", "--no-ansi", "--config", str(ROOT / "pyproject.toml"),
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_application_declares_what_it_imports_and_imports_what_it_declares():
    # every rule: missing (DEP001), unused (DEP002), transitive (DEP003), and a package of
    # the test group imported by the application (DEP004)
    run = deptry("graph_app", "loaders")
    assert run.returncode == 0, run.stdout + run.stderr


def test_tests_and_benchmarks_declare_what_they_import():
    # they may import the test group (DEP004); unused runtime packages are judged above
    run = deptry("tests", "bench", "--ignore", "DEP002,DEP004")
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_check_fails_on_undeclared_and_unused_packages(tmp_path):
    (tmp_path / "probe.py").write_text("import yaml_but_not_declared\nimport attr\n", encoding="utf-8")
    run = deptry(str(tmp_path))
    assert run.returncode != 0
    assert "DEP001 'yaml_but_not_declared'" in run.stdout + run.stderr
    assert "DEP003 'attr'" in run.stdout + run.stderr
    assert "DEP002 'rdflib' defined as a dependency but not used" in run.stdout + run.stderr
