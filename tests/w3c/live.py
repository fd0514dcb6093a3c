"""A real HTTP server on 127.0.0.1 for endpoint tests (werkzeug, threaded, in a thread)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from werkzeug.serving import make_server

from graph_app import create_app
from graph_app.core.store import Store


@dataclass
class Live:
    url: str
    app: Any
    store: Store
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
        pool = self.app.extensions.get("qagraph.sparql_pool")
        if pool is not None:
            pool.close()
        self.store.close()


def start(store: Path | dict[str, Any], **config: Any) -> Live:
    """Serve the app on a free port; `store` is the embedded store's folder, or the
    settings of a store (see conftest.store_settings_for)."""
    settings = {"STORE": str(store)} if isinstance(store, Path) else dict(store)
    app = create_app({**settings, "TESTING": True, **config})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    return Live(url, app, app.extensions["qagraph.store"], server, thread)


def load_source(store: Store, name: str, path: Path, fmt: ox.RdfFormat) -> None:
    """Commit a file as a source, directly (test set-up; no validation)."""
    staged = store.stage(name, path.name, "test")
    store.write_staged(staged, _triples(ox.parse(path=str(path), format=fmt)))
    store.commit([staged])


def _triples(quads: Iterable[Any]) -> Iterable[ox.Triple]:
    for q in quads:
        yield ox.Triple(q.subject, q.predicate, q.object)
