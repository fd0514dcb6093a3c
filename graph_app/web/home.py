"""The home page: what the store holds, by class and by assurance level."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify, render_template

from ..core import stats
from ..core.namespaces import compact

bp = Blueprint("home", __name__)

TEXT = {
    "sv": {"title": "qagraph: kvalitetssäkrad kompetens", "classes": "Innehåll per klass",
           "levels": "Kompetenssäkringsgrader", "class": "Klass", "count": "Antal",
           "level": "Nivå", "routes": "Utfärdandevägar", "credentials": "Meriter",
           "triples": "Tripler i lagret", "switch": "In English", "other": "en",
           "intro": "En kunskapsgraf över certifikat, deras utfärdare, utbildare, examinatorer, "
                    "standarder och kompetenssäkringsgrader i Norden."},
    "en": {"title": "qagraph: quality-assured competence", "classes": "Contents by class",
           "levels": "Assurance levels", "class": "Class", "count": "Count",
           "level": "Level", "routes": "Issuance routes", "credentials": "Credentials",
           "triples": "Triples in the store", "switch": "På svenska", "other": "sv",
           "intro": "A knowledge graph of certificates, their issuers, trainers, examiners, "
                    "standards and assurance levels in the Nordic countries."},
}


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
    return render_template("home.html", t=TEXT[g.lang], lang=g.lang, **_summary())


@bp.get("/index.json")
def index_json() -> Any:
    return jsonify(_summary())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
