"""Run SPARQL queries and updates in worker processes, with an enforced time limit.

Pyoxigraph cannot cancel a running query, so client SPARQL never runs in the server
process. It runs in worker processes, each of which opens a read-only *snapshot* of the
store: RocksDB checkpoints made with ``Store.backup`` (hard links, so cheap), one with the
metadata graph and one without (see ``sparql_dataset``). A worker still busy when the
time limit is reached is killed and replaced; the server never waits on it.

Each worker first shuts itself off from the network (``sparql_sandbox``), then reads
every text with rdflib's parser (``sparql_guard``) before Oxigraph sees it: the parse, the
checks and the evaluation all run where the time limit and the sandbox hold.

The pool never makes a request wait for a worker: when every worker is busy, or the
client already has its share of them, the request is refused at once (HTTP 503 with
Retry-After), so the server's threads stay free for pages. Workers run at a lower CPU
priority than the server (QUERY_NICE), so that queries slow the pages down less.

Beside the workers that run queries up to the time limit, the pool keeps a *reserve* (by
default one worker) that takes a query only when the others are all busy, and gives it a
short time limit (QUERY_RESERVE_TIMEOUT). So a handful of runaway queries, which hold the
ordinary workers until their time limit, cannot shut everyone else out: short queries are
still answered, and a long one that reaches the reserve is refused with 503 after the
short limit instead of holding the reserve too. A client whose query was stopped there
may not use the reserve again for QUERY_TIMEOUT seconds, so that clients sending long
queries again and again cannot keep the reserve busy either.

A snapshot is a consistent, immutable copy. A new one is taken on the first query after
the set of committed graphs changed; workers move to it with their next job, and old
snapshots are deleted once no worker can still use them. A store kept in memory (no
path) has no snapshots; its queries run in the calling thread, without time limit or
sandbox.
"""

from __future__ import annotations

import functools
import logging
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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import (
    InputError,
    QagraphError,
    QueryBusy,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
    SandboxMissing,
)
from .sparql import Negotiated, Rendered, render
from .sparql_guard import Checked, check_query, check_update
from .sparql_sources import UpdateDiff, diff_update
from .store import OxigraphStore, Store

_ROOT = Path(__file__).resolve().parents[2]
STARTUP = 60.0  # seconds a new worker may take to start (imports, sandbox, parser)
log = logging.getLogger(__name__)


@dataclass
class Job:
    """One query for a worker; plain values only (it is pickled)."""

    query: str
    base_iri: str | None
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    bindings: dict[str, str]  # variable -> term in N-Triples syntax
    chosen: Negotiated
    row_limit: int
    trusted: bool = False  # a query of our own (an example): read by Oxigraph alone


@dataclass
class UpdateJob:
    """One update for a worker: it runs on a copy of the sources, the server commits."""

    update: str
    base_iri: str | None
    using: bool = False  # using-graph-uri / using-named-graph-uri were given


@dataclass(frozen=True)
class Snapshot:
    full: str
    plain: str


# -- in the worker ------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _checked(text: str, base_iri: str | None) -> Checked:
    return check_query(text, base_iri)


def run_job(full: Store, plain: OxigraphStore | None, job: Job, timeout: float | None = None) -> Rendered:
    """Check `job`, evaluate it over the client's dataset and render it (in a worker or
    inline; a store on a server is given the time limit itself)."""
    from .sparql_dataset import run

    checked = Checked(text=job.query, kind="") if job.trusted else _checked(job.query, job.base_iri)
    bindings = {k: _term(v) for k, v in job.bindings.items()}
    try:
        result, hidden = run(full, plain, checked, default_graphs=job.default_graphs,
                             named_graphs=job.named_graphs, base_iri=job.base_iri, bindings=bindings,
                             timeout=timeout, row_limit=job.row_limit)
        return render(result, job.chosen, job.row_limit, hidden)
    except SyntaxError as err:
        raise QuerySyntaxError(str(err)) from None
    except (OSError, ValueError, RuntimeError) as err:
        raise QueryFailed(str(err)) from None


def run_update(full: Store, job: UpdateJob) -> UpdateDiff:
    """Check an update and run it on an in-memory copy of the sources (each under its
    stable IRI); return what it changed (see core.sparql_update)."""
    checked = check_update(job.update)
    if job.using:
        raise InputError("sparql_update_conflict" if checked.using else "sparql_update_using")
    return diff_update(full, checked.text, job.base_iri)


