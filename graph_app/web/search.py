"""Search over labels and alternative labels in every language, ignoring case and
diacritics, grouped by kind; /search.json feeds the autocomplete."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _

from ..core.catalogue import KIND_ORDER
from .browse import cat, href, kind_names, label, lang

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


MAX_LABELS = 500


@bp.get("/labels.json")
def labels() -> Response:
    """Names of the nodes given as ?iri=… (at most MAX_LABELS), in the interface
    language, and the page of each here; the query editor shows results with them."""
    out = {}
    for iri in request.args.getlist("iri")[:MAX_LABELS]:
        if not iri or len(iri) > 2000:
            continue
        out[iri] = {"label": label(iri), "href": href(iri)}
    return jsonify({"ok": True, "labels": out})


def editor_texts() -> dict[str, str]:
    """The query editor's own words (Yasgui is English only), in the interface language;
    sparql-editor.js puts them in place of the English ones."""
    return {
        "Table": _("Table"), "Response": _("Response"), "Chart": _("Chart"),
        "Search": _("Search"), "Search:": _("Search:"), "Filter query results": _("Filter the results"),
        "Previous": _("Previous"), "Next": _("Next"), "First": _("First"), "Last": _("Last"),
        "Showing _START_ to _END_ of _TOTAL_ entries": _("Rows _START_ to _END_ of _TOTAL_"),
        "No data available in table": _("No rows"),
        "Show _MENU_ entries": _("Show _MENU_ rows"),
        "Download result": _("Download the result"), "Run query": _("Run the query"),
        "Query": _("Query"), "Edit endpoint": _("Endpoint"), "Share query": _("Share the query"),
        "Add tab": _("New tab"), "Close tab": _("Close the tab"), "Copy": _("Copy"),
        "Shorten": _("Shorten"), "Fullscreen": _("Full screen"), "Show all": _("Show all"),
        "Simple view": _("Simple view"), "Ellipse": _("Shorten long values"),
        "Results": _("Results"), "results": _("results"), "result": _("result"),
        "Prettify query": _("Tidy the query"), "Show results": _("Show the results"),
        "Page size:": _("Rows per page:"), "_N_ results in _S_ seconds": _("_N_ rows in _S_ seconds"),
    }


def init_app(app: Flask) -> None:
    @app.context_processor
    def editor_context() -> dict[str, Any]:
        return {"editor_texts": editor_texts}

    app.register_blueprint(bp)
