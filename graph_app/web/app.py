"""The application factory."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..core.errors import QagraphError
from ..core.settings import load_settings
from ..core.stores import open_configured
from . import (
    browse,
    cards,
    check,
    crosswalk,
    entity,
    graphview,
    home,
    i18n,
    levels,
    lists,
    mappings,
    readable,
    search,
    security,
    sparql,
    vendor,
)
from .store import STORE_KEY

# Each part registers itself; order matters only for i18n, which the others use, and
# security, whose body limits run before any part reads a request.
PARTS = (i18n, security, vendor, home, browse, readable, cards, entity, lists, search, graphview, levels,
         check, sparql, mappings, crosswalk)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides settings (e.g. {"STORE": path})."""
    app = Flask(__name__)
    settings = load_settings(config)
    app.config.update(settings)
    app.config["SECRET_KEY"] = settings["SECRET_KEY"] or secrets.token_hex(32)
    store = config.get("STORE_OBJECT") if config else None
    app.extensions[STORE_KEY] = store if store is not None else open_configured(settings)

    @app.errorhandler(QagraphError)
    def user_error(err: QagraphError) -> Any:
        lang = getattr(g, "lang", "sv")
        body = {"ok": False, "status": err.http_status, "error": err.text(lang),
                "errors": err.details(lang)}
        return jsonify(body), err.http_status

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Any:
        status = err.code or 500
        if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
            return jsonify({"ok": False, "status": status, "error": err.name, "errors": []}), status
        return render_template("error.html", status=status, error=err), status

    for part in PARTS:
        part.init_app(app)
    return app

