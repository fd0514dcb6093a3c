"""The SPARQL endpoint (SPARQL 1.1 Protocol): queries and, for curators, updates at
/sparql; without a query, the editor for a browser and the service description for a
client. The SPARQL routes register here (see sparql_http for what they share).

Queries run in worker processes with an enforced time limit (core.sparql_pool, started by
query_pool); this module reads the protocol's parameters and hands the job on.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Flask, Response, current_app, request
from flask_babel import gettext as _

from ..core.errors import QagraphError
from ..core.sparql import GRAPH_TYPES, canonical_type
from ..core.sparql_pool import Job, bindings_text
from ..core.sparql_update import apply_update
from . import graph_store, sparql_data, sparql_pages
from .query_pool import get_pool, run
from .security import client_address, read_body
from .sparql_auth import need_token
from .sparql_description import service_description
from .sparql_http import ALL_METHODS, ALLOW, bp, choose, error, negotiate, plain
from .store import get_store

# Modules whose routes are on the same blueprint.
ROUTES = (graph_store, sparql_pages)


@bp.route("/sparql", methods=ALL_METHODS, strict_slashes=False)
def endpoint() -> Response | str:
    if request.method not in {"GET", "HEAD", "POST", "OPTIONS"}:
        return plain(405, _("Method not allowed; use GET or POST."), {"Allow": ALLOW})
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ALLOW})
    queries = request.args.getlist("query")
    updates = request.args.getlist("update")
    if request.method == "POST":
        mimetype = request.mimetype
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if mimetype == "application/x-www-form-urlencoded":
            queries += request.form.getlist("query")
            updates += request.form.getlist("update")
        elif mimetype in {"application/sparql-query", "application/sparql-update"}:
            if mimetype == "application/sparql-update":
                refused = need_token()  # before the body is read
                if refused is not None:
                    return refused
            if charset not in {"utf-8", "utf8"}:
                return plain(415, _("Send the query in UTF-8."))
            try:
                body = read_body().decode("utf-8")
            except UnicodeDecodeError:
                return plain(400, _("The body is not valid UTF-8."))
            (queries if mimetype == "application/sparql-query" else updates).append(body)
        else:
            return plain(
                415,
                _("Unsupported media type: send application/sparql-query, "
                  "application/sparql-update or a form (application/x-www-form-urlencoded)."),
            )
    elif updates:
        return plain(400, _("An update must be sent by POST."))
    if len(queries) > 1 or len(updates) > 1:
        return plain(400, _("Give exactly one query or one update."))
    if queries and updates:
        return plain(400, _("Give a query or an update, not both."))
    if updates:
        return _update(updates[0])
    if queries:
        return _query(queries[0])
    if request.method == "POST":
        return plain(400, _("No query given."))
    return _describe_or_editor()


def _graph_params(name: str) -> list[str] | None:
    values = request.args.getlist(name)
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        values += request.form.getlist(name)
    return values or None


def _query(text: str) -> Response:
    return run_query(text, default_graphs=_graph_params("default-graph-uri"),
                     named_graphs=_graph_params("named-graph-uri"))


def run_query(
    text: str,
    *,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    bindings: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] | None = None,
    solution_types: list[str] | None = None,
    graph_types: list[str] | None = None,
) -> Response:
    """Run a client's query in the pool and answer in the negotiated format."""
    job = Job(
        query=text,
        base_iri=request.base_url,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        bindings=bindings_text(bindings or {}),
        chosen=negotiate(solution_types, graph_types),
        row_limit=int(current_app.config["ROW_LIMIT"]),
    )
    return run(job)


def _update(text: str) -> Response:
    refused = need_token()
    if refused is not None:
        return refused
    using = _graph_params("using-graph-uri")
    using_named = _graph_params("using-named-graph-uri")
    try:
        result = apply_update(get_store(current_app), get_pool(current_app), text, using=using,
                              using_named=using_named, base_iri=request.base_url,
                              client=client_address())
    except QagraphError as err:
        return error(err)
    return plain(200, _("Update applied: %(added)s triples added, %(removed)s removed.",
                         added=result.added, removed=result.removed))


def _describe_or_editor() -> Response | str:
    # A browser names text/html; a client asking for */* gets the service description.
    html = max((q for m, q in request.accept_mimetypes if m in {"text/html", "application/xhtml+xml"}),
               default=0)
    best_rdf = choose(list(GRAPH_TYPES), 1)
    rdf_quality = max((q for m, q in request.accept_mimetypes if canonical_type(m) in GRAPH_TYPES),
                      default=0)
    if html and html >= rdf_quality and "format" not in request.values:
        return sparql_pages.editor()
    return service_description(best_rdf or "text/turtle")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    sparql_data.init_app(app)
