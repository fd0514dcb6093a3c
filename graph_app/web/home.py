"""The home page: what the store holds, by class and by assurance level."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template

from ..core import stats
from ..core.catalogue import KINDS
from ..core.namespaces import compact
from .browse import kind_names, label
from .lists import LISTS
from .store import get_store

bp = Blueprint("home", __name__)


def _summary() -> dict[str, Any]:
    current = stats.summary(get_store(current_app))
    return {
        "classes": [{"class": compact(c), "iri": c, "count": n} for c, n in current.classes],
        "levels": [lc.__dict__ for lc in current.levels],
        "triples": current.triples,
    }


def _counts(classes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The counts by class with human names (plural, in the interface language), each
    linked to its list where there is one."""

    list_of = {kind: name for name, kind in LISTS.items()}
    names = kind_names()
    out = []
    for c in classes:
        kind = KINDS.get(c["iri"])
        name = names[kind][1] if kind in names else label(c["iri"])
        out.append({**c, "name": name, "href": "/" + list_of[kind] if kind in list_of else ""})
    return sorted(out, key=lambda c: not c["href"])  # the things with a list first


@bp.get("/")
def index() -> str:
    summary = _summary()
    return render_template("home.html", counts=_counts(summary["classes"]), **summary)


@bp.get("/favicon.ico")
def favicon() -> Any:
    return current_app.send_static_file("favicon.svg")


@bp.get("/index.json")
def index_json() -> Any:
    return jsonify(_summary())


def init_app(app: Flask) -> None:
    stats.keep_up_to_date(get_store(app))
    app.register_blueprint(bp)
