"""The graph view: the neighbourhood of a node, drawn with Cytoscape.js; a click on a node
expands it. The same data is at /graph.json, and without JavaScript the page lists it."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request
from flask_babel import gettext as _

from ..core import entity as core
from ..core.namespaces import RDF, compact
from .browse import base_iri, cat, href, kind_names, label, store

bp = Blueprint("graphview", __name__)

IN_LIMIT = 15
SKIP = {RDF + "type"}


def _node(iri: str) -> dict[str, Any]:
    catalogue = cat()
    entry = catalogue.entries.get(iri)
    levels = sorted(entry.facets.get("level", ())) if entry else []
    best = min(levels, key=lambda v: catalogue.ranks.get(v, 99)) if levels else ""
    kind = entry.kind if entry else "other"
    return {"id": iri, "label": label(iri), "kind": kind,
            "kind_name": kind_names().get(kind, (_("Other"), ""))[0],
            "level": catalogue.notations.get(best, "") if best else "", "href": href(iri)}


def neighbourhood(iri: str) -> dict[str, Any]:
    """Nodes and edges around `iri`: its links to other nodes (both ways; incoming at
    most IN_LIMIT per property, with the full count)."""
    s = store()
    nodes: dict[str, dict[str, Any]] = {iri: _node(iri)}
    edges: list[dict[str, Any]] = []
    for st in core.outgoing(s, iri):
        if st.predicate in SKIP or not isinstance(st.value, ox.NamedNode):
            continue
        target = st.value.value
        known = cat()
        if not (target in known.labels or target in known.entries or target.startswith(base_iri())):
            continue  # a web page (source, homepage), not a node of the graph
        nodes.setdefault(target, _node(target))
        edges.append({"id": f"{iri} {st.predicate} {target}", "source": iri, "target": target,
                      "relation": compact(st.predicate), "label": label(st.predicate)})
    more = []
    for grp in core.incoming(s, iri, limit=IN_LIMIT):
        if grp.predicate in SKIP:
            continue
        for subject in grp.subjects:
            nodes.setdefault(subject, _node(subject))
            edges.append({"id": f"{subject} {grp.predicate} {iri}", "source": subject, "target": iri,
                          "relation": compact(grp.predicate), "label": label(grp.predicate)})
        if grp.count > len(grp.subjects):
            more.append({"relation": compact(grp.predicate), "label": label(grp.predicate),
                         "shown": len(grp.subjects), "count": grp.count})
    return {"center": iri, "nodes": list(nodes.values()), "edges": edges, "more": more}


def _iri() -> str:
    iri = request.args.get("iri", "").strip()
    try:
        if not iri or not core.exists(store(), iri):
            abort(404)
    except ValueError:
        abort(404)
    return iri


def _filtered(data: dict[str, Any]) -> dict[str, Any]:
    """Keep only the edges of the relation kinds asked for (?relation=qa:issuer, …) and
    the nodes they touch; all of them when none is asked for."""
    chosen = set(request.args.getlist("relation"))
    if not chosen:
        return data
    edges = [e for e in data["edges"] if e["relation"] in chosen]
    keep = {data["center"]} | {e["source"] for e in edges} | {e["target"] for e in edges}
    return {**data, "edges": edges, "nodes": [n for n in data["nodes"] if n["id"] in keep]}


@bp.get("/graph")
def view() -> str:
    data = neighbourhood(_iri())
    relations = sorted({(e["relation"], e["label"]) for e in data["edges"]})
    chosen = set(request.args.getlist("relation")) or {r for r, _label in relations}
    data = _filtered(data)
    kinds = sorted({(n["kind"], n["kind_name"]) for n in data["nodes"]})
    levels = [lv.notation for lv in cat().levels()]
    return render_template("graph.html", relations=relations, chosen=chosen, kinds=kinds,
                           levels=levels, **data)


@bp.get("/graph.json")
def data() -> Response:
    return jsonify({"ok": True, **_filtered(neighbourhood(_iri()))})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

