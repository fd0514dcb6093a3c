"""The home page: what the store holds, by class and by assurance level."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template

from ..core import stats
from ..core.namespaces import compact

bp = Blueprint("home", __name__)


def _summary() -> dict[str, Any]:
    from .app import get_store

    current = stats.summary(get_store(current_app))
    return {
        "classes": [{"class": compact(c), "iri": c, "count": n} for c, n in current.classes],
        "levels": [lc.__dict__ for lc in current.levels],
        "triples": current.triples,
    }


@bp.get("/")
def index() -> str:
    return render_template("home.html", **_summary())


@bp.get("/index.json")
def index_json() -> Any:
    return jsonify(_summary())


def init_app(app: Flask) -> None:
    from .app import get_store

    stats.keep_up_to_date(get_store(app))
    app.register_blueprint(bp)
