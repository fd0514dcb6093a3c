"""The SPARQL endpoint (SPARQL 1.1 Protocol), the Yasgui query editor, the example
research queries as APIs, the service description and the SPARQL guide.

Queries run in worker processes with an enforced time limit (core.sparql_pool); this
module reads the protocol's parameters, negotiates the format and writes the response.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import threading
from typing import Any

import pyoxigraph as ox
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
)
from flask_babel import gettext as _

from loaders import rdf as rdf_loader

from ..core import sparql_examples
from ..core.errors import QagraphError, QueryBusy, ViolationsFound
from ..core.namespaces import META_GRAPH, PREFIXES, SD, VOID, sparql_prologue
from ..core.sparql import (
    ALIASES,
    BOOLEAN_TYPES,
    FORMAT_NAMES,
    GRAPH_TYPES,
    SOLUTION_TYPES,
    Negotiated,
    canonical_type,
    source_graph_iri,
)
from ..core.sparql_pool import Job, QueryPool, bindings_text
from ..core.sparql_sources import source_of, source_triples
from ..core.sparql_update import apply_update, commit_sources
from .security import TooManyAttempts, check_bearer, client_address, read_body, too_many

bp = Blueprint("sparql", __name__)

POOL_KEY = "qagraph.sparql_pool"
_pool_lock = threading.Lock()
ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
ALLOW = "GET, HEAD, POST, OPTIONS"
FORMATS_NS = "http://www.w3.org/ns/formats/"
FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}


def get_pool(app: Flask) -> QueryPool:
    """The app's query pool, started on first use."""
    pool = app.extensions.get(POOL_KEY)
    if pool is None:
        with _pool_lock:
            pool = app.extensions.get(POOL_KEY)
            if pool is None:
                from .app import get_store

                pool = QueryPool(
                    get_store(app),
                    workers=int(app.config["QUERY_WORKERS"]),
                    timeout=float(app.config["QUERY_TIMEOUT"]),
                    client_limit=int(app.config["QUERY_CLIENT_LIMIT"]),
                    sandbox=str(app.config["QUERY_SANDBOX"]),
                    nice=int(app.config["QUERY_NICE"]),
                )
                app.extensions[POOL_KEY] = pool
                atexit.register(pool.close)
    assert isinstance(pool, QueryPool)
    return pool


# -- negotiation -------------------------------------------------------------------------


def _choose(offered: list[str], kind: int) -> str | None:
    """The best of `offered` media types for this request: the `format` parameter when it
    names a format (by short name, as clients such as SPARQLWrapper send it, or by media
    type), else Accept with its q-values; None when the client accepts none of them."""
    fmt = (request.values.get("format") or "").strip().lower()
    if fmt in FORMAT_NAMES:
        return FORMAT_NAMES[fmt][kind]
    fmt = ALIASES.get(fmt, fmt)
    if fmt in SOLUTION_TYPES or fmt in GRAPH_TYPES:
        return fmt if fmt in offered else None
    # an unknown `format` falls back to Accept
    accept = request.accept_mimetypes
    if not accept:
        return offered[0]
    candidates = offered + [a for a, c in ALIASES.items() if c in offered]
    best = accept.best_match(candidates)
    return ALIASES.get(best, best) if best else None


def negotiate(solution_types: list[str] | None = None, graph_types: list[str] | None = None) -> Negotiated:
    """The media type for each kind of result; a query's kind is known only once it is
    parsed, in the worker, which picks one of these (or answers 406)."""
    return Negotiated(
        solutions=_choose(solution_types or list(SOLUTION_TYPES), 0),
        boolean=_choose(list(BOOLEAN_TYPES), 0),
        graph=_choose(graph_types or list(GRAPH_TYPES), 1),
    )


