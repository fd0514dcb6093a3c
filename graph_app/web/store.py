"""The app's store: opened once by the factory (create_app), reached by every part of the
web app through get_store. This module imports no view, so that every view can import it."""

from __future__ import annotations

from typing import cast

from flask import Flask

from ..core.store import Store

STORE_KEY = "qagraph.store"


def get_store(app: Flask) -> Store:
    # No isinstance() against the runtime-checkable Store protocol here: it inspects every
    # attribute of the protocol (measured: a third of a credential page's CPU), and pages
    # ask for the store hundreds of times each (create_app puts only a Store there).
    return cast(Store, app.extensions[STORE_KEY])
