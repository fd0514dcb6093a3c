"""Values derived from the whole store (statistics, the search catalogue, the last whole
validation), computed once per committed state of the store, never per request.
Whole-graph aggregates are slow at scale (DESIGN.md), so pages read these instead.

A value belongs to a state of the store: the set of its current source graphs, which
every commit and drop changes (`fingerprint`). It is kept in memory and, for a store on
disk, in the instance folder, so that a restarted server or another process (a reader
of a snapshot) finds it without computing it again. After a commit the value is
recomputed right away when the last computation was quick (as on a small store: pages
then show the commit at once), else in the background, and until it is ready requests
get the value of the previous state: no request waits for a whole-store computation.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from .store import Store

T = TypeVar("T")
LOG = logging.getLogger(__name__)
QUICK = 1.0  # seconds: a computation this quick runs in the commit, not in the background


def fingerprint(store: Store) -> str:
    """The committed state of the store: a checksum of its current source graphs."""
    graphs = sorted(g.value for g in store.current_graphs().values())
    return hashlib.sha256("\n".join(graphs).encode()).hexdigest()[:24]


@dataclass
class _Entry(Generic[T]):
    generation: int
    fingerprint: str
    value: T


# Called after a whole-store value of a new state (one kept on disk: the catalogue, the
# counts, the whole validation) is computed or read; a server uses it to keep the garbage
# collector off the large values it keeps (web/server.py). Not after the small values a
# page computes on first use: a full collection then stalled the first pages of a state.
after_new_value: list[Callable[[], None]] = []


def _settle() -> None:
    for hook in after_new_value:
        try:
            hook()
        except Exception:  # a hook must not lose the value
            LOG.exception("after a new value")


def _borrowing(store: Store) -> bool:
    """A page reader's copy of the store: it reads what the server keeps beside the store
    and computes only what nothing kept can give (web/page_readers.py)."""
    return getattr(store, "derived_home", None) is not None


class PerGeneration(Generic[T]):
    """One value per store and committed state, computed by `compute`."""

    def __init__(self, compute: Callable[[Store], T], name: str = "") -> None:
        self.name = name  # kept on disk under this name (not when empty)
        self._compute = compute
        self._values: weakref.WeakKeyDictionary[Store, _Entry[T]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._hooked: weakref.WeakSet[Store] = weakref.WeakSet()
        self._building: weakref.WeakKeyDictionary[Store, str] = weakref.WeakKeyDictionary()
        self._missing: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()
        self._took: float = 0.0  # seconds the last computation took

    # -- reading ------------------------------------------------------------------------

    def get(self, store: Store) -> T:
        """The value of the store's committed state, or (while that is computed in the
        background) of the state before it."""
        entry = self._values.get(store)
        if entry is not None and entry.generation == store.generation:
            return entry.value
        with self._lock:
            entry = self._values.get(store)
            if entry is not None and entry.generation == store.generation:
                return entry.value
            state = fingerprint(store)
            held = self._recall(store, state, entry)
            if held is not None:
                return held.value
            if entry is not None:
                if not _borrowing(store):
                    self._start(store, state)
                return entry.value
            if _borrowing(store) and (earlier := self._latest_kept(store)) is not None:
                # a page reader's copy: the server computes the state's value; until it is
                # kept, that of the state before, as the server's own pages get
                self._values[store] = _Entry(-1, earlier[0], earlier[1])
                return earlier[1]
        # Nothing at all yet (a fresh process on a store never computed): compute now.
        return self._build(store, state)

    def current(self, store: Store, start: bool = True) -> T | None:
        """The value of the store's committed state when it is ready (in memory or on disk),
        else None, and (with `start`) it is computed in the background. For values that
        must not be shown for a past state, such as validation results."""
        entry = self._values.get(store)
        if entry is not None and entry.generation == store.generation:
            return entry.value
        if self._missing.get(store) == store.generation and not _borrowing(store):
            # looked for in this generation already: not there (a page reader's copy looks
            # again each time: the server may keep it beside the store at any moment)
            return None
        with self._lock:
            state = fingerprint(store)
            held = self._recall(store, state, self._values.get(store))
            if held is not None:
                return held.value
            if start:
                self._start(store, state)
            else:
                self._missing[store] = store.generation
        return None

    def _recall(self, store: Store, state: str, entry: _Entry[T] | None) -> _Entry[T] | None:
        """Under the lock: the entry that holds the value of `state`, the one in memory
        (when its state is the same: nothing was committed but the generation moved) or
        the one kept on disk beside the store; None when neither has it."""
        if entry is not None and entry.fingerprint == state:
            entry.generation = store.generation
            return entry
        kept = self._read(store, state)
        if kept is None:
            return None
        held = self._values[store] = _Entry(store.generation, state, kept)
        if self.name:
            _settle()
        return held

    def keep(self, store: Store, value: T) -> None:
        """Take `value`, computed elsewhere, as the value of the store's committed state
        (`qagraph validate` keeps its report for the web this way)."""
        state = fingerprint(store)
        with self._lock:
            self._values[store] = _Entry(store.generation, state, value)
            self._missing.pop(store, None)
        self._write(store, state, value)

    # -- computing ------------------------------------------------------------------------

    def _build(self, store: Store, state: str) -> T:
        generation = store.generation
        start = time.perf_counter()
        value = self._compute(store)
        self._took = time.perf_counter() - start
        self._record_took(store)
        with self._lock:
            current = self._values.get(store)
            if current is None or current.fingerprint != fingerprint(store):
                self._values[store] = _Entry(generation, state, value)
        self._write(store, state, value)
        if self.name:
            _settle()
        return value

    def _start(self, store: Store, state: str) -> None:
        """Compute in a background thread (once per state)."""
        if self._building.get(store) == state:
            return
        self._building[store] = state

        def run() -> None:
            try:
                self._build(store, state)
            except Exception:  # a failed computation must not take the server down
                LOG.exception("computing %s failed", self.name)
            finally:
                if self._building.get(store) == state:
                    del self._building[store]

        threading.Thread(target=run, name=f"qagraph-{self.name or 'derived'}", daemon=True).start()

    def refresh(self, store: Store, background: bool = True) -> None:
        """After a commit: compute now when that is quick, else in the background. A
        command that commits (`background` false) computes it before it ends when that
        is quick, and otherwise leaves it to the server, which starts with the value of
        the state before and computes the new one in the background (`adopt`): a steward
        who loads one correction into a large store does not wait for the catalogue."""
        state = fingerprint(store)
        if self._file_of(store, state) is not None:
            return
        if not background:
            if not self._slow(store):
                self._build(store, state)
        elif self._took <= QUICK or self._values.get(store) is None:
            self._build(store, state)
        else:
            with self._lock:
                self._start(store, state)

    def adopt(self, store: Store) -> None:
        """When a server starts: the value of the committed state when one is kept, else
        (a command left a slow computation to the server) the value kept of the state
        before, while the committed state's is computed in the background; computed now
        when nothing is kept at all."""
        state = fingerprint(store)
        earlier = None if self._file_of(store, state) is not None else self._latest_kept(store)
        if earlier is None:
            self.get(store)
            return
        earlier_state, value = earlier
        with self._lock:
            if store not in self._values:
                self._values[store] = _Entry(-1, earlier_state, value)
            self._start(store, state)

    def _slow(self, store: Store) -> bool:
        """Whether the last computation (as recorded beside the store by whichever
        process made it, else in this process) took longer than `QUICK`."""
        took = self._took
        if (mark := self._took_file(store)) is not None:
            try:
                took = float(mark.read_text(encoding="ascii"))
            except (OSError, ValueError):
                pass
        return took > QUICK

    def keep_up_to_date(self, store: Store, background: bool = True) -> None:
        """Recompute after every commit (once per store)."""
        if store in self._hooked:
            return
        self._hooked.add(store)
        store.add_commit_hook(lambda: self.refresh(store, background))

    # -- on disk ----------------------------------------------------------------------------

    def _file(self, store: Store, state: str) -> Path | None:
        """Beside the store's folder (as the query workers' snapshots are), one file per
        value: that of the latest state computed. A page reader's copy of the store reads
        those of the store it copies."""
        home = getattr(store, "derived_home", None) or store.path
        if home is None:
            return None
        return self._file_beside(Path(home), state)

    def _file_beside(self, path: Path, state: str) -> Path | None:
        if not self.name:
            return None
        return path.parent / f".{path.name}-derived" / f"{self.name}-{state}.pickle"

    def kept(self, store: Store) -> bool:
        """Whether the value of the store's committed state is kept (in memory or on disk)."""
        entry = self._values.get(store)
        if entry is not None and entry.generation == store.generation:
            return True
        return self._file_of(store, fingerprint(store)) is not None

    def reload(self, store: Store) -> None:
        """Read again the value of the committed state that another process kept beside
        the store (it replaces the one in memory; `current` also remembers, per
        generation, that none was there)."""
        generation = store.generation
        state = fingerprint(store)
        value = self._read(store, state)
        with self._lock:
            self._missing.pop(store, None)
            if value is not None:
                self._values[store] = _Entry(generation, state, value)

    def keep_beside(self, path: Path, state: str, value: T) -> None:
        """Keep `value` as that of `state` of the store at `path`, from another process
        (one that validated a copy of the store)."""
        target = self._file_beside(path, state)
        if target is not None:
            self._write_file(target, value)

    def _file_of(self, store: Store, state: str) -> Path | None:
        """The file that keeps the value of `state`, when there is one."""
        target = self._file(store, state)
        return target if target is not None and target.is_file() else None

    def _took_file(self, store: Store) -> Path | None:
        target = self._file(store, "took")
        return None if target is None else target.with_suffix(".seconds")

    def _record_took(self, store: Store) -> None:
        mark = self._took_file(store)
        if mark is None or _borrowing(store):
            return
        try:
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.write_text(f"{self._took:.3f}", encoding="ascii")
        except OSError as err:
            LOG.debug("%s: time taken not kept: %s", self.name, err)

    def _latest_kept(self, store: Store) -> tuple[str, T] | None:
        """The state and value of the one file kept for this name, whatever its state."""
        target = self._file(store, "*")
        if target is None:
            return None
        for kept in target.parent.glob(target.name):
            state = kept.stem.rsplit("-", 1)[1]
            value = self._read(store, state)
            if value is not None:
                return state, value
        return None

    def _read(self, store: Store, state: str) -> T | None:
        target = self._file_of(store, state)
        if target is None:
            return None
        try:
            with target.open("rb") as handle:
                value: T = pickle.load(handle)  # noqa: S301 - written by qagraph beside its store
                return value
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
            return None

    def _write(self, store: Store, state: str, value: T) -> None:
        target = self._file(store, state)
        if target is not None and not _borrowing(store):
            self._write_file(target, value)

    def _write_file(self, target: Path, value: T) -> None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=target.parent, delete=False) as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, target)
            prefix = target.name.rsplit("-", 1)[0] + "-"
            for old in target.parent.glob(prefix + "*.pickle"):
                if old != target:
                    old.unlink(missing_ok=True)
        except (OSError, pickle.PickleError, TypeError, AttributeError) as err:
            LOG.debug("%s not kept: %s", self.name, err)


class PerState:
    """Small values read from the store, kept by key for its current generation (the
    most recently used `size` of them): what many requests ask again, such as what a
    requirement asks or which profiles a node has. A commit starts afresh; a value
    computed while a commit happened is not kept."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._by_store: weakref.WeakKeyDictionary[Store, tuple[int, OrderedDict[Hashable, object]]] = (
            weakref.WeakKeyDictionary())

    def get(self, store: Store, key: Hashable, compute: Callable[[], T]) -> T:
        generation = store.generation
        with self._lock:
            entry = self._by_store.get(store)
            if entry is None or entry[0] != generation:
                entry = self._by_store[store] = (generation, OrderedDict())
            values = entry[1]
            if key in values:
                values.move_to_end(key)
                return values[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            if self._by_store.get(store) is entry and store.generation == generation:
                values[key] = value
                while len(values) > self.size:
                    values.popitem(last=False)
        return value
