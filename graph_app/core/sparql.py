"""SPARQL endpoint logic that does not depend on the web: result formats, a lexical scan
of query text (SERVICE, FROM, FROM NAMED), graph names, and the row cap.

Graph names
-----------
Each source lives in a versioned named graph (see the store). Clients may name a source's
graph in `default-graph-uri`, `named-graph-uri`, `FROM` and `FROM NAMED` by its stable IRI
``{GRAPH_BASE}source/{name}`` or by its current versioned IRI. Any other IRI is an empty
graph: nothing is ever fetched from the network.

The scan below is a tokenizer, not a parser: comments, strings and IRIs are recognised as
tokens, so a keyword inside them is never mistaken for one. Pyoxigraph parses the query
itself and reports syntax errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

import pyoxigraph as ox

from .namespaces import GRAPH_BASE

SOURCE_GRAPH_BASE = GRAPH_BASE + "source/"

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
}

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00c0-\uffff]*)?:(?:[\w\-:%.\u00c0-\uffff]|\\.)*)
    | (?P<word>[A-Za-z_][\w\-]*)
    | (?P<other>\S)
    """,
    re.VERBOSE,
)


@dataclass
class Scan:
    """What the tokenizer found in a query or update."""

    service: bool = False
    from_default: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    using: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)


def scan(text: str) -> Scan:
    """Find SERVICE, FROM, FROM NAMED, USING and WITH in `text`, outside strings,
    IRIs and comments; FROM targets come back as absolute IRIs where they can be resolved."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
    tokens = [t for t in tokens if t[0] != "comment"]
    found = Scan()
    base = ""
    i = 0
    while i < len(tokens):
        kind, value = tokens[i]
        upper = value.upper() if kind == "word" else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if upper == "SERVICE":
            found.service = True
        elif upper in {"USING", "WITH"}:
            found.using = True
        elif upper == "BASE" and nxt[0] == "iri":
            base = nxt[1][1:-1]
        elif upper == "PREFIX" and nxt[0] == "pname" and i + 2 < len(tokens):
            if tokens[i + 2][0] == "iri":
                found.prefixes[nxt[1][:-1]] = _resolve(tokens[i + 2][1][1:-1], base)
        elif upper == "FROM":
            target = found.from_default
            j = i + 1
            if nxt[0] == "word" and nxt[1].upper() == "NAMED":
                target = found.from_named
                j += 1
            if j < len(tokens):
                tkind, tval = tokens[j]
                if tkind == "iri":
                    target.append(_resolve(tval[1:-1], base))
                elif tkind == "pname":
                    prefix, _, local = tval.partition(":")
                    if prefix in found.prefixes:
                        target.append(found.prefixes[prefix] + local)
        i += 1
    return found


def _resolve(iri: str, base: str) -> str:
    return urljoin(base, iri) if base else iri


def source_graph_iri(name: str) -> str:
    """The stable IRI of source `name`'s graph."""
    return SOURCE_GRAPH_BASE + name


def resolve_graphs(names: Iterable[str], current: Mapping[str, ox.NamedNode]) -> list[str]:
    """Map stable source graph IRIs to the current versioned graphs; keep others as given
    (the store treats an unknown graph as empty)."""
    out = []
    for name in names:
        if name.startswith(SOURCE_GRAPH_BASE) and name[len(SOURCE_GRAPH_BASE):] in current:
            out.append(current[name[len(SOURCE_GRAPH_BASE):]].value)
        else:
            out.append(name)
    return out


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


class NotAcceptable(Exception):
    """The client accepts no format this kind of result comes in."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def render(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple],
    solution_type: str | None,
    graph_type: str | None,
    row_limit: int,
) -> Rendered:
    """Serialise `result` with pyoxigraph's own serialisers, keeping at most `row_limit`
    rows (or triples)."""
    if isinstance(result, ox.QueryBoolean):
        chosen = solution_type if solution_type in BOOLEAN_TYPES else None
        if chosen is None and solution_type is not None:
            chosen = BOOLEAN_TYPES[0]
        if chosen is None:
            raise NotAcceptable("boolean")
        return Rendered("boolean", chosen, result.serialize(format=SOLUTION_TYPES[chosen]) or b"", 1)
    if isinstance(result, ox.QuerySolutions):
        if solution_type is None:
            raise NotAcceptable("solutions")
        return _render_solutions(result, solution_type, row_limit)
    if graph_type is None:
        raise NotAcceptable("graph")
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) >= row_limit:
            truncated = True
            break
        triples.append(triple)
    body = ox.serialize(triples, format=GRAPH_TYPES[graph_type]) or b""
    return Rendered("graph", graph_type, body, len(triples), truncated)


def _render_solutions(result: ox.QuerySolutions, media_type: str, row_limit: int) -> Rendered:
    # Pyoxigraph writes the whole result as SPARQL TSV (one row a line: line breaks inside
    # literals are escaped), the text is cut after `row_limit` rows, and pyoxigraph parses
    # it back and writes the asked format. Every step runs in pyoxigraph's own code; the
    # worker process and the time limit bound the size.
    tsv = result.serialize(format=ox.QueryResultsFormat.TSV) or b""
    cut = -1
    for _ in range(row_limit + 1):
        cut = tsv.find(b"\n", cut + 1)
        if cut < 0:
            break
    truncated = cut >= 0 and cut + 1 < len(tsv)
    if truncated:
        tsv = tsv[: cut + 1]
    rows = max(0, tsv.count(b"\n") - 1)
    fmt = SOLUTION_TYPES[media_type]
    if fmt == ox.QueryResultsFormat.TSV:
        body = tsv
    else:
        body = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=fmt) or b""
    if truncated and fmt == ox.QueryResultsFormat.JSON:
        # A flag inside the JSON document as well as in the response header.
        body = body[:-1] + b',"truncated":true,"rowLimit":' + str(row_limit).encode() + b"}"
    return Rendered("solutions", media_type, body, rows, truncated)
