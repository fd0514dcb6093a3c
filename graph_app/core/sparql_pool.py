"""Run SPARQL queries with an enforced time limit.

Pyoxigraph cannot cancel a running query, so queries do not run in the server process.
They run in worker processes, each of which opens a read-only *snapshot* of the store:
a RocksDB checkpoint made with ``Store.backup`` (hard links, so it is cheap and does not
copy the data). A worker that is still busy when the time limit is reached is killed and
replaced; the server itself never waits on it, so other requests keep being answered.

A snapshot is a consistent, immutable copy: no other process ever writes to it, which is
what a read-only RocksDB open needs. A new snapshot is taken on the first query after the
set of committed graphs changed (a load, a drop, a curator's write); workers move to it
with their next query, and old snapshots are deleted once no worker can still use them.

A store kept in memory (no path) cannot be snapshotted; its queries run in the calling
thread and the time limit is then not enforced.
"""

from __future__ import annotations

import multiprocessing.connection
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import QagraphError
from .messages import CATALOGUE
from .sparql import NotAcceptable, Rendered, render, resolve_graphs, scan
from .store import OxigraphStore

_ROOT = Path(__file__).resolve().parents[2]

CATALOGUE.update(
    {
        "sparql_timeout": {
            "sv": "frågan tog längre tid än gränsen på {limit} s och avbröts",
            "en": "the query ran longer than the limit of {limit} s and was stopped",
        },
        "sparql_busy": {
            "sv": "alla frågearbetare är upptagna; försök igen om en stund",
            "en": "all query workers are busy; try again in a moment",
        },
        "sparql_syntax": {
            "sv": "syntaxfel i SPARQL: {detail}",
            "en": "SPARQL syntax error: {detail}",
        },
        "sparql_failed": {
            "sv": "frågan kunde inte utföras: {detail}",
            "en": "the query could not be evaluated: {detail}",
        },
        "sparql_service": {
            "sv": "SERVICE-anrop till andra tjänster är inte tillåtna här",
            "en": "SERVICE calls to other endpoints are not allowed here",
        },
        "sparql_not_acceptable": {
            "sv": "inget av de godtagna formaten passar resultatet ({kind})",
            "en": "none of the accepted formats fits this result ({kind})",
        },
    }
)


class QueryTimeout(QagraphError):
    """The query ran past the time limit and was stopped (HTTP 503)."""

    http_status = 503

    def __init__(self, limit: float) -> None:
        super().__init__("sparql_timeout", limit=f"{limit:g}")


class QueryBusy(QagraphError):
    http_status = 503

    def __init__(self) -> None:
        super().__init__("sparql_busy")


class QuerySyntaxError(QagraphError):
    """The parser's message, as is."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__("sparql_syntax", detail=detail)


class QueryFailed(QagraphError):
    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__("sparql_failed", detail=detail)


class ServiceRefused(QagraphError):
    def __init__(self) -> None:
        super().__init__("sparql_service")


class ResultNotAcceptable(QagraphError):
    http_status = 406

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__("sparql_not_acceptable", kind=kind)


@dataclass
class Job:
    """One query for a worker; plain values only (it is pickled)."""

    query: str
    base_iri: str | None
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    bindings: dict[str, str]  # variable -> term in N-Triples syntax
    solution_type: str | None
    graph_type: str | None
    row_limit: int


def prepare(
    query: str,
    *,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
) -> tuple[list[str] | None, list[str] | None]:
    """Refuse SERVICE; take the dataset from the protocol, else from FROM / FROM NAMED."""
    found = scan(query)
    if found.service:
        raise ServiceRefused()
    if default_graphs is None and named_graphs is None and (found.from_default or found.from_named):
        default_graphs = found.from_default
        named_graphs = found.from_named
    return (
        None if default_graphs is None else list(default_graphs),
        None if named_graphs is None else list(named_graphs),
    )


def run_job(store: OxigraphStore, job: Job) -> Rendered:
    """Evaluate `job` on `store` and serialise the result (in a worker or inline)."""
    current = store.current_graphs()
    default = None if job.default_graphs is None else resolve_graphs(job.default_graphs, current)
    named = None if job.named_graphs is None else resolve_graphs(job.named_graphs, current)
    bindings = {k: _term(v) for k, v in job.bindings.items()}
    try:
        # The store's own dataset rules (committed graphs only, unknown graph = empty),
        # with the endpoint's URL as base IRI for relative IRIs (SPARQL 1.1 Protocol).
        result = store.query(
            job.query, bindings=bindings, default_graphs=default, named_graphs=named,
            base_iri=job.base_iri,
        )
        return render(result, job.solution_type, job.graph_type, job.row_limit)
    except SyntaxError as err:
        raise QuerySyntaxError(str(err)) from None
    except NotAcceptable as err:
        raise ResultNotAcceptable(err.kind) from None
    except (OSError, ValueError, RuntimeError) as err:
        raise QueryFailed(str(err)) from None


def _term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A term from its N-Triples form, parsed by pyoxigraph."""
    doc = f"<urn:x:s> <urn:x:p> {text} .\n".encode()
    triple = next(iter(ox.parse(doc, ox.RdfFormat.N_TRIPLES)))
    obj = triple.object
    assert isinstance(obj, (ox.NamedNode, ox.BlankNode, ox.Literal))
    return obj


