"""The store the settings name: a SPARQL server (core/remote.py) when STORE_URL is set,
else the embedded Oxigraph store (core/store.py). Kept apart from both so that neither
imports the other back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .namespaces import GRAPH_BASE
from .remote import RemoteStore
from .store import OxigraphStore, Store


def open_configured(settings: Mapping[str, Any], *, read_only: bool = False) -> Store:
    """The store the settings name: a SPARQL server when STORE_URL is set, else the
    embedded store in the folder STORE."""
    if settings.get("STORE_URL"):
        return RemoteStore(
            settings["STORE_URL"],
            update_url=settings.get("STORE_UPDATE_URL", ""),
            graph_store_url=settings.get("STORE_GRAPH_STORE_URL", ""),
            user=settings.get("STORE_USER", ""),
            password=settings.get("STORE_PASSWORD", ""),
            auth=settings.get("STORE_AUTH", "digest"),
            graph_base=settings.get("STORE_GRAPH_BASE") or GRAPH_BASE,
            lease=float(settings.get("STORE_LEASE", 600.0)),
            refresh=float(settings.get("STORE_REFRESH", 1.0)),
            read_only=read_only,
        )
    return OxigraphStore(settings["STORE"], read_only=read_only)
