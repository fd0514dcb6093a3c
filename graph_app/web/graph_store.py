"""The SPARQL 1.1 Graph Store HTTP Protocol over the source graphs (their stable IRIs):
reading is public where the graph store is on; writes need the curator token and go
through stage -> validate -> commit, like every load."""

from __future__ import annotations

import hashlib
import io

import pyoxigraph as ox
from flask import Response, current_app, g, request
from flask_babel import gettext as _

from loaders import rdf as rdf_loader

from ..core.errors import QagraphError
from ..core.sparql import GRAPH_TYPES
from ..core.sparql_sources import source_of, source_triples
from ..core.sparql_update import commit_sources
from .security import read_body
from .sparql_auth import need_token
from .sparql_http import ALL_METHODS, GSP_ALLOW, bp, choose, error, plain
from .store import get_store

# The media types a Graph Store PUT or POST may send, and how each is parsed: the one
# place that says which graph formats are accepted.
GSP_BODY_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def _graph_body(base_iri: str) -> tuple[set[ox.Triple], str] | Response:
    """The triples of a Graph Store body and its checksum, or the refusal (415 for another
    media type, 400 when it does not parse or holds no triples)."""
    fmt = GSP_BODY_TYPES.get(request.mimetype)
    if fmt is None:
        return plain(415, _("Send the graph as Turtle, N-Triples, RDF/XML or JSON-LD."))
    data = read_body()
    try:  # checked for depth and sizes like a loaded file, then parsed
        quads = rdf_loader.parse_checked(data, fmt, base_iri, "body")
    except QagraphError as err:
        return plain(400, _("The graph could not be read: %(detail)s", detail=err.text(getattr(g, "lang", "sv"))))
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        return plain(400, _("Send one graph: the body names further graphs."))
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    if not triples:
        return plain(400, _("The body holds no triples; to remove a graph, DELETE it."))
    return triples, hashlib.sha256(data).hexdigest()


@bp.route("/graph-store", methods=ALL_METHODS)
def graph_store() -> Response:
    """SPARQL 1.1 Graph Store HTTP Protocol over source graphs (stable IRIs); with the
    curator token only, and writes go through stage -> validate -> commit."""
    if request.method not in {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}:
        return plain(405, _("Method not allowed."), {"Allow": GSP_ALLOW})
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": GSP_ALLOW})
    if not current_app.config.get("CURATOR_TOKEN"):
        return plain(403, _("The graph store is turned off on this server."))
    writing = request.method in {"PUT", "POST", "DELETE"}
    if writing:
        refused = need_token()  # before the body is read
        if refused is not None:
            return refused
    store = get_store(current_app)
    graphs = request.args.getlist("graph")
    if "default" in request.args and not graphs:
        if writing:
            return plain(400, _("Write to a source graph, not to the default graph."))
        media = choose(list(GRAPH_TYPES), 1) or "text/turtle"
        out = io.BytesIO()
        store.dump(out, GRAPH_TYPES[media])
        return Response(out.getvalue(), mimetype=media)
    if len(graphs) != 1:
        return plain(400, _("Give one graph parameter or the default parameter."))
    try:
        name = source_of(graphs[0])
    except QagraphError as err:
        return error(err)
    exists = name in store.current_graphs()
    if request.method in {"GET", "HEAD"}:
        if not exists:
            return plain(404, _("No such graph."))
        chosen = choose(list(GRAPH_TYPES), 1)
        if chosen is None:
            return plain(406, _("None of the accepted formats fits a graph."))
        body = ox.serialize(sorted(source_triples(store, name), key=str), format=GRAPH_TYPES[chosen])
        return Response(body or b"", mimetype=chosen)
    if request.method == "DELETE":
        if not exists:
            return plain(404, _("No such graph."))
        store.drop(name)
        return Response(status=204)
    parsed = _graph_body(graphs[0])
    if isinstance(parsed, Response):
        return parsed
    incoming, checksum = parsed
    contents = incoming if request.method == "PUT" else source_triples(store, name) | incoming
    try:
        commit_sources(store, {name: contents}, "Graph Store HTTP Protocol", checksum,
                       "curator (Graph Store HTTP Protocol)")
    except QagraphError as err:
        return error(err)
    return Response(status=204 if exists else 201)
