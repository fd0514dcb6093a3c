"""The validation results of one node, for its page: the compiled checks restricted to the
node, run by one background worker, waited for at most a given time, and kept per store
state and day (a commit makes them stale, and so does the date: some rules depend on it);
the last whole validation of the same state, judged today, answers first when there is
one (a server makes one after every commit, in another process:
core/background_validation.py).

The worker validates the nodes asked for while it was busy together, in one run of the
checks restricted to all of them (a run costs its few dozen queries whatever the number
of nodes), and reads the store's class hierarchy once per state of the store: pages seen
for the first time by many visitors at once do not queue behind one another's runs."""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict, deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date

from . import background_validation
from .derived import PerState
from .shacl.engine import subclasses
from .store import Store
from .validation import Result, StoreView, shapes_model, validate_nodes, whole_reports

Key = tuple[int, int, date, str]  # (store token, generation, day judged, node)

_validation_cache: OrderedDict[Key, list[Result]] = OrderedDict()
_validation_lock = threading.Lock()
_pending: dict[Key, Future[list[Result]]] = {}
Job = tuple[Key, Store, str, "Future[list[Result]]"]  # a node waiting for the worker
_queue: deque[Job] = deque()
# One worker: rdflib's SPARQL parser (pyparsing), which pyshacl uses, is not thread-safe,
# and validations must not take every core from the pages.
_validator = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qagraph-validate")
VALIDATION_CACHE_SIZE = 4096
MAX_BATCH = 64  # nodes validated in one run
_hierarchy = PerState(4)


_tokens: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()
_counter = itertools.count(1)


def store_token(store: Store) -> int:
    """A number that names the store for caches (an id() may be reused)."""
    with _validation_lock:
        if store not in _tokens:
            _tokens[store] = next(_counter)
        return _tokens[store]


def class_hierarchy(store: Store) -> Mapping[str, Sequence[str]]:
    """Each class the shapes name with its subclasses in the store, read once per state."""
    model = shapes_model()
    return _hierarchy.get(store, "classes", lambda: subclasses(StoreView(store), model.classes()))


def validate_together(store: Store, nodes: Sequence[str], on: date | None = None) -> dict[str, list[Result]]:
    """Each node's results (judged on `on`, today by default), from one run of the
    compiled checks restricted to the nodes."""
    report = validate_nodes(store, nodes, classes=class_hierarchy(store), on=on)
    found: dict[str, list[Result]] = {node: [] for node in nodes}
    for result in report.results:
        if result.focus in found:
            found[result.focus].append(result)
    return found


_warmed = threading.Event()


def warm_up() -> None:
    """Read the compiled shapes in the validation worker now (once per process), so that
    a freshly started server's first entity page finds them ready and its validation fits
    in the page's wait instead of showing "still running"."""
    if _warmed.is_set():
        return
    _warmed.set()

    def run() -> None:
        shapes_model()

    _validator.submit(run)


def violations(store: Store, iri: str, wait: float | None = None) -> list[Result] | None:
    """SHACL results whose focus is the node: the compiled checks restricted to the node,
    run in the store (a few milliseconds; pySHACL never runs over the store). Waits at most
    `wait` seconds (None: as long as it takes) and returns None when the validation is
    still running; the result is kept until the next commit."""
    whole = whole_reports.current(store, start=False)
    today = date.today()
    if whole is not None and whole.fresh(today):  # a whole validation of this state, today
        return whole.by_focus.get(iri, [])
    background_validation.wanted(store)
    key = (store_token(store), store.generation, today, iri)
    with _validation_lock:
        if key in _validation_cache:
            _validation_cache.move_to_end(key)
            return _validation_cache[key]
        future = _pending.get(key)
        if future is None:
            future = _pending[key] = Future()
            _queue.append((key, store, iri, future))
            _validator.submit(_drain)  # one run per node asked for at most; most find the queue empty
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        return None


def _drain() -> None:
    """Validate the waiting nodes of one store state (up to MAX_BATCH) in one run."""
    with _validation_lock:
        if not _queue:
            return
        first = _queue.popleft()
        batch: list[Job] = [first]
        others: list[Job] = []
        while _queue and len(batch) < MAX_BATCH:
            item = _queue.popleft()
            same = item[1] is first[1] and item[0][1:3] == first[0][1:3]  # store, state and day
            (batch if same else others).append(item)
        _queue.extendleft(reversed(others))
    store = first[1]
    try:
        found = validate_together(store, [iri for _key, _store, iri, _future in batch], on=first[0][2])
    except BaseException as err:  # every waiter hears of it; nothing is kept
        with _validation_lock:
            for key, _store, _iri, _future in batch:
                _pending.pop(key, None)
        for _key, _store, _iri, future in batch:
            future.set_exception(err)
        return
    with _validation_lock:
        for key, _store, iri, _future in batch:
            _pending.pop(key, None)
            _validation_cache[key] = found[iri]
            _validation_cache.move_to_end(key)
        while len(_validation_cache) > VALIDATION_CACHE_SIZE:
            _validation_cache.popitem(last=False)
    for _key, _store, iri, future in batch:
        future.set_result(found[iri])
