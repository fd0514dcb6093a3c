"""The home page: what the store holds, by class and by assurance level."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template

from ..core import stats
from ..core.namespaces import compact

bp = Blueprint("home", __name__)


def _summary() -> dict[str, Any]:
    from .app import get_store

    store = get_store(current_app)
    return {
        "classes": [{"class": compact(c), "iri": c, "count": n} for c, n in stats.class_counts(store)],
        "levels": [lc.__dict__ for lc in stats.level_counts(store)],
        "triples": store.triple_count(),
    }


@bp.get("/")
def index() -> str:
    return render_template("home.html", **_summary())


@bp.get("/index.json")
def index_json() -> Any:
    return jsonify(_summary())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
