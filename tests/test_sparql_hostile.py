"""A hostile client against the endpoint: SERVICE and LOAD in every spelling we know, sent
to a real server on 127.0.0.1 while a listener on another port counts the connections the
server makes to it. It must count none.

Each spelling is also run on a bare pyoxigraph store (no checks, no sandbox): whatever the
engine itself would fetch must be refused by the endpoint's check (the differential), and
the query workers must not reach the network even when the check is skipped."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from graph_app.core.errors import QagraphError
from graph_app.core.sparql import Negotiated, source_graph_iri
from graph_app.core.sparql_guard import check_query, check_update
from graph_app.core.sparql_pool import Job, QueryPool
from graph_app.core.sparql_sandbox import close_network

from .w3c.live import Live, load_source, start

TOKEN = "hostile-test-token"
EN = {"Accept-Language": "en"}


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.count += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("hostile")
    server = start(folder / "store", CURATOR_TOKEN=TOKEN, QUERY_TIMEOUT=10, QUERY_CLIENT_LIMIT=8)
    data = folder / "data.nt"
    data.write_text("<http://example.org/a> <http://example.org/p> \"x\" .\n")
    load_source(server.store, "data", data, ox.RdfFormat.N_TRIPLES)
    yield server
    server.stop()


def queries(port: int) -> list[str]:
    """Queries that would call SERVICE at the listener, however they are spelled."""
    u = f"<http://127.0.0.1:{port}/sparql>"
    body = "{ ?s ?p ?o }"
    return [
        f"SELECT * WHERE {{ SERVICE {u} {body} }}",
        f"select * where {{ service {u} {body} }}",
        f"SeLeCt * WhErE {{ SeRvIcE {u} {body} }}",
        f"SELECT * WHERE {{ SERVICE SILENT {u} {body} }}",
        f"SELECT * WHERE {{ #x\rSERVICE {u} {body} }}",
        f"SELECT * WHERE {{ #x\r\nSERVICE {u} {body} }}",
        f"SELECT * WHERE {{ #x\f\nSERVICE {u} {body} }}",
        f"SELECT * WHERE {{\fSERVICE {u} {body} }}",
        f"SELECT * WHERE {{ #x\u0085SERVICE {u} {body}\n}}",
        f"SELECT * WHERE {{ #x\u2028SERVICE {u} {body}\n}}",
        f"SELECT * WHERE {{ \\u0053ERVICE {u} {body} }}",
        f"SELECT * WHERE {{ SERVIC\\u0045 {u} {body} }}",
        f"SELECT * WHERE {{ \\u0053\\u0045\\u0052\\u0056\\u0049\\u0043\\u0045 {u} {body} }}",
        f"SELECT * WHERE {{ \\U00000053ERVICE {u} {body} }}",
        f"SELECT * WHERE {{ SERVICE <\\u0068ttp://127.0.0.1:{port}/sparql> {body} }}",
        f"SELECT * WHERE {{ #x\\u000DSERVICE {u} {body} }}",
        f"SELECT * WHERE {{ #x\\u000ASERVICE {u} {body} }}",
        f"SELECT * WHERE {{ \\u005Cu0053ERVICE {u} {body} }}",
        f"SELECT * WHERE {{ {{ {{ {{ SERVICE {u} {body} }} }} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE {u} {body} }} }}",
        f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE {u} {body} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ SERVICE {u} {body} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE {u} {body} }} }}",
        f"SELECT * WHERE {{ BIND(EXISTS {{ SERVICE {u} {body} }} AS ?x) }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE {u} {body} }} }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ {u} }} SERVICE ?e {body} }}",
        f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:sparql {body} }}",
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {body} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {u} {body} }}",
        f"ASK {{ SERVICE {u} {body} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE {u} {body} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE {u} {body} }} }}",
        f"SELECT * WHERE {{\tSERVICE\t{u}\t{body} }}",
    ]


def updates(port: int) -> list[str]:
    """Updates that would fetch from the listener (LOAD) or call SERVICE."""
    u = f"<http://127.0.0.1:{port}/data.ttl>"
    graph = f"<{source_graph_iri('data')}>"
    return [
        f"LOAD {u}",
        f"LOAD SILENT {u}",
        f"load {u} into graph {graph}",
        f"LOAD SILENT {u} INTO GRAPH {graph}",
        f"#x\rLOAD {u}",
        f"#x\r\nLOAD SILENT {u}",
        f"\\u004COAD {u}",
        f"DELETE WHERE {{ GRAPH {graph} {{ <http://x/none> ?p ?o }} }} ; LOAD {u}",
        f"INSERT {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ SERVICE {u} {{ ?s ?p ?o }} }}",
        f"INSERT {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ #x\rSERVICE {u} {{ ?s ?p ?o }} }}",
    ]


@pytest.fixture(scope="module")
def engine_fetches() -> Iterator[tuple[list[bool], list[bool]]]:
    """For each spelling, whether the bare engine (no check, no sandbox) would fetch: run
    against a listener of its own, so that the endpoint's listener counts only the server."""
    own = Listener()
    engine = ox.Store()
    try:
        by_query = [bool(_engine_contacts(own, lambda q=q: list(engine.query(q))))  # type: ignore[misc]
                    for q in queries(own.port)]
        by_update = [bool(_engine_contacts(own, lambda u=u: engine.update(u)))  # type: ignore[misc]
                     for u in updates(own.port)]
        yield by_query, by_update
    finally:
        own.close()


