"""Every request is bounded before it is read: against `qagraph serve` (gunicorn) on a
free port, a 200 MB POST gets 413 at once while a simple query is answered meanwhile;
writes check the token before the body."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .test_serve import free_port

TOKEN = "limits-token"
BIG = 200 * 1024 * 1024


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = tmp_path_factory.mktemp("limits") / "store"
    port = free_port()
    env = {"QAGRAPH_CURATOR_TOKEN": TOKEN, "QAGRAPH_LANG": "en"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph_app.cli", "--store", str(store), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        env={**__import__("os").environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                # the first query waits for the workers to start (a minute at most)
                if requests.get(url + "/sparql", params={"query": "ASK {}"}, timeout=90).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


# Bounds of "at once": raw_post waits 50 ms for an answer after each 64 KiB it sends, so
# sending a 200 MB body takes minutes, and a server that waited for a body the client
# never sends answers only when the client gives up (10 s). A few seconds tell the two
# apart on a loaded machine; a query beside it takes milliseconds when nothing blocks it.
AT_ONCE = 5.0


def raw_post(url: str, path: str, headers: dict[str, str], length: int, send: int) -> tuple[str, float]:
    """Send a request that announces `length` bytes, send the first `send` of them, and
    read the status line: (status line, seconds from the first byte to the answer)."""
    host, port = url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = [f"POST {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {length}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        chunk = b"x" * 65536
        sent = 0
        sock.settimeout(0.05)
        answer = b""
        while sent < send and not answer:
            try:
                sock.sendall(chunk)
                sent += len(chunk)
            except OSError:
                break
            try:
                answer = sock.recv(4096)
            except (TimeoutError, BlockingIOError):
                pass
        sock.settimeout(10)
        while b"\r\n" not in answer:
            more = sock.recv(4096)
            if not more:
                break
            answer += more
    return answer.split(b"\r\n", 1)[0].decode(), time.monotonic() - started


def test_a_200_mb_post_gets_413_at_once_while_a_query_is_answered(served: str) -> None:
    outcome: dict[str, object] = {}

    def big() -> None:
        outcome["status"], outcome["elapsed"] = raw_post(
            served, "/sparql", {"Content-Type": "application/sparql-query"}, BIG, BIG)

    thread = threading.Thread(target=big)
    thread.start()
    time.sleep(0.05)
    started = time.monotonic()
    simple = requests.get(served + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    simple_elapsed = time.monotonic() - started
    thread.join(60)
    print(f"200 MB POST: {outcome['status']} in {float(outcome['elapsed']):.3f} s; "  # type: ignore[arg-type]
          f"simple query meanwhile: {simple_elapsed * 1000:.0f} ms")
    assert " 413 " in f"{outcome['status']} "
    assert float(outcome["elapsed"]) < AT_ONCE  # type: ignore[arg-type]
    assert simple.status_code == 200 and simple_elapsed < AT_ONCE


def test_an_update_without_the_token_is_refused_before_its_body_is_read(served: str) -> None:
    # 3 MB: under the update limit, so only the missing token can stop it early
    status, elapsed = raw_post(served, "/sparql", {"Content-Type": "application/sparql-update"},
                               3 * 1024 * 1024, 64 * 1024)
    assert " 401 " in f"{status} " and elapsed < AT_ONCE
    wrong = raw_post(served, "/graph-store?graph=https://w3id.org/qagraph/graph/source/x",
                     {"Content-Type": "text/turtle", "Authorization": "Bearer wrong"}, 10 * 1024 * 1024, 64 * 1024)
    assert " 401 " in f"{wrong[0]} " and wrong[1] < AT_ONCE


def test_each_route_has_its_own_limit(served: str) -> None:
    over_query = requests.post(served + "/sparql", data=b"x" * (1024 * 1024 + 1),
                               headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert over_query.status_code == 413
    over_form = requests.post(served + "/mappings/login", data=b"x" * (64 * 1024 + 1),
                              headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert over_form.status_code == 413
    # a graph store body far larger than a query is still accepted for reading (then parsed)
    # (2 MiB of ordinary triples: one literal that long is over LOAD_MAX_LITERAL_SIZE)
    body = b"".join(b"<http://example.org/a> <http://example.org/p> \"%d %s\" .\n" % (i, b"y" * 80)
                    for i in range(20_000))
    put = requests.put(served + "/graph-store", params={"graph": "https://w3id.org/qagraph/graph/source/big"},
                       data=body, headers={"Content-Type": "application/n-triples",
                                           "Authorization": f"Bearer {TOKEN}"}, timeout=60)
    assert put.status_code in {201, 204, 422}, put.text


def test_a_chunked_body_over_the_limit_is_cut_off(served: str, tmp_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 65536  # 2.5 MB, over the 1 MiB query limit

    response = requests.post(served + "/sparql", data=chunks(), timeout=30,
                             headers={"Content-Type": "application/sparql-query"})
    # gunicorn hands no chunked body to the app: 411 asks for a length; a server that
    # bounds chunked bodies itself gets the body cut off at the limit: 413
    assert response.status_code in {411, 413}, response.text
