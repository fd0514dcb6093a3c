"""A page reader's process (``python -m graph_app.web.page_reader``): the settings from
the server, then pages to render from read-only copies of the store (web/page_readers.py,
decision 0011)."""

from __future__ import annotations

import multiprocessing.connection
import os
import sys
from pathlib import Path
from typing import Any

from ..core.background_validation import exit_with_parent
from ..core.store import OxigraphStore


def reader_main(conn: multiprocessing.connection.Connection, nice: int) -> None:
    """A reader's loop: the settings first, then PageJob in, ("ok", (html, keep)) out."""
    if nice:
        os.nice(nice)
    settings = conn.recv()
    exit_with_parent()  # a killed server leaves no reader behind
    from ..core.validation import shapes_model
    from . import entity
    from .app import create_app

    shapes_model()  # read the compiled shapes before the first page
    conn.send("ready")
    from .server import settle_memory

    opened: dict[str, tuple[OxigraphStore, Any]] = {}
    settled = ""
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            for old in [p for p in opened if p != job.snapshot]:
                opened.pop(old)[0].close()
            if job.snapshot not in opened:
                copy = OxigraphStore(job.snapshot, read_only=True)
                copy.derived_home = Path(job.store)  # the catalogue and reports kept beside the store
                overrides = dict(settings, STORE_OBJECT=copy, BACKGROUND_VALIDATION=False, PAGE_READERS=0)
                opened[job.snapshot] = (copy, create_app(overrides))
            _copy, app = opened[job.snapshot]
            with app.test_request_context(job.path, query_string=job.query,
                                          headers={"Cookie": f"lang={job.lang}"}):
                app.preprocess_request()
                html, keep = entity.render_page(job.iri)
            conn.send(("ok", (html, keep)))
            if job.snapshot != settled:  # the copy's catalogue is read: keep it from the collector
                settled = job.snapshot
                settle_memory()
        except Exception as err:  # noqa: BLE001 - the server renders the page itself
            conn.send(("error", f"{type(err).__name__}: {err}"))


if __name__ == "__main__":
    reader_main(multiprocessing.connection.Connection(int(sys.argv[1])), int(sys.argv[2]))