def _worker_main(conn: multiprocessing.connection.Connection) -> None:
    """Worker loop: (snapshot path, job) in, ("ok", Rendered) or (error kind, text) out."""
    opened: tuple[str, OxigraphStore] | None = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        snapshot, job = message
        try:
            if opened is None or opened[0] != snapshot:
                if opened is not None:
                    opened[1].close()
                opened = (snapshot, OxigraphStore(snapshot, read_only=True))
            conn.send(("ok", run_job(opened[1], job)))
        except QuerySyntaxError as err:
            conn.send(("syntax", err.detail))
        except ResultNotAcceptable as err:
            conn.send(("not_acceptable", err.kind))
        except Exception as err:  # noqa: BLE001 - reported to the client, worker lives on
            conn.send(("failed", str(err)))


class _Worker:
    """A worker process (``python -m graph_app.core.sparql_worker``) on a socket pair.

    A plain subprocess rather than multiprocessing's spawn: it does not re-import the
    server's main module, so it works the same under the CLI, gunicorn and pytest."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graph_app.core.sparql_worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = multiprocessing.connection.Connection(ours.detach())

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
            self.process.wait(2)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()
        else:
            self.conn.close()


class QueryPool:
    """Worker processes over snapshots of `store`, with a per-query time limit."""

    def __init__(self, store: OxigraphStore, *, workers: int = 3, timeout: float = 30.0) -> None:
        self.store = store
        self.timeout = timeout
        self.size = workers
        # Last in, first out: the most recently used worker has the warmest caches.
        self._idle: queue.Queue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._snapshots: list[tuple[tuple[str, ...], Path]] = []
        self._root: Path | None = None
        self._closed = False
        self._counter = 0
        self._all: set[_Worker] = set()
        if store.path is not None:
            # Only one process opens a store read-write, so snapshot folders left beside it
            # by a server that was killed are stale.
            for stale in store.path.parent.glob(f".{store.path.name}-snapshots-*"):
                shutil.rmtree(stale, ignore_errors=True)
            self._root = Path(tempfile.mkdtemp(prefix=f".{store.path.name}-snapshots-",
                                               dir=store.path.parent))
            for _ in range(workers):
                self._idle.put(self._start())

    @property
    def enforced(self) -> bool:
        return self._root is not None

    def _snapshot(self) -> str:
        """The snapshot of the current committed state, made when it changed."""
        fingerprint = tuple(sorted(g.value for g in self.store.current_graphs().values()))
        with self._lock:
            if self._snapshots and self._snapshots[-1][0] == fingerprint:
                return str(self._snapshots[-1][1])
            assert self._root is not None
            self._counter += 1
            target = self._root / f"s{self._counter}"
            self.store.backup(target)
            self._snapshots.append((fingerprint, target))
            # Keep the newest two: a worker may still be reading the previous one.
            while len(self._snapshots) > 2:
                _, old = self._snapshots.pop(0)
                shutil.rmtree(old, ignore_errors=True)
            return str(target)

    def run(self, job: Job) -> Rendered:
        """Run `job`, within the time limit."""
        if not self.enforced:
            return run_job(self.store, job)
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryBusy() from None
        snapshot = self._snapshot()
        try:
            worker.conn.send((snapshot, job))
            remaining = max(0.05, self.timeout - (time.monotonic() - started))
            if not worker.conn.poll(remaining):
                raise TimeoutError
            status, payload = worker.conn.recv()
        except (TimeoutError, EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            if time.monotonic() - started >= self.timeout - 0.01:
                raise QueryTimeout(self.timeout) from None
            raise QueryFailed("query worker stopped") from None
        self._idle.put(worker)
        if status == "syntax":
            raise QuerySyntaxError(payload)
        if status == "not_acceptable":
            raise ResultNotAcceptable(payload)
        if status == "failed":
            raise QueryFailed(payload)
        assert isinstance(payload, Rendered)
        return payload

    def _start(self) -> _Worker:
        worker = _Worker()
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker in the background and put a fresh one in its place."""

        def swap() -> None:
            worker.kill()
            self._all.discard(worker)
            if not self._closed:
                self._idle.put(self._start())

        threading.Thread(target=swap, daemon=True).start()

    def close(self) -> None:
        """Stop idle workers, kill busy ones, remove the snapshots."""
        if self._closed:
            return
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            worker.stop()
            self._all.discard(worker)
        for worker in list(self._all):
            worker.kill()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)


def bindings_text(bindings: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal]) -> dict[str, str]:
    """Bindings as N-Triples text, to send to a worker."""
    return {k: str(v) for k, v in bindings.items()}
