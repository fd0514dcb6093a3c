"""The validation results of one node, for its page: the compiled checks restricted to the
node, run by one background worker, waited for at most a given time, and kept per store
state (a commit makes them stale); the last whole validation of the same state answers
first when there is one."""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from .store import Store
from .validation import Result, shapes_model, validate_nodes, whole_reports

_validation_cache: OrderedDict[tuple[int, int, str], list[Result]] = OrderedDict()
# Reentrant: a validation that is already done runs its done-callback (_store_result,
# which takes this lock) at once, in the thread that registers it while holding the lock.
_validation_lock = threading.RLock()
_pending: dict[tuple[int, int, str], Future[list[Result]]] = {}
# One worker: rdflib's SPARQL parser (pyparsing), which pyshacl uses, is not thread-safe,
# and validations must not take every core from the pages.
_validator = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qagraph-validate")
VALIDATION_CACHE_SIZE = 4096


_tokens: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()
_counter = itertools.count(1)


def store_token(store: Store) -> int:
    """A number that names the store for caches (an id() may be reused)."""
    return _token(store)


def _token(store: Store) -> int:
    """A number that names the store for the cache (an id() may be reused)."""
    with _validation_lock:
        if store not in _tokens:
            _tokens[store] = next(_counter)
        return _tokens[store]


def _validate_node(store: Store, iri: str) -> list[Result]:
    # The compiled checks restricted to the node, in the store (SHACL compiled to SPARQL).
    return validate_nodes(store, [iri]).for_node(iri)


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
    still running; the result is cached until the next commit."""
    whole = whole_reports.current(store, start=False)
    if whole is not None:  # the last whole validation of this very state of the store
        return whole.by_focus.get(iri, [])
    key = (_token(store), store.generation, iri)
    with _validation_lock:
        if key in _validation_cache:
            _validation_cache.move_to_end(key)
            return _validation_cache[key]
        future = _pending.get(key)
        if future is None:
            future = _validator.submit(_validate_node, store, iri)
            _pending[key] = future
            future.add_done_callback(lambda f: _store_result(key, f))
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        return None


def _store_result(key: tuple[int, int, str], future: Future[list[Result]]) -> None:
    with _validation_lock:
        _pending.pop(key, None)
        if future.exception() is None:
            _validation_cache[key] = future.result()
            while len(_validation_cache) > VALIDATION_CACHE_SIZE:
                _validation_cache.popitem(last=False)
