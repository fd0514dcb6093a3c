"""Reader processes that render entity pages the server has not rendered yet, on the
other cores (decision 0011).

The server process is the one writer of the store; its Python runs on one core at a time.
A first view of an entity page is mostly Python (the answer card, the template), so a
server that renders every first view itself is limited to one core. Reader processes
(``python -m graph_app.web.page_reader``, PAGE_READERS of them) each open a read-only
copy of the committed state, a RocksDB checkpoint made once per state beside the store
(hard links, as the query workers' snapshots are), with the derived values the server
keeps beside the store (the catalogue, the last whole validation: core/derived.py), and
render the page as the server would: the same app, settings, templates and caches.

The server gives a reader only what the page depends on (the node, the language, the
page of incoming links, the day) and keeps the answer in its page cache as if it had
rendered it. A request that finds every reader busy waits for one to be free for at most
PAGE_READER_WAIT seconds (0.1), then the server renders the page itself. Waiting pays: a
page handed to a reader costs the server about 1.1 ms of CPU against 4-5 ms to render it
(an award's first view at 1M triples), and while the server renders pages itself its
threads hand the readers' answers back late, so the readers stood idle two thirds of the
time (award first views at 1M triples on two cores, two readers: 236-263 pages/s without
waiting, 286-352 with). A reader that does not answer within READER_TIMEOUT seconds is killed and replaced, and the page
is rendered by the server. Readers hold no session and take no writes: log-ins, uploads,
curation and SPARQL stay in the server process.
"""

from __future__ import annotations

import atexit
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.derived import fingerprint
from ..core.store import OxigraphStore, Store

LOG = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parents[2]
READERS_KEY = "qagraph.page_readers"
READER_TIMEOUT = 30.0  # seconds a reader may take for one page
STARTUP = 60.0


@dataclass(frozen=True)
class PageJob:
    """One page to render; plain values only (it is pickled)."""

    snapshot: str  # the read-only copy of the committed state
    store: str  # the store itself, beside which the derived values are kept
    iri: str
    lang: str  # the language the server chose (from ?lang=, the cookie or the browser's)
    path: str  # the request's path and query string: the page links to itself in the other language
    query: str


class _Reader:
    def __init__(self, settings: dict[str, Any], nice: int) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graph_app.web.page_reader", str(theirs.fileno()), str(nice)],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = multiprocessing.connection.Connection(ours.detach())
        self.conn.send(settings)
        self.ready = False

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()


class PageReaders:
    """The reader processes of one server, and the copies of the store they read."""

    def __init__(self, store: Store, settings: dict[str, Any], count: int, nice: int = 0,
                 wait: float = 0.0) -> None:
        assert isinstance(store, OxigraphStore) and store.path is not None
        self.store = store
        self.settings = settings
        self.nice = nice
        self.wait = max(0.0, min(wait, 5.0))  # seconds a page waits for a free reader
        self._idle: queue.LifoQueue[_Reader] = queue.LifoQueue()
        self._all: set[_Reader] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._copies: list[tuple[str, Path]] = []  # (state, folder), newest last
        self._latest: tuple[int, str] | None = None  # the store's generation and its copy
        path = Path(store.path)
        for stale in path.parent.glob(f".{path.name}-readers-*"):
            shutil.rmtree(stale, ignore_errors=True)
        self._root = Path(tempfile.mkdtemp(prefix=f".{path.name}-readers-", dir=path.parent))
        self.rendered = 0  # pages rendered by readers, for tests and logs
        for _ in range(count):
            self._add()

    def _add(self) -> None:
        reader = _Reader(self.settings, self.nice)
        with self._lock:
            self._all.add(reader)
        threading.Thread(target=self._greet, args=(reader,), daemon=True).start()

    def _greet(self, reader: _Reader) -> None:
        """A reader is put to work once it has started (imports, the app, the shapes)."""
        try:
            if reader.conn.poll(STARTUP) and reader.conn.recv() == "ready":
                reader.ready = True
                if not self._closed:
                    self._idle.put(reader)
                    return
        except (EOFError, OSError):
            pass
        LOG.warning("a page reader did not start")
        self._drop(reader)

    def _drop(self, reader: _Reader) -> None:
        with self._lock:
            self._all.discard(reader)
        reader.kill()

    def processes(self) -> list[subprocess.Popen[bytes]]:
        with self._lock:
            return [r.process for r in self._all]

    def _copy(self) -> str:
        """The read-only copy of the committed state, made on its first page."""
        generation = self.store.generation
        latest = self._latest
        if latest is not None and latest[0] == generation:
            return latest[1]  # no commit since: the same copy (without reading the graphs' list)
        state = fingerprint(self.store)
        with self._lock:
            copy = self._copy_of(state)
            self._latest = (generation, copy) if self.store.generation == generation else None
            return copy

    def _copy_of(self, state: str) -> str:
        """Under the lock: the copy of `state`, made now unless it is the newest."""
        if self._copies and self._copies[-1][0] == state:
            return str(self._copies[-1][1])
        target = self._root / state
        if not target.exists():
            self.store.backup(target)
        self._copies.append((state, target))
        # the newest two: a reader may still be rendering from the one before
        while len(self._copies) > 2:
            _, old = self._copies.pop(0)
            shutil.rmtree(old, ignore_errors=True)
        return str(target)

    def render(self, iri: str, lang: str, path: str, query: str) -> tuple[str, bool] | None:
        """The page and whether it may be kept, from a reader that is free or becomes free
        within `wait` seconds; None when none does, or one failed (the caller renders it)."""
        if self._closed:
            return None
        try:
            reader = self._idle.get(timeout=self.wait) if self.wait > 0 else self._idle.get_nowait()
        except queue.Empty:
            return None
        generation = self.store.generation
        try:
            job = PageJob(self._copy(), str(self.store.path), iri, lang, path, query)
            reader.conn.send(job)
            if not reader.conn.poll(READER_TIMEOUT):
                raise TimeoutError(f"no page after {READER_TIMEOUT} s")
            status, payload = reader.conn.recv()
        except (OSError, EOFError, TimeoutError) as err:
            LOG.warning("page reader failed (%s); the server renders the page and starts another", err)
            self._drop(reader)
            if not self._closed:
                self._add()
            return None
        self._idle.put(reader)
        if status != "ok":
            LOG.warning("page reader could not render %s: %s", iri, payload)
            return None
        html, keep = payload
        self.rendered += 1
        # rendered from the state it was asked for: kept only if no commit came between
        return html, keep and self.store.generation == generation

    def close(self) -> None:
        self._closed = True
        with self._lock:
            readers = list(self._all)
            self._all.clear()
        for reader in readers:
            try:
                reader.conn.send(None)
            except OSError:
                pass
            reader.kill()
        shutil.rmtree(self._root, ignore_errors=True)


def start(app: Any, store: Store) -> PageReaders | None:
    """The app's page readers (PAGE_READERS of them), for a store on disk."""
    count = int(app.config.get("PAGE_READERS", 0))
    if count <= 0 or not isinstance(store, OxigraphStore) or store.path is None:
        return None
    from ..core.settings import SETTINGS

    names = {s.name for s in SETTINGS}
    settings = {k: v for k, v in app.config.items() if k in names}
    settings["SECRET_KEY"] = app.config["SECRET_KEY"]
    readers = PageReaders(store, settings, count, wait=float(app.config.get("PAGE_READER_WAIT", 0.1)))
    app.extensions[READERS_KEY] = readers
    atexit.register(readers.close)
    return readers
