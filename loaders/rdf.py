"""Loaders for RDF files: Turtle, TriG, N-Triples, N-Quads, JSON-LD and RDF/XML.

Parsing is Oxigraph's own. Large files of triples go through `bulk_load` into the staged
graph (fast, and invisible to queries until the commit); smaller ones are parsed in
memory and written in one transaction. Quads are folded into the source's graph: a
source is one named graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph_app.core.errors import ParseError, Position
from graph_app.core.store import StagedSource, Store

from .registry import register

BULK_THRESHOLD = 4 * 1024 * 1024  # bytes; larger files of triples are bulk-loaded


def _parse_error(path: Path, err: SyntaxError) -> ParseError:
    detail = str(err.msg if hasattr(err, "msg") else err)
    detail = detail.split(": ", 1)[1] if detail.startswith("Parser error at") and ": " in detail else detail
    return ParseError(Position(path.name, err.lineno, err.offset), detail)


@dataclass(frozen=True)
class RdfLoader:
    name: str
    fmt: ox.RdfFormat
    extensions: tuple[str, ...]
    media_types: tuple[str, ...]

    def write(self, store: Store, staged: StagedSource, path: Path, base_iri: str) -> None:
        try:
            if not self.fmt.supports_datasets and path.stat().st_size > BULK_THRESHOLD:
                store.bulk_write_staged(staged, path, self.fmt)
                return
            parsed = ox.parse(path=str(path), format=self.fmt, base_iri=base_iri)
            store.write_staged(staged, (ox.Triple(q.subject, q.predicate, q.object) for q in parsed))
        except SyntaxError as err:
            raise _parse_error(path, err) from None
        except ValueError as err:  # e.g. an invalid IRI or language tag
            raise ParseError(Position(path.name), str(err)) from None


for _loader in (
    RdfLoader("turtle", ox.RdfFormat.TURTLE, (".ttl",), ("text/turtle",)),
    RdfLoader("trig", ox.RdfFormat.TRIG, (".trig",), ("application/trig",)),
    RdfLoader("ntriples", ox.RdfFormat.N_TRIPLES, (".nt",), ("application/n-triples",)),
    RdfLoader("nquads", ox.RdfFormat.N_QUADS, (".nq",), ("application/n-quads",)),
    RdfLoader("jsonld", ox.RdfFormat.JSON_LD, (".jsonld", ".json"), ("application/ld+json",)),
    RdfLoader("rdfxml", ox.RdfFormat.RDF_XML, (".rdf", ".owl", ".xml"), ("application/rdf+xml",)),
):
    register(_loader)
