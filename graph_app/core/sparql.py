"""SPARQL endpoint logic that does not depend on the web: result formats, their names,
and rendering a result within the row cap.

What a query may do is decided in ``sparql_guard`` (rdflib's parser); which graphs it
sees in ``sparql_dataset``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from .errors import ResultNotAcceptable
from .namespaces import GRAPH_BASE

SOURCE_GRAPH_BASE = GRAPH_BASE + "source/"
# The link a truncated result carries in its head (the "link" of SPARQL JSON results, the
# <link> of SPARQL XML results: both formats' own place for metadata about a result).
TRUNCATED_LINK = "https://w3id.org/qagraph/sparql#truncated"

# Media types, in the order the endpoint prefers them.
SOLUTION_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# Further names clients use for the same formats.
ALIASES: dict[str, str] = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json+ld": "application/ld+json",
    "application/x-json+ld": "application/ld+json",
    "application/turtle": "text/turtle",
    "text/n3": "text/turtle",
    "text/rdf+n3": "text/turtle",
}
# Short names for the `format` parameter.
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "ntriples": (None, "application/n-triples"),
    "n-triples": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "json-ld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
    "rdf": (None, "application/rdf+xml"),
    # as SPARQLWrapper and other clients name them
    "rdf+xml": (None, "application/rdf+xml"),
    "n3": (None, "text/turtle"),
    "sparql-results+json": ("application/sparql-results+json", None),
    "sparql-results+xml": ("application/sparql-results+xml", None),
}


def source_graph_iri(name: str) -> str:
    """The stable IRI of source `name`'s graph."""
    return SOURCE_GRAPH_BASE + name


def canonical_type(media_type: str) -> str:
    return ALIASES.get(media_type, media_type)


@dataclass
class Rendered:
    """A query result, serialised."""

    kind: str  # "solutions", "boolean" or "graph"
    media_type: str
    body: bytes
    rows: int = 0
    truncated: bool = False


@dataclass(frozen=True)
class SolutionsDocument:
    """A SELECT answer as a server sent it: a whole SPARQL XML results document (repaired
    where the server departs from the standards) with at most `rows` solutions, a number
    no more than the row limit (see RemoteStore.select_document for how it is counted)."""

    document: bytes
    rows: int


@dataclass(frozen=True)
class Negotiated:
    """The media type chosen for each kind of result (None: the client accepts none)."""

    solutions: str | None
    boolean: str | None
    graph: str | None


def render(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple] | SolutionsDocument,
    chosen: Negotiated,
    row_limit: int,
    hidden: frozenset[str] = frozenset(),
) -> Rendered:
    """Serialise `result` with pyoxigraph's own serialisers. At most `row_limit` rows (or
    triples) are read from the engine, plus one to know whether there were more: the row
    cap limits the work, not only the output. Variables in `hidden` are left out.

    A server's answer (`SolutionsDocument`) within the row limit, with nothing hidden, is
    sent as it is to a client that asks for SPARQL XML results, and converted by
    pyoxigraph in one step for JSON and CSV; any other goes the way of every result."""
    if isinstance(result, SolutionsDocument):
        if chosen.solutions is None:
            raise ResultNotAcceptable("solutions")
        fmt = SOLUTION_TYPES[chosen.solutions]
        if result.rows <= row_limit and not hidden and fmt == ox.QueryResultsFormat.XML:
            return Rendered("solutions", chosen.solutions, result.document, result.rows)
        parsed = ox.parse_query_results(result.document, ox.QueryResultsFormat.XML)
        if not isinstance(parsed, ox.QuerySolutions):
            raise ValueError("a SELECT query was not answered with solutions")
        if result.rows <= row_limit and not hidden and fmt != ox.QueryResultsFormat.TSV:
            # (TSV is written below, as for every other result)
            return Rendered("solutions", chosen.solutions, parsed.serialize(format=fmt) or b"", result.rows)
        return _render_solutions(parsed, chosen.solutions, row_limit, hidden)
    if isinstance(result, ox.QueryBoolean):
        if chosen.boolean is None:
            raise ResultNotAcceptable("boolean")
        body = result.serialize(format=SOLUTION_TYPES[chosen.boolean]) or b""
        return Rendered("boolean", chosen.boolean, body, 1)
    if isinstance(result, ox.QuerySolutions):
        if chosen.solutions is None:
            raise ResultNotAcceptable("solutions")
        return _render_solutions(result, chosen.solutions, row_limit, hidden)
    if chosen.graph is None:
        raise ResultNotAcceptable("graph")
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) >= row_limit:
            truncated = True
            break
        triples.append(triple)
    body = ox.serialize(triples, format=GRAPH_TYPES[chosen.graph]) or b""
    return Rendered("graph", chosen.graph, body, len(triples), truncated)


def _render_solutions(
    result: ox.QuerySolutions, media_type: str, row_limit: int, hidden: frozenset[str]
) -> Rendered:
    # The first row_limit solutions are written as SPARQL TSV (each term in its N-Triples
    # form, which escapes tabs and line breaks), and pyoxigraph parses that and writes the
    # format asked for.
    # A solution iterates its values in the order of the variables (None when unbound),
    # which is much quicker than looking each up by its variable.
    shown = [i for i, v in enumerate(result.variables) if v.value not in hidden]
    lines = ["\t".join(str(result.variables[i]) for i in shown)]
    for solution in islice(result, row_limit + 1):
        values = tuple(solution)
        lines.append("\t".join([_tsv_term(values[i]) for i in shown]))
    truncated = len(lines) > row_limit + 1
    if truncated:
        lines.pop()
    rows = len(lines) - 1
    tsv = ("\n".join(lines) + "\n").encode("utf-8")
    fmt = SOLUTION_TYPES[media_type]
    if fmt == ox.QueryResultsFormat.TSV:
        body = tsv
    else:
        body = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=fmt) or b""
    if truncated and fmt == ox.QueryResultsFormat.JSON:
        # The flag inside the document too (clients that never see HTTP headers): a link
        # in the head, and two top-level members.
        end = body.index(b"]", body.index(b'"vars":['))
        body = body[: end + 1] + b',"link":["' + TRUNCATED_LINK.encode() + b'"]' + body[end + 1 : -1]
        body += b',"truncated":true,"rowLimit":' + str(row_limit).encode() + b"}"
    elif truncated and fmt == ox.QueryResultsFormat.XML:
        # A <link> in the head: the results format's own place for metadata.
        body = body.replace(b"</head>", b'<link href="' + TRUNCATED_LINK.encode() + b'"/></head>', 1)
    return Rendered("solutions", media_type, body, rows, truncated)


def _tsv_term(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return f"<< {_tsv_term(term.subject)} {_tsv_term(term.predicate)} {_tsv_term(term.object)} >>"
    return str(term)
