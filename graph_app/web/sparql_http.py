"""What the SPARQL routes share: their blueprint, the negotiation of a result's format,
plain-text answers and errors, and the CORS headers of every SPARQL response (the
endpoint, the Graph Store, the example APIs are for clients on other sites)."""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Response, g, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ..core.errors import QagraphError, QueryBusy
from ..core.sparql import (
    ALIASES,
    BOOLEAN_TYPES,
    FORMAT_NAMES,
    GRAPH_TYPES,
    SOLUTION_TYPES,
    Negotiated,
)

bp = Blueprint("sparql", __name__)

ALL_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
ALLOW = "GET, HEAD, POST, OPTIONS"
GSP_ALLOW = "GET, HEAD, PUT, POST, DELETE, OPTIONS"


def choose(offered: list[str], kind: int) -> str | None:
    """The best of `offered` media types for this request: the `format` parameter when it
    names a format (by short name, as clients such as SPARQLWrapper send it, or by media
    type), else Accept with its q-values; None when the client accepts none of them."""
    return _choose(request.values.get("format") or "", request.accept_mimetypes, offered, kind)


def _choose(given: str, accept: MIMEAccept, offered: list[str], kind: int) -> str | None:
    fmt = given.strip().lower()
    if fmt in FORMAT_NAMES:
        return FORMAT_NAMES[fmt][kind]
    fmt = ALIASES.get(fmt, fmt)
    if fmt in SOLUTION_TYPES or fmt in GRAPH_TYPES:
        return fmt if fmt in offered else None
    # an unknown `format` falls back to Accept
    if not accept:
        return offered[0]
    candidates = offered + [a for a, c in ALIASES.items() if c in offered]
    best = accept.best_match(candidates)
    return ALIASES.get(best, best) if best else None


def negotiate(solution_types: list[str] | None = None, graph_types: list[str] | None = None) -> Negotiated:
    """The media type for each kind of result; a query's kind is known only once it is
    parsed, in the worker, which picks one of these (or answers 406)."""
    return _negotiated(request.values.get("format") or "", request.headers.get("Accept", ""),
                       tuple(solution_types or SOLUTION_TYPES), tuple(graph_types or GRAPH_TYPES))


@lru_cache(maxsize=256)
def _negotiated(given: str, accept: str, solution_types: tuple[str, ...],
                graph_types: tuple[str, ...]) -> Negotiated:
    """The same choice for the same `format` and Accept header (clients send the same few
    again and again), made once."""
    mimes = parse_accept_header(accept, MIMEAccept)
    return Negotiated(
        solutions=_choose(given, mimes, list(solution_types), 0),
        boolean=_choose(given, mimes, list(BOOLEAN_TYPES), 0),
        graph=_choose(given, mimes, list(graph_types), 1),
    )


def plain(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    """`text` as a text/plain answer with `status`."""
    response = Response(text + "\n", status=status, mimetype="text/plain")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def error(err: QagraphError) -> Response:
    """An error as a text/plain answer: its message, then one line per problem (each
    violation of a refused write), and Retry-After when the workers are busy."""
    lang = getattr(g, "lang", "sv")
    response = plain(err.http_status, "\n".join([err.text(lang), *err.details(lang)]))
    if isinstance(err, QueryBusy):
        response.headers["Retry-After"] = str(err.retry_after)
    return response


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
