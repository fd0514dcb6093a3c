"""Serve the app with gunicorn: one process with several threads.

An on-disk Oxigraph store admits one read-write process, so the server never forks
workers; pyoxigraph releases the GIL while it evaluates, so threads do run in parallel.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, overrides: dict[str, Any], options: dict[str, Any]) -> None:
        self.overrides = overrides
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Built in the worker, after the fork: the store (RocksDB, with threads of its own)
        # must never be opened in the master and inherited through fork().
        from ..core import derived
        from ..core.validation import whole_reports
        from .app import create_app
        from .store import get_store

        app = create_app(self.overrides)
        # the server process only (tests build many apps in one process and freeze nothing)
        # young collections less often: a page makes tens of thousands of short-lived
        # objects (halved the time spent collecting over 1,500 award first views)
        gc.set_threshold(10_000, 10, 10)
        prepare(app)
        whole_reports.current(get_store(app), start=False)  # read now, not by the first page
        settle_memory()  # what the server starts with, before it accepts requests
        derived.after_new_value.append(settle_later)  # and each later state's, beside them
        return app


def prepare(app: Any) -> None:
    """Read the catalogue, the counts and the register forms of every node (which a
    page's Link header lists) before the first request is accepted, so that no
    request waits for them: those of the committed state when a command kept them, else
    those of the state before while the committed state's are computed in the background,
    else (nothing kept at all) computed now. After a commit they are rebuilt in the
    background (core/derived.py). And a whole validation of the committed state starts in
    another process, unless one is kept (BACKGROUND_VALIDATION)."""
    from ..core import catalogue, stats
    from ..core.interchange import profiles
    from .store import get_store

    store = get_store(app)
    catalogue.adopt(store)
    stats.adopt(store)
    profiles.adopt(store)
    if app.config.get("BACKGROUND_VALIDATION", True):
        start_background_validation(app)
    from . import page_readers

    page_readers.start(app, store)


_settling = threading.Lock()


def settle_memory() -> None:
    """Keep the garbage collector's full collections off what the server keeps for a
    state of the store (the catalogue: some 650,000 objects at 1M triples, whose full
    collection took 100–180 ms, every request waiting). After each new value the
    collector collects once and moves every live object out of its reach (`gc.freeze`);
    what is released later goes by reference counting as before. The objects of a
    replaced catalogue that form cycles are collected at the next settling."""
    if not _settling.acquire(blocking=False):
        return
    try:
        gc.unfreeze()
        gc.collect()
        gc.freeze()
    finally:
        _settling.release()


def settle_later() -> None:
    """Settle in a thread of its own, not in the request or the computation that made the
    new value (a full collection of 1M triples' catalogue takes some 150 ms)."""
    threading.Thread(target=settle_memory, name="qagraph-settle", daemon=True).start()


def start_background_validation(app: Any) -> None:
    """Keep a whole validation of every committed state, made in another process
    (core/background_validation.py), for the entity pages' validation panels: a page's
    first view then reads its node's results instead of validating the node."""
    import atexit

    from ..core.background_validation import BackgroundValidation
    from .store import get_store

    keeper = BackgroundValidation(get_store(app), nice=int(app.config.get("BACKGROUND_VALIDATION_NICE", 10)))
    app.extensions["qagraph.background_validation"] = keeper
    atexit.register(keeper.close)
    keeper.start()


def serve(overrides: dict[str, Any], *, host: str, port: int, threads: int, access_log: bool = False) -> None:
    """Serve the app until interrupted; the worker process builds it. Gunicorn itself
    only speaks of warnings and errors (the command prints where the app is), and of each
    request when `access_log` is on."""
    options = {
        "bind": f"{host}:{port}",
        "workers": 1,
        "threads": max(2, threads),
        "worker_class": "gthread",
        "timeout": 120,
        "loglevel": "warning",
        "accesslog": "-" if access_log else None,
    }
    _Server(overrides, options).run()
