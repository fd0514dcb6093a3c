"""Search over labels and alternative labels in every language, ignoring case and
diacritics, grouped by kind; /search.json feeds the autocomplete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template, request

from ..core.catalogue import KIND_ORDER
from .browse import cat, href, kind_names, lang

bp = Blueprint("search", __name__)


def _results(limit: int) -> dict[str, Any]:
    query = request.args.get("q", "").strip()[:200]
    kinds = [k for k in request.args.getlist("kind") if k in KIND_ORDER] or None
    hits = cat().search(query, limit=limit, kinds=kinds) if query else []
    names = kind_names()
    groups: dict[str, list[dict[str, str]]] = {}
    language = lang()
    for hit in hits:
        groups.setdefault(hit.entry.kind, []).append(
            {"iri": hit.entry.iri, "label": hit.entry.label(language), "href": href(hit.entry.iri)})
    # hits come best first, so the group holding the best match comes first
    ordered = [{"kind": k, "name": names[k][1], "items": items} for k, items in groups.items()]
    return {"query": query, "count": len(hits), "groups": ordered}


@bp.get("/search")
def page() -> str:
    return render_template("search.html", **_results(200))


@bp.get("/search.json")
def data() -> Response:
    try:
        limit = max(1, min(int(request.args.get("limit", "20")), 200))
    except ValueError:
        limit = 20
    return jsonify({"ok": True, **_results(limit)})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