def test_no_spelling_of_service_or_load_reaches_the_network(
    live: Live, listener: Listener, engine_fetches: tuple[list[bool], list[bool]]
) -> None:
    by_query, by_update = engine_fetches
    sent = 0
    for query, fetches in zip(queries(listener.port), by_query, strict=True):
        for response in (
            requests.get(live.url + "/sparql", params={"query": query}, headers=EN, timeout=30),
            requests.post(live.url + "/sparql", data={"query": query}, headers=EN, timeout=30),
            requests.post(live.url + "/sparql", data=query.encode(), timeout=30,
                          headers={"Content-Type": "application/sparql-query", **EN}),
        ):
            sent += 1
            # refused; only a spelling whose SERVICE is a comment to the engine may run
            assert response.status_code == 400 or (response.status_code == 200 and not fetches), (
                query, response.status_code, response.text)
    auth = {"Authorization": f"Bearer {TOKEN}", **EN}
    before = live.store.current_graphs()
    for update in updates(listener.port):
        for response in (
            requests.post(live.url + "/sparql", data=update.encode(), timeout=30,
                          headers={"Content-Type": "application/sparql-update", **auth}),
            requests.post(live.url + "/sparql", data={"update": update}, headers=auth, timeout=30),
            requests.post(live.url + "/sparql", data=update.encode(), timeout=30,
                          headers={"Content-Type": "application/sparql-update", **EN}),
        ):
            sent += 1
            assert response.status_code in {400, 401}, (update, response.status_code, response.text)
    assert live.store.current_graphs() == before
    assert sent >= 90 and len(by_query) + len(by_update) >= 30
    assert sum(by_query) + sum(by_update) >= 20  # most spellings do fetch on the bare engine
    assert listener.count == 0


def test_refusals_say_why(live: Live, listener: Listener) -> None:
    service = requests.get(live.url + "/sparql", headers=EN, timeout=30,
                           params={"query": queries(listener.port)[4]})
    assert "SERVICE" in service.text
    load = requests.post(live.url + "/sparql", data=f"LOAD SILENT <http://127.0.0.1:{listener.port}/>".encode(),
                         timeout=30, headers={"Content-Type": "application/sparql-update",
                                              "Authorization": f"Bearer {TOKEN}", **EN})
    assert load.status_code == 400 and "LOAD" in load.text
    nested = requests.get(live.url + "/sparql", headers=EN, timeout=30, params={"query": queries(listener.port)[17]})
    assert "escape" in nested.text
    assert listener.count == 0


def _engine_contacts(listener: Listener, run) -> int:  # type: ignore[no-untyped-def]
    before = listener.count
    try:
        run()
    except (SyntaxError, OSError, ValueError, RuntimeError):
        pass
    for _ in range(20):
        if listener.count > before:
            break
        threading.Event().wait(0.01)
    return listener.count - before


def test_whatever_the_engine_would_fetch_the_check_refuses(
    engine_fetches: tuple[list[bool], list[bool]]
) -> None:
    """The differential: the bare engine decides what is a service call or a load."""
    by_query, by_update = engine_fetches
    for query, fetches in zip(queries(1), by_query, strict=True):
        if fetches:
            with pytest.raises(QagraphError):
                check_query(query)
    for update, fetches in zip(updates(1), by_update, strict=True):
        if fetches:
            with pytest.raises(QagraphError):
                check_update(update)


def test_the_check_and_the_engine_read_comments_alike() -> None:
    """A comment ended by CR is a comment to Oxigraph; the check reads the same text."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://x/p"), ox.Literal("1")))
    for text in ("SELECT * { ?s ?p ?o #c\rFILTER(false) }", "SELECT * { ?s ?p ?o #c\r\nFILTER(false) }"):
        checked = check_query(text)
        assert len(list(store.query(checked.text))) == len(list(store.query(text))) == 0


def test_workers_cannot_reach_the_network_even_when_the_check_is_skipped(tmp_path: Path, listener: Listener) -> None:
    """The second line of defence: a query of our own (not checked) that calls SERVICE."""
    from graph_app.core.store import OxigraphStore

    store = OxigraphStore(tmp_path / "store")
    pool = QueryPool(store, workers=1, timeout=10)
    try:
        job = Job(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}",
                  None, None, None, {}, Negotiated("application/sparql-results+json", None, None), 10,
                  trusted=True)
        before = listener.count
        with pytest.raises(QagraphError) as err:
            pool.run(job)
        assert "ermission" in str(err.value) or "denied" in str(err.value)
        assert listener.count == before
    finally:
        pool.close()
        store.close()


def test_the_sandbox_closes_inet_sockets_and_keeps_unix_ones() -> None:
    import subprocess
    import sys

    code = (
        "import socket\n"
        "from graph_app.core.sparql_sandbox import close_network, network_closed\n"
        "assert close_network() == ''\n"
        "assert network_closed()\n"
        "a, b = socket.socketpair(); a.send(b'x'); assert b.recv(1) == b'x'\n"
        "print('closed')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "closed", out.stderr
    assert close_network  # the filter is installed only in child processes, never here
