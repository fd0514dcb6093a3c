"""Page readers: processes that render the entity pages the server has not rendered yet,
from a read-only copy of the committed state. Their pages are the server's own, byte for
byte; they see every commit; a reader that dies is replaced while the server renders the
page itself; a request waits a moment for a busy reader, then the server renders it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graph_app.cli import bundled_inputs
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.store import OxigraphStore
from graph_app.web import page_cache, page_readers
from graph_app.web.app import create_app
from graph_app.web.server import prepare
from loaders import registry as loaders

PATHS = [
    "/id/credential/arbete-pa-vag-steg-1", "/id/credential/bas-p", "/id/organisation/apv-kursanordnare",
    "/id/requirement/heta-arbeten-forsakringsvillkor", "/id/route/bas-p-swedcert",
    "/id/example/award/fredrik-exempel-arbete-pa-vag-steg-2-1", "/id/example/person/fredrik-exempel",
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("readers") / "store")
    load(store, bundled_inputs(), base_iri=DEFAULT_BASE)
    yield store
    store.close()


def _app(store: OxigraphStore, readers: int, wait: float = 0.1) -> Any:
    app = create_app({"STORE_OBJECT": store, "TESTING": True, "PAGE_READERS": readers,
                      "PAGE_READER_WAIT": wait, "BACKGROUND_VALIDATION": False, "VALIDATION_WAIT": 60})
    prepare(app)
    return app


def _loaded(folder: Path, turtle: str, store: OxigraphStore | None = None) -> OxigraphStore:
    """The store in `folder` (opened when not given), with `turtle` committed as the
    source "data" (replacing what that source held)."""
    store = store or OxigraphStore(folder / "store")
    data = folder / "data.ttl"
    data.write_text(turtle, encoding="utf-8")
    load(store, [LoadInput(data, "data", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    return store


def _wait_ready(readers: page_readers.PageReaders, count: int = 1) -> None:
    deadline = time.monotonic() + 90
    while readers._idle.qsize() < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert readers._idle.qsize() >= count, "the page readers did not start"


@contextmanager
def _reading(store: OxigraphStore) -> Iterator[tuple[Any, page_readers.PageReaders]]:
    """A test client of an app with one started page reader over `store`; the reader and
    the store are closed after."""
    app = _app(store, 1)
    readers = app.extensions[page_readers.READERS_KEY]
    try:
        _wait_ready(readers)
        yield app.test_client(), readers
    finally:
        readers.close()
        store.close()


def _fresh_pages() -> None:
    """Forget the rendered pages, so that the next request renders again."""
    page_cache.PAGES._pages.clear()
    page_cache.PAGES._bytes = 0


def test_a_reader_renders_the_servers_own_page_byte_for_byte(sample: OxigraphStore) -> None:
    app = _app(sample, 1)
    readers = app.extensions[page_readers.READERS_KEY]
    try:
        _wait_ready(readers)
        client = app.test_client()
        # (without ?lang= the language comes from the browser's Accept-Language)
        queries = ["?lang=sv", "?lang=en&in=https://w3id.org/qagraph/ontology%23onRoute&offset=0", ""]
        by_reader = {}
        for path in PATHS:
            for query in queries:
                response = client.get(path + query, headers={"Accept-Language": "en"})
                assert response.status_code == 200, path
                by_reader[path + query] = response.get_data(as_text=True)
        assert readers.rendered == len(PATHS) * len(queries)
    finally:
        readers.close()
    _fresh_pages()
    server_only = _app(sample, 0)
    assert page_readers.READERS_KEY not in server_only.extensions
    client = server_only.test_client()
    for key, page in by_reader.items():
        assert client.get(key, headers={"Accept-Language": "en"}).get_data(as_text=True) == page, key
    # the language the server chose from the browser's Accept-Language, not a default
    assert '<html lang="en"' in by_reader[PATHS[0]]


def test_a_reader_sees_each_commit(tmp_path: Path) -> None:
    node = DEFAULT_BASE + "organisation/reader-test"
    store = _loaded(tmp_path, f'<{node}> a <https://w3id.org/qagraph/ontology#Organisation> ; '
                              f'<http://www.w3.org/2000/01/rdf-schema#label> "Före"@sv .\n')
    with _reading(store) as (client, readers):
        assert "Före" in client.get("/id/organisation/reader-test?lang=sv").get_data(as_text=True)
        _loaded(tmp_path, f'<{node}> <http://www.w3.org/2000/01/rdf-schema#label> "Efter"@sv .\n', store)
        page = client.get("/id/organisation/reader-test?lang=sv").get_data(as_text=True)
        assert "Efter" in page and "Före" not in page
        assert readers.rendered == 2
        # one copy per state; the one before is kept while a reader may still read it
        assert len(list(readers._root.iterdir())) == 2
    assert not readers._root.exists()


def test_a_dead_reader_is_replaced_and_the_server_renders_meanwhile(sample: OxigraphStore) -> None:
    app = _app(sample, 1)
    readers = app.extensions[page_readers.READERS_KEY]
    try:
        _wait_ready(readers)
        (victim,) = readers.processes()
        victim.kill()
        victim.wait(10)
        _fresh_pages()
        client = app.test_client()
        response = client.get(PATHS[0] + "?lang=en")
        assert response.status_code == 200
        assert readers.rendered == 0  # the server rendered it
        _wait_ready(readers)  # and a new reader took the dead one's place
        (replacement,) = readers.processes()
        assert replacement.pid != victim.pid
        _fresh_pages()
        assert client.get(PATHS[1] + "?lang=en").status_code == 200
        assert readers.rendered == 1
    finally:
        readers.close()


def test_a_request_that_finds_every_reader_busy_is_rendered_by_the_server(sample: OxigraphStore) -> None:
    app = _app(sample, 1, wait=0.2)
    readers = app.extensions[page_readers.READERS_KEY]
    try:
        _wait_ready(readers)
        busy = readers._idle.get_nowait()  # the one reader is taken by another request
        _fresh_pages()
        response = app.test_client().get(PATHS[2] + "?lang=sv")
        assert response.status_code == 200
        assert readers.rendered == 0
        readers._idle.put(busy)
    finally:
        readers.close()


def test_a_request_waits_for_a_reader_that_becomes_free(sample: OxigraphStore) -> None:
    app = _app(sample, 1, wait=30.0)
    readers = app.extensions[page_readers.READERS_KEY]
    try:
        _wait_ready(readers)
        busy = readers._idle.get_nowait()  # busy with another request for a moment
        threading.Timer(0.3, readers._idle.put, args=(busy,)).start()
        _fresh_pages()
        response = app.test_client().get(PATHS[2] + "?lang=sv")
        assert response.status_code == 200
        assert readers.rendered == 1  # it waited for the reader rather than render the page itself
    finally:
        readers.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_a_served_app_renders_first_views_in_its_reader(qagraph: Any, store_path: Path) -> None:
    """`qagraph serve` with PAGE_READERS=1: a reader process beside gunicorn's worker
    renders first views; pages are the same as without it; stopping the server stops it."""
    assert qagraph("init").exit_code == 0
    pages = {}
    for readers in ("1", "0"):
        port = _free_port()
        env = dict(os.environ, QAGRAPH_PAGE_READERS=readers, QAGRAPH_BACKGROUND_VALIDATION="0")
        proc = subprocess.Popen([sys.executable, "-m", "graph_app.cli", "--store", str(store_path), "serve",
                                 "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, env=env)
        try:
            for _ in range(150):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/favicon.svg", timeout=2):
                        break
                except OSError:
                    time.sleep(0.2)
            time.sleep(3 if readers == "1" else 0)  # the reader starts beside the server
            for path in PATHS:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}?lang=sv", timeout=30) as resp:
                    pages[(readers, path)] = resp.read()
            copies = list(store_path.parent.glob(f".{store_path.name}-readers-*/*"))
            assert bool(copies) == (readers == "1")  # a reader read the committed state's copy
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        assert not list(store_path.parent.glob(f".{store_path.name}-readers-*")), "copies left behind"
    for path in PATHS:
        assert pages[("1", path)] == pages[("0", path)], path


def test_a_reader_reads_a_whole_validation_kept_after_its_copy_was_made(tmp_path: Path) -> None:
    """The server keeps the whole validation of a state when its background run ends,
    usually after readers have rendered the state's first pages: later pages of that
    state read it (here a report kept on purpose without results, so that a page shows
    which one it read)."""
    from graph_app.core.validation import keep_report, validate_store

    first, second = (DEFAULT_BASE + f"example/award/reader-{n}" for n in (1, 2))
    store = _loaded(tmp_path, f"<{first}> a <https://w3id.org/qagraph/ontology#Award> .\n"
                              f"<{second}> a <https://w3id.org/qagraph/ontology#Award> .\n")
    with _reading(store) as (client, readers):
        page = client.get("/id/example/award/reader-1?lang=en").get_data(as_text=True)
        assert "severity-violation" in page  # validated by the reader itself: the award lacks everything
        empty = validate_store(store)
        empty.results = []
        keep_report(store, empty)
        page = client.get("/id/example/award/reader-2?lang=en").get_data(as_text=True)
        assert "No violations of the shapes." in page
        assert readers.rendered == 2
