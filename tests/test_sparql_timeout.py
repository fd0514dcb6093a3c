"""The time limit is enforced: a query over it gets 503, and the server keeps answering."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
import requests

from .w3c.live import Live, start

LIMIT = 2.0
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?o2 . ?c ?r ?o3 . ?d ?t ?o4 }"
FAST = "ASK { ?s ?p ?o }"


STORE_KINDS = ("embedded", "remote")


@pytest.fixture
def live(store_settings) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    yield from _live(store_settings)


@pytest.fixture
def embedded_live(tmp_path) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    """Worker processes and snapshots are the embedded store's way to stop a query."""
    yield from _live(tmp_path / "store")


def _live(store) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    server = start(store, QUERY_TIMEOUT=LIMIT)
    staged = server.store.stage("many", "many.nt", "test")
    server.store.write_staged(staged, (
        ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"), ox.Literal(str(i)))
        for i in range(3000)
    ))
    server.store.commit([staged])
    # warm the workers up
    assert requests.get(server.url + "/sparql", params={"query": FAST}, timeout=30).status_code == 200
    yield server
    server.stop()


def test_query_over_the_limit_gets_503_and_others_are_answered(live: Live) -> None:
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        response = requests.get(live.url + "/sparql", params={"query": SLOW},
                                headers={"Accept-Language": "en"}, timeout=30)
        outcome["elapsed"] = time.monotonic() - started
        outcome["done"] = time.monotonic()
        outcome["status"] = response.status_code
        outcome["text"] = response.text

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    fast = requests.get(live.url + "/sparql", params={"query": FAST}, timeout=30)
    fast_done = time.monotonic()
    fast_elapsed = fast_done - started
    thread.join(30)
    print(f"slow query: {outcome.get('status')} after {outcome.get('elapsed', 0):.2f} s; "
          f"simple query meanwhile: {fast_elapsed * 1000:.0f} ms")
    assert fast.status_code == 200 and fast.json()["boolean"] is True
    # answered while the slow query still ran, so it did not wait for it
    assert fast_done < float(outcome["done"]), (fast_elapsed, outcome["elapsed"])  # type: ignore[arg-type]
    assert outcome["status"] == 503
    assert "limit" in str(outcome["text"])
    # stopped at the limit: run to its end, the four-way join over 3,000 triples takes hours
    assert float(outcome["elapsed"]) < LIMIT + 10.0  # type: ignore[arg-type]
    # the killed worker was replaced: the endpoint answers on
    for _ in range(4):
        again = requests.get(live.url + "/sparql", params={"query": FAST}, timeout=30)
        assert again.status_code == 200


def test_closing_the_pool_kills_busy_workers_and_removes_snapshots(embedded_live: Live) -> None:
    from graph_app.web.sparql import get_pool

    live = embedded_live
    pool = get_pool(live.app)
    thread = threading.Thread(
        target=lambda: requests.get(live.url + "/sparql", params={"query": SLOW}, timeout=30))
    thread.start()
    time.sleep(0.5)
    processes = pool.worker_processes()
    snapshots = pool.snapshot_dir
    assert snapshots is not None and snapshots.is_dir()
    pool.close()
    for process in processes:
        assert process.wait(5) is not None
    assert not snapshots.exists()
    thread.join(30)


def ask(url: str, source: str, query: str) -> tuple[int, str, dict[str, str]]:
    """GET /sparql from a loopback address of its own, as a separate client would."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60, source_address=(source, 0))
    try:
        conn.request("GET", "/sparql?" + urlencode({"query": query}),
                     headers={"Accept-Language": "en", "Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        return response.status, response.read().decode(), dict(response.getheaders())
    finally:
        conn.close()


def test_runaway_queries_do_not_shut_out_short_ones(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two runaway queries hold both ordinary workers for their whole time limit; a third
    reaches the reserve worker and is stopped at its short limit; other clients' short
    queries are still answered meanwhile, and the client of the long query may not use
    the reserve again for a while."""
    server = start(tmp_path / "store", QUERY_TIMEOUT=30, QUERY_WORKERS=2, QUERY_RESERVE_WORKERS=1,
                   QUERY_RESERVE_TIMEOUT=1.5, QUERY_CLIENT_LIMIT=10)
    runaways: list[threading.Thread] = []
    try:
        staged = server.store.stage("many", "many.nt", "test")
        server.store.write_staged(staged, (
            ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                      ox.Literal(str(i))) for i in range(3000)))
        server.store.commit([staged])
        for _ in range(3):  # every worker started
            assert ask(server.url, "127.0.0.1", FAST)[0] == 200
        finished: list[float] = []

        def runaway(source: str) -> None:
            try:
                ask(server.url, source, SLOW)
            except OSError:
                pass
            finished.append(time.monotonic())

        runaways = [threading.Thread(target=runaway, args=(f"127.0.2.{i}",)) for i in (1, 2)]
        for thread in runaways:
            thread.start()
            time.sleep(0.3)
        # both ordinary workers are busy: a third long query goes to the reserve and is
        # stopped at its short limit, with a 503 that says so
        started = time.monotonic()
        status, text, headers = ask(server.url, "127.0.2.3", SLOW)
        assert status == 503 and int(headers["Retry-After"]) >= 1
        assert "kept free for short queries stops a query after 1.5 s" in text
        assert time.monotonic() - started < 15  # the short limit, not the 30 s one
        # another client's short query is answered while the runaways hold their workers
        # (the reserve's replacement worker may still be starting: a few tries)
        answered = None
        deadline = time.monotonic() + 20
        while answered is None and time.monotonic() < deadline:
            status, text, _ = ask(server.url, "127.0.1.1", FAST)
            if status == 200:
                answered = json.loads(text)
            else:
                assert status == 503, text
                time.sleep(0.2)
        assert answered is not None, "no short query was answered while the runaways ran"
        assert answered["boolean"] is True
        # the client whose query was stopped on the reserve may not use it for a while
        status, text, _ = ask(server.url, "127.0.2.3", FAST)
        assert status == 503 and "all query workers are busy" in text
        assert ask(server.url, "127.0.1.2", FAST)[0] == 200
        assert not finished, "the runaways ended before the short queries were answered"
    finally:
        server.stop()
    for thread in runaways:
        thread.join(40)