def _plain(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(text + "\n", status=status, mimetype="text/plain")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _error(err: QagraphError) -> Response:
    response = _plain(err.http_status, err.text(getattr(g, "lang", "sv")))
    if isinstance(err, QueryBusy):
        response.headers["Retry-After"] = str(err.retry_after)
    return response


def _need_token() -> Response | None:
    """None when the request carries the curator token; else the refusal (403 when
    writes are off, 401, or 429 after too many failures). Checked before any body is read."""
    token = current_app.config.get("CURATOR_TOKEN") or ""
    if not token:
        return _plain(403, _("Writes are turned off on this server."))
    try:
        if check_bearer(token):
            return None
    except TooManyAttempts as err:
        return too_many(err)
    return _plain(401, _("A curator token is needed to write."),
                  {"WWW-Authenticate": 'Bearer realm="qagraph"'})


# -- the endpoint ------------------------------------------------------------------------


@bp.route("/sparql", methods=ALL_METHODS, strict_slashes=False)
def endpoint() -> Response | str:
    if request.method not in {"GET", "HEAD", "POST", "OPTIONS"}:
        return _plain(405, _("Method not allowed; use GET or POST."), {"Allow": ALLOW})
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
                refused = _need_token()  # before the body is read
                if refused is not None:
                    return refused
            if charset not in {"utf-8", "utf8"}:
                return _plain(415, _("Send the query in UTF-8."))
            try:
                body = read_body().decode("utf-8")
            except UnicodeDecodeError:
                return _plain(400, _("The body is not valid UTF-8."))
            (queries if mimetype == "application/sparql-query" else updates).append(body)
        else:
            return _plain(
                415,
                _("Unsupported media type: send application/sparql-query, "
                  "application/sparql-update or a form (application/x-www-form-urlencoded)."),
            )
    elif updates:
        return _plain(400, _("An update must be sent by POST."))
    if len(queries) > 1 or len(updates) > 1:
        return _plain(400, _("Give exactly one query or one update."))
    if queries and updates:
        return _plain(400, _("Give a query or an update, not both."))
    if updates:
        return _update(updates[0])
    if queries:
        return _query(queries[0])
    if request.method == "POST":
        return _plain(400, _("No query given."))
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
    return _run(job)


def _update(text: str) -> Response:
    refused = _need_token()
    if refused is not None:
        return refused
    from .app import get_store

    using = _graph_params("using-graph-uri")
    using_named = _graph_params("using-named-graph-uri")
    try:
        result = apply_update(get_store(current_app), get_pool(current_app), text, using=using,
                              using_named=using_named, base_iri=request.base_url,
                              client=client_address())
    except ViolationsFound as err:
        lang = getattr(g, "lang", "sv")
        lines = [err.text(lang), *err.details(lang)]
        return _plain(err.http_status, "\n".join(lines))
    except QagraphError as err:
        return _error(err)
    return _plain(200, _("Update applied: %(added)s triples added, %(removed)s removed.",
                         added=result.added, removed=result.removed))


# -- Graph Store HTTP Protocol -------------------------------------------------------------


GSP_ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"
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
        return _plain(415, _("Send the graph as Turtle, N-Triples, RDF/XML or JSON-LD."))
    data = read_body()
    try:  # checked for depth and sizes like a loaded file, then parsed
        quads = rdf_loader.parse_checked(data, fmt, base_iri, "body")
    except QagraphError as err:
        return _plain(400, _("The graph could not be read: %(detail)s", detail=err.text(getattr(g, "lang", "sv"))))
    if any(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
        return _plain(400, _("Send one graph: the body names further graphs."))
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    if not triples:
        return _plain(400, _("The body holds no triples; to remove a graph, DELETE it."))
    return triples, hashlib.sha256(data).hexdigest()


@bp.route("/graph-store", methods=ALL_METHODS)
def graph_store() -> Response:
    """SPARQL 1.1 Graph Store HTTP Protocol over source graphs (stable IRIs); with the
    curator token only, and writes go through stage -> validate -> commit."""
    from .app import get_store

    if request.method not in {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}:
        return _plain(405, _("Method not allowed."), {"Allow": GSP_ALLOW})
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": GSP_ALLOW})
    if not current_app.config.get("CURATOR_TOKEN"):
        return _plain(403, _("The graph store is turned off on this server."))
    writing = request.method in {"PUT", "POST", "DELETE"}
    if writing:
        refused = _need_token()  # before the body is read
        if refused is not None:
            return refused
    store = get_store(current_app)
    graphs = request.args.getlist("graph")
    if "default" in request.args and not graphs:
        if writing:
            return _plain(400, _("Write to a source graph, not to the default graph."))
        media = _choose(list(GRAPH_TYPES), 1) or "text/turtle"
        out = io.BytesIO()
        store.dump(out, GRAPH_TYPES[media])
        return Response(out.getvalue(), mimetype=media)
    if len(graphs) != 1:
        return _plain(400, _("Give one graph parameter or the default parameter."))
    try:
        name = source_of(graphs[0])
    except QagraphError as err:
        return _error(err)
    exists = name in store.current_graphs()
    if request.method in {"GET", "HEAD"}:
        if not exists:
            return _plain(404, _("No such graph."))
        chosen = _choose(list(GRAPH_TYPES), 1)
        if chosen is None:
            return _plain(406, _("None of the accepted formats fits a graph."))
        body = ox.serialize(sorted(source_triples(store, name), key=str), format=GRAPH_TYPES[chosen])
        return Response(body or b"", mimetype=chosen)
    if request.method == "DELETE":
        if not exists:
            return _plain(404, _("No such graph."))
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
    except ViolationsFound as err:
        lang = getattr(g, "lang", "sv")
        return _plain(err.http_status, "\n".join([err.text(lang), *err.details(lang)]))
    except QagraphError as err:
        return _error(err)
    return Response(status=204 if exists else 201)


# -- service description and editor -----------------------------------------------------


def _describe_or_editor() -> Response | str:
    # A browser names text/html; a client asking for */* gets the service description.
    html = max((q for m, q in request.accept_mimetypes if m in {"text/html", "application/xhtml+xml"}),
               default=0)
    best_rdf = _choose(list(GRAPH_TYPES), 1)
    rdf_quality = max((q for m, q in request.accept_mimetypes if canonical_type(m) in GRAPH_TYPES),
                      default=0)
    if html and html >= rdf_quality and "format" not in request.values:
        return editor()
    return _service_description(best_rdf or "text/turtle")


def service_description_triples(endpoint_url: str) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint."""
    from .app import get_store

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, rdf_type, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), n(endpoint_url)),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "feature"), n(SD + "EmptyGraphs")),
        ox.Triple(service, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, n(SD + "Dataset")),
        ox.Triple(dataset, n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, rdf_type, n(SD + "Graph")),
        ox.Triple(default_graph, n(VOID + "triples"),
                  ox.Literal(str(get_store(current_app).triple_count()),
                             datatype=n("http://www.w3.org/2001/XMLSchema#integer"))),
    ]
    if current_app.config.get("CURATOR_TOKEN"):
        triples.append(ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Update")))
    for name in FORMAT_IRIS.values():
        triples.append(ox.Triple(service, n(SD + "resultFormat"), n(FORMATS_NS + name)))
    # The dataset's named graphs: each source under its stable IRI, and the metadata graph.
    names = [source_graph_iri(source) for source in sorted(get_store(current_app).current_graphs())]
    for name in [*names, META_GRAPH]:
        named = ox.BlankNode(f"named{len(triples)}")
        triples += [
            ox.Triple(dataset, n(SD + "namedGraph"), named),
            ox.Triple(named, rdf_type, n(SD + "NamedGraph")),
            ox.Triple(named, n(SD + "name"), n(name)),
        ]
    return triples


def _service_description(media_type: str) -> Response:
    triples = service_description_triples(request.base_url)
    body = ox.serialize(triples, format=GRAPH_TYPES[media_type],
                        prefixes={"sd": SD, "void": VOID}
                        if media_type == "text/turtle" else None) or b""
    return Response(body, mimetype=media_type)


def editor() -> str:
    """The Yasgui query editor, with our prefixes and an example loaded."""
    name = request.args.get("example")
    example = None
    if name:
        example = sparql_examples.get(name)
        if example is None:
            abort(404)
    first = example or sparql_examples.all_examples()[0]
    return render_template(
        "sparql_editor.html",
        prefixes=PREFIXES,
        initial_query=first.text_with_prologue(),
        example=example,
        examples=sparql_examples.all_examples(),
    )


@bp.get("/sparql/guide")
def guide() -> str:
    return render_template(
        "sparql_guide.html",
        prefixes=PREFIXES,
        prologue=sparql_prologue(),
        examples=sparql_examples.all_examples(),
    )


# -- example queries as APIs --------------------------------------------------------------


@bp.get("/queries/")
def examples_index() -> str:
    return render_template("sparql_examples.html", examples=sparql_examples.all_examples())


@bp.get("/queries/<name>")
def example_page(name: str) -> str:
    example = sparql_examples.get(name)
    if example is None:
        abort(404)
    return render_template("sparql_example.html", example=example)


@bp.get("/queries/<name>.<ext>")
def example_api(name: str, ext: str) -> Response:
    example = sparql_examples.get(name)
    if example is None or ext not in {"json", "csv", "rq"}:
        abort(404)
    if ext == "rq":
        return Response(example.text, mimetype="application/sparql-query")
    try:
        bindings = example.bind(request.args)
    except QagraphError as err:
        return _error(err)
    media = "application/sparql-results+json" if ext == "json" else "text/csv"
    return _run_fixed(example.text, bindings, media)


def _run_fixed(text: str, bindings: dict[str, Any], media: str) -> Response:
    job = Job(
        query=text,
        base_iri=None,
        default_graphs=None,
        named_graphs=None,
        bindings=bindings_text(bindings),
        chosen=Negotiated(media, None, "text/turtle"),
        row_limit=int(current_app.config["ROW_LIMIT"]),
        trusted=True,
    )
    return _run(job)


def _run(job: Job) -> Response:
    """Run a query job in the worker pool and wrap its rendered result, with the row
    count and the truncation flag as headers."""
    try:
        rendered = get_pool(current_app).run(job, client_address())
    except QagraphError as err:
        return _error(err)
    response = Response(rendered.body, mimetype=rendered.media_type)
    response.headers["X-Result-Rows"] = str(rendered.rows)
    if rendered.truncated:
        response.headers["X-SPARQL-Truncated"] = "true"
        response.headers["X-SPARQL-Row-Limit"] = str(job.row_limit)
    return response


# -- headers --------------------------------------------------------------------------


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    methods = GSP_ALLOW if request.endpoint == "sparql.graph_store" else ALLOW
    response.headers["Access-Control-Allow-Methods"] = methods
    response.headers["Access-Control-Allow-Headers"] = "Accept, Authorization, Content-Type"
    response.headers["Access-Control-Expose-Headers"] = (
        "X-SPARQL-Truncated, X-SPARQL-Row-Limit, X-Result-Rows, Retry-After"
    )
    response.vary.add("Accept")
    return response


bp.after_request(_cors)


def init_app(app: Flask) -> None:
    from . import sparql_data

    app.register_blueprint(bp)
    sparql_data.init_app(app)
