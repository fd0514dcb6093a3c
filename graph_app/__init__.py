"""qagraph: a knowledge graph of quality-assured competence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application (the one factory; see graph_app.web.app)."""
    from .web.app import create_app as _create_app

    return _create_app(config)
