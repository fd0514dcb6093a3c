"""`qagraph serve`: gunicorn, one process with threads, the store opened in the worker."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_serve_answers_and_stops_cleanly_without_a_store_inherited_through_fork(store_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph_app.cli", "--store", str(store_path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/?lang=en", timeout=2) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "What the graph holds" in body
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "SIGABRT" not in out and "terminate called" not in out, out


@pytest.mark.slow
def test_serve_prepares_the_catalogue_and_counts_before_the_first_request(qagraph, store_path):
    """A state of the store that no command prepared (here: its kept values removed) gets
    its catalogue and counts before the server accepts requests, not in a request."""
    import shutil

    assert qagraph("init").exit_code == 0
    kept = store_path.parent / f".{store_path.name}-derived"
    shutil.rmtree(kept, ignore_errors=True)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph_app.cli", "--store", str(store_path), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        for _ in range(100):
            try:  # a static file: no page, so nothing a page would compute
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/favicon.svg", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        names = {p.name.split("-")[0] for p in kept.glob("*.pickle")}
        # (a whole validation, made in the background, may be there too by now)
        assert {"catalogue", "summary"} <= names
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