def _term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A term from its N-Triples form, parsed by pyoxigraph."""
    doc = f"<urn:x:s> <urn:x:p> {text} .\n".encode()
    triple = next(iter(ox.parse(doc, ox.RdfFormat.N_TRIPLES)))
    obj = triple.object
    assert isinstance(obj, (ox.NamedNode, ox.BlankNode, ox.Literal))
    return obj


def worker_main(conn: multiprocessing.connection.Connection, sandbox: str, nice: int = 5) -> None:
    """Worker loop. First the sandbox; then (snapshot, job) in, (status, payload) out."""
    from .sparql_sandbox import close_network

    problem = close_network()
    if problem:
        print(f"qagraph query worker {os.getpid()}: NOT shut off from the network: {problem}"
              + ("" if sandbox == "warn" else "; refusing to run queries"), file=sys.stderr, flush=True)
    # rdflib's SPARQL grammar takes a moment to build: once, before the first query.
    check_query("ASK {}")
    conn.send(("hello", problem))
    # Below the server in CPU priority: on a busy machine, pages are served first and the
    # queries use what is left (a runaway query must not slow the site down).
    os.nice(nice)
    opened: dict[str, OxigraphStore] = {}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        snapshot, job = message
        try:
            if problem and sandbox != "warn":
                raise SandboxMissing(problem)
            for old in [p for p in opened if p not in (snapshot.full, snapshot.plain)]:
                opened.pop(old).close()
            if snapshot.full not in opened:
                opened[snapshot.full] = OxigraphStore(snapshot.full, read_only=True)
            full = opened[snapshot.full]
            if isinstance(job, UpdateJob):
                conn.send(("ok", run_update(full, job)))
                continue
            if snapshot.plain not in opened:
                opened[snapshot.plain] = OxigraphStore(snapshot.plain, read_only=True)
            conn.send(("ok", run_job(full, opened[snapshot.plain], job)))
        except QagraphError as err:
            conn.send(("error", _portable(err)))
        except Exception as err:  # noqa: BLE001 - reported to the client, worker lives on
            conn.send(("error", _portable(QueryFailed(str(err)))))


def _portable(err: QagraphError) -> tuple[type[QagraphError], dict[str, object], tuple[object, ...]]:
    """An error as plain values (its class takes other arguments than its args)."""
    return type(err), dict(err.__dict__), err.args


def _restored(sent: tuple[type[QagraphError], dict[str, object], tuple[object, ...]]) -> QagraphError:
    cls, state, args = sent
    err = cls.__new__(cls)
    err.__dict__.update(state)
    err.args = args
    return err


class _Worker:
    """A worker process (``python -m graph_app.core.sparql_worker``) on a socket pair.

    A plain subprocess rather than multiprocessing's spawn: it does not re-import the
    server's main module, so it works the same under the CLI, gunicorn and pytest."""

    def __init__(self, sandbox: str, nice: int) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graph_app.core.sparql_worker", str(theirs.fileno()), sandbox, str(nice)],
            pass_fds=[theirs.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = multiprocessing.connection.Connection(ours.detach())
        self.problem: str | None = None
        self._lock = threading.Lock()
        self._dead = False

    def greet(self, timeout: float) -> str:
        """The worker's first word: "" when its network is closed, else why not."""
        if self.problem is None:
            if not self.conn.poll(timeout):
                raise TimeoutError
            _hello, self.problem = self.conn.recv()
        return self.problem

    def kill(self) -> None:
        """Kill the process and close its socket; safe to call twice (the pool's close and
        a background replacement may both do it)."""
        with self._lock:
            if self._dead:
                return
            self._dead = True
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
    """Worker processes over snapshots of `store`, with a per-query time limit, no
    waiting for a free worker, and at most `client_limit` running jobs per client."""

    def __init__(
        self,
        store: Store,
        *,
        workers: int = 3,
        timeout: float = 30.0,
        client_limit: int = 2,
        sandbox: str = "require",
        nice: int = 5,
        reserve: int = 1,
        reserve_timeout: float = 2.0,
    ) -> None:
        self.store = store
        self.nice = nice
        self.timeout = timeout
        self.reserve_timeout = min(reserve_timeout, timeout)
        self.size = workers
        self.client_limit = max(1, client_limit)
        self.sandbox = sandbox
        # Last in, first out: the most recently used worker has the warmest caches.
        self._idle: queue.Queue[_Worker] = queue.LifoQueue()
        # The reserve: used only when every ordinary worker is busy, with the short limit.
        self._reserve: queue.Queue[_Worker] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._clients: dict[str, int] = {}
        self._barred: dict[str, float] = {}  # client -> until when it may not use the reserve
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
            for _ in range(max(0, reserve)):
                self._reserve.put(self._start())

    @property
    def enforced(self) -> bool:
        return self._root is not None

    @property
    def snapshot_dir(self) -> Path | None:
        """The folder of the read-only snapshots that workers query (None without workers)."""
        return self._root

    def worker_processes(self) -> list[subprocess.Popen[bytes]]:
        """The worker processes now running, busy or idle."""
        return [worker.process for worker in list(self._all)]

    @property
    def retry_after(self) -> int:
        """Seconds a refused client is told to wait (Retry-After)."""
        return max(1, min(5, int(self.timeout)))

    def _snapshot(self) -> Snapshot:
        """The snapshot of the current committed state, made when it changed."""
        fingerprint = tuple(sorted(g.value for g in self.store.current_graphs().values()))
        with self._lock:
            if self._snapshots and self._snapshots[-1][0] == fingerprint:
                target = self._snapshots[-1][1]
                return Snapshot(str(target / "full"), str(target / "plain"))
            assert self._root is not None
            self._counter += 1
            target = self._root / f"s{self._counter}"
            target.mkdir()
            assert isinstance(self.store, OxigraphStore)  # only the embedded store has a path
            self.store.backup(target / "full")
            self.store.backup(target / "plain", metadata=False)
            self._snapshots.append((fingerprint, target))
            # Keep the newest two: a worker may still be reading the previous one.
            while len(self._snapshots) > 2:
                _, old = self._snapshots.pop(0)
                shutil.rmtree(old, ignore_errors=True)
            return Snapshot(str(target / "full"), str(target / "plain"))

    def run(self, job: Job, client: str = "") -> Rendered:
        """Run a query within the time limit."""
        if not self.enforced:
            # No snapshots: the embedded store in memory, or a store on a server, which is
            # asked to answer within the time limit.
            return run_job(self.store, None, job, self.timeout)
        payload = self._run(job, client)
        assert isinstance(payload, Rendered)
        return payload

    def run_update(self, job: UpdateJob, client: str = "") -> UpdateDiff:
        """Run an update on a copy of the sources within the time limit; nothing is
        committed here (see core.sparql_update.apply_update)."""
        if not self.enforced:
            return run_update(self.store, job)
        payload = self._run(job, client)
        assert isinstance(payload, UpdateDiff)
        return payload

    def _acquire(self, client: str) -> tuple[_Worker, queue.Queue[_Worker], float]:
        """A free worker, the queue it goes back to, and the time limit it runs under."""
        with self._lock:
            if self._clients.get(client, 0) >= self.client_limit:
                raise QueryBusy(self.retry_after, self.client_limit)
            try:
                lane, limit = self._idle, self.timeout
                worker = lane.get_nowait()
            except queue.Empty:
                now = time.monotonic()
                if self._barred.get(client, 0.0) > now:
                    raise QueryBusy(self.retry_after) from None
                self._barred = {c: until for c, until in self._barred.items() if until > now}
                try:
                    lane, limit = self._reserve, self.reserve_timeout
                    worker = lane.get_nowait()
                except queue.Empty:
                    raise QueryBusy(self.retry_after) from None
            self._clients[client] = self._clients.get(client, 0) + 1
        return worker, lane, limit

    def _release(self, client: str) -> None:
        with self._lock:
            left = self._clients.get(client, 1) - 1
            if left > 0:
                self._clients[client] = left
            else:
                self._clients.pop(client, None)

    def _run(self, job: Job | UpdateJob, client: str) -> object:
        worker, lane, limit = self._acquire(client)
        started = time.monotonic()
        try:
            try:
                # A worker that is still starting is waited for apart from the time limit.
                worker.greet(max(self.timeout, STARTUP))
                started = time.monotonic()
                snapshot = self._snapshot()
                worker.conn.send((snapshot, job))
                remaining = max(0.05, limit - (time.monotonic() - started))
                if not worker.conn.poll(remaining):
                    raise TimeoutError
                status, payload = worker.conn.recv()
            except (TimeoutError, EOFError, OSError):
                self._replace(worker, lane)
                if time.monotonic() - started >= limit - 0.01:
                    if lane is self._reserve:
                        with self._lock:
                            self._barred[client] = time.monotonic() + self.timeout
                        raise QueryBusy(self.retry_after, reserve_limit=limit) from None
                    raise QueryTimeout(self.timeout) from None
                raise QueryFailed("query worker stopped") from None
            lane.put(worker)
        finally:
            self._release(client)
        if status == "error":
            raise _restored(payload)
        return payload

    def _start(self) -> _Worker:
        worker = _Worker(self.sandbox, self.nice)
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker, lane: queue.Queue[_Worker]) -> None:
        """Kill a worker in the background and put a fresh one in its place."""

        def swap() -> None:
            worker.kill()
            self._all.discard(worker)
            if not self._closed:
                lane.put(self._start())

        threading.Thread(target=swap, daemon=True).start()

    def close(self) -> None:
        """Stop idle workers, kill busy ones, remove the snapshots."""
        if self._closed:
            return
        self._closed = True
        for lane in (self._idle, self._reserve):
            while True:
                try:
                    worker = lane.get_nowait()
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


__all__ = ["Job", "QueryPool", "UpdateJob", "bindings_text", "run_job"]
