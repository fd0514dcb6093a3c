"""The app's store: opened once by the factory (create_app), reached by every part of the
web app through get_store. This module imports no view, so that every view can import it."""

from __future__ import annotations

from flask import Flask

from ..core.store import Store

STORE_KEY = "qagraph.store"


def get_store(app: Flask) -> Store:
    store = app.extensions[STORE_KEY]
    assert isinstance(store, Store)
    return store
