"""A whole validation of every committed state of the store, run by the server in a
separate process, so that entity pages read their validation panel from it instead of
validating their node on the first view.

After each commit (and when the server starts on a state that no `qagraph validate` has
reported on), the server writes a consistent copy of the store (a RocksDB checkpoint,
hard links, as the query workers' snapshots are) into a folder beside the store, and
runs ``python -m graph_app.core.background_validation`` on it at a lower CPU priority.
That process validates the copy as `qagraph validate` would and keeps its report beside
the store under the copy's state (core/derived.py), where the pages' panels find it
(core/node_validation.py). Until it is there, a page validates its own node, as before.

Only one such process runs at a time: commits that happen while it runs are validated
together, by the next run, once it ends. Its memory is its own (about 0.4 GiB at 1M
triples, 1.9 GiB at 10M), not the server's, and the server's Python threads do not share
their interpreter lock with it.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from datetime import date
from pathlib import Path

from .derived import fingerprint
from .store import OxigraphStore, Store

LOG = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parents[2]


def _prefix(store_path: Path) -> str:
    return f".{store_path.name}-validation-"


_keepers: weakref.WeakKeyDictionary[Store, BackgroundValidation] = weakref.WeakKeyDictionary()


def wanted(store: Store) -> None:
    """A page found no report of today and of the committed state: have one made, when
    the server keeps whole validations (the page validates its own node meanwhile)."""
    keeper = _keepers.get(store)
    if keeper is not None:
        keeper.kick()


class BackgroundValidation:
    """Keeps a whole validation of the store's committed state, computed in another process."""

    def __init__(self, store: Store, nice: int = 10) -> None:
        self.store = store
        self.nice = max(0, min(19, nice))
        self._lock = threading.Lock()
        self._running = False
        self._again = False
        self._closed = False
        self._process: subprocess.Popen[bytes] | None = None
        self.runs = 0  # validations finished, for tests and logs
        self._failed: tuple[str, date] | None = None  # the state and day a validation failed
        self.done = threading.Event()  # set whenever no validation runs or waits

    @property
    def enabled(self) -> bool:
        return isinstance(self.store, OxigraphStore) and self.store.path is not None

    def start(self) -> None:
        """Validate the committed state now (unless a report of it is kept) and after
        every commit."""
        if not self.enabled:
            self.done.set()
            return
        assert self.store.path is not None
        # One process opens a store read-write: copies left beside it by a server that was
        # killed are stale.
        for stale in self.store.path.parent.glob(_prefix(self.store.path) + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        _keepers[self.store] = self
        self.store.add_commit_hook(self.kick)
        self.kick()

    def kick(self) -> None:
        """Start a validation of the committed state, or (one runs) one more after it."""
        if self._closed or not self.enabled:
            return
        with self._lock:
            if self._running:
                self._again = True
                return
            if self._fresh() or self._failed == (fingerprint(self.store), date.today()):
                self.done.set()  # kept already, or it failed for this state today: no retry
                return
            self._running = True
            self.done.clear()
        threading.Thread(target=self._run, name="qagraph-whole-validation", daemon=True).start()

    def _fresh(self) -> bool:
        """Whether a report of the committed state, judged today, is kept."""
        from .validation import whole_reports

        if not whole_reports.kept(self.store):
            return False
        report = whole_reports.current(self.store, start=False)
        return report is not None and report.fresh()

    def _run(self) -> None:
        from .validation import whole_reports

        while True:
            try:
                self._validate_once()
            except Exception:  # the server goes on; pages validate their own nodes
                LOG.exception("whole validation in the background failed")
            whole_reports.reload(self.store)
            with self._lock:
                if (self._again and not self._closed and not self._fresh()
                        and self._failed != (fingerprint(self.store), date.today())):
                    self._again = False
                    continue
                self._again = False
                self._running = False
                self.done.set()
                return

    def _validate_once(self) -> None:
        assert isinstance(self.store, OxigraphStore) and self.store.path is not None
        path = Path(self.store.path)
        folder = Path(tempfile.mkdtemp(prefix=_prefix(path), dir=path.parent))
        try:
            copy = folder / "store"
            state = fingerprint(self.store)  # at most older than the copy's: then it runs again
            self.store.backup(copy)
            if self._closed:
                return
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
            started = time.perf_counter()
            with self._lock:
                if self._closed:
                    return
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "graph_app.core.background_validation", str(copy), str(path),
                     str(self.nice)],
                    env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _out, err = self._process.communicate()
            code = self._process.returncode
            with self._lock:
                self._process = None
            if code == 0:
                self.runs += 1
                LOG.info("whole validation in the background took %.1f s", time.perf_counter() - started)
            elif not self._closed:
                self._failed = (state, date.today())
                LOG.warning("whole validation in the background failed (exit %s): %s", code,
                            err.decode("utf-8", "replace")[-2000:])
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def close(self) -> None:
        """Stop a running validation (the server is going down)."""
        with self._lock:
            self._closed = True
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)


def exit_with_parent() -> None:
    """End this process when the server that started it has ended (it was killed): the
    report would be of no use to anyone, and the copy is removed by the next server."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str]) -> int:
    """Validate the copy of a store at argv[0] and keep the report beside the store at
    argv[1], under the copy's state; argv[2]: how much to lower the CPU priority."""
    copy, original, nice = Path(argv[0]), Path(argv[1]), int(argv[2])
    os.nice(nice)
    exit_with_parent()
    from .validation import StoreReport, validate_store, whole_reports

    store = OxigraphStore(copy)
    try:
        state, today = fingerprint(store), date.today()
        report = validate_store(store, on=today)
        whole_reports.keep_beside(original, state, StoreReport.of(report, today))
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
