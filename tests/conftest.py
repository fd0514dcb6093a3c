"""Shared fixtures: a real on-disk Oxigraph store per test, the Flask app, a CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from graph_app import create_app
from graph_app.cli import main
from graph_app.core.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_path: Path) -> Iterator[OxigraphStore]:
    s = OxigraphStore(store_path)
    yield s
    s.close()


@pytest.fixture
def qagraph(store_path: Path) -> Callable[..., Result]:
    """Run the `qagraph` CLI against the test's own store."""
    runner = CliRunner()

    def run(*args: str, lang: str = "en") -> Result:
        return runner.invoke(main, ["--lang", lang, "--store", str(store_path), *args])

    return run


@pytest.fixture
def app(store_path: Path):  # type: ignore[no-untyped-def]
    application = create_app({"STORE": str(store_path), "TESTING": True})
    yield application
    application.extensions["qagraph.store"].close()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()
