"""Shared fixtures: the test's store (embedded or remote), the Flask app, a CLI runner,
and the browser.

The store kind is one parametrised fixture, `store_kind`. A test module whose tests must
hold on both stores says so with ``STORE_KINDS = ("embedded", "remote")``; the others run
on the embedded store only. "embedded" is a real on-disk Oxigraph store per test;
"remote" is a real Virtuoso server (one per test session, started on free ports on
127.0.0.1 and stopped at the end), on which each store writes under a graph prefix of
its own, so that stores never see each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from playwright.sync_api import Browser, sync_playwright

from graph_app import create_app
from graph_app.cli import main
from graph_app.core.namespaces import GRAPH_BASE
from graph_app.core.settings import load_settings
from graph_app.core.store import Store
from graph_app.core.stores import open_configured

from .virtuoso import Virtuoso
from .virtuoso import start as start_virtuoso

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("embedded", "remote")
# Debian's Chromium, which the set-up installs (Playwright cannot download its own here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_kind" in metafunc.fixturenames:
        kinds = getattr(metafunc.module, "STORE_KINDS", ("embedded",))
        metafunc.parametrize("store_kind", kinds, indirect=True, scope="module")


@pytest.fixture(scope="module")
def store_kind(request: pytest.FixtureRequest) -> str:
    """Which store the module's tests run on: "embedded" or "remote"."""
    kind = getattr(request, "param", "embedded")
    assert kind in KINDS
    return str(kind)


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso server for the whole session, started when a test first needs one."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


def store_settings_for(kind: str, folder: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Settings of a fresh store of `kind`: a folder, or a graph prefix on the server."""
    if kind == "embedded":
        return {"STORE": str(folder / "store")}
    server: Virtuoso = request.getfixturevalue("virtuoso")
    return server.settings(f"{GRAPH_BASE}test-{uuid.uuid4().hex[:12]}/")


@pytest.fixture
def store_settings(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    return store_settings_for(store_kind, tmp_path, request)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def open_store(store_settings: dict[str, Any]) -> Iterator[Callable[[], Store]]:
    """Open the test's store (again): the one `store`, `qagraph` and `app` use."""
    opened: list[Store] = []

    def opener() -> Store:
        s = open_configured(load_settings(store_settings))
        opened.append(s)
        return s

    yield opener
    for s in opened:
        s.close()


@pytest.fixture
def store(open_store: Callable[[], Store]) -> Store:
    return open_store()


def cli_env(settings: dict[str, Any]) -> dict[str, str]:
    return {f"QAGRAPH_{k}": str(v) for k, v in settings.items()}


@pytest.fixture
def qagraph(store_settings: dict[str, Any]) -> Callable[..., Result]:
    """Run the `qagraph` CLI against the test's own store."""
    runner = CliRunner(env=cli_env(store_settings))

    def run(*args: str, lang: str = "en") -> Result:
        return runner.invoke(main, ["--lang", lang, *args])

    return run


@pytest.fixture
def app(store_settings: dict[str, Any]):  # type: ignore[no-untyped-def]
    application = create_app({**store_settings, "TESTING": True})
    yield application
    application.extensions["qagraph.store"].close()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """An embedded store with the ontology, the concept schemes and the sample data, loaded
    once for the tests of a module that only read it."""
    from graph_app.cli import bundled_inputs
    from graph_app.core.loading import load
    from graph_app.core.namespaces import DEFAULT_BASE
    from graph_app.core.store import OxigraphStore

    store = OxigraphStore(tmp_path_factory.mktemp("sample") / "store")
    load(store, bundled_inputs(), base_iri=DEFAULT_BASE)
    yield store
    store.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """A real Chromium for a module's browser tests (each test opens its own context)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
