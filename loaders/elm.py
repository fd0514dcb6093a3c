"""`qagraph load FILE --profile elm`: European Learning Model data (Turtle, TriG, N-Triples,
N-Quads, JSON-LD or RDF/XML) read into qagraph's model through the mapping
`graph_app/core/interchange/elm/import.rq`.

Qualifications, learning achievement specifications, organisations, agents and
accreditations are mapped; anything else (issued credentials, persons, claims, display
parameters) and every property the mapping does not read is reported, item by item. The
named graph of qagraph's own statements that our ELM export writes is taken as it is.
JSON-LD must carry its context inline: remote contexts are never fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from graph_app.core import limits
from graph_app.core.errors import InputError
from graph_app.core.interchange import elm, registers
from graph_app.core.namespaces import compact
from graph_app.core.store import StagedSource, Store
from graph_app.core.terms import to_rdflib, triples_from_graph

from . import rdf
from .registry import register

SYNTAX = {
    ".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD, ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML, ".xml": ox.RdfFormat.RDF_XML,
}


def read(path: Path, base_iri: str) -> tuple[Graph, Graph]:
    """The ELM statements of a file and the statements of its qagraph extension graph."""
    fmt = SYNTAX.get(path.suffix.lower())
    if fmt is None:
        raise InputError("unknown_format", file=str(path), formats=", ".join(sorted(SYNTAX)))
    source, extension = Graph(), Graph()
    with rdf.mapped(path) as buf:
        rdf.check(buf, path.name, fmt, limits.current())  # depth and sizes, as for any RDF load
        try:
            for quad in ox.parse(path=str(path), format=fmt, base_iri=base_iri):
                graph = getattr(quad, "graph_name", None)
                into = extension if isinstance(graph, ox.NamedNode) and graph.value == elm.EXTENSION_GRAPH else source
                into.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        except (SyntaxError, ValueError, MemoryError) as err:
            raise rdf.parser_error(buf, path.name, fmt, err) from None
    return source, extension


@dataclass(frozen=True)
class ElmLoader:
    name: str = "elm"
    extensions: tuple[str, ...] = ()  # chosen by --profile elm, never by the file name
    media_types: tuple[str, ...] = ()
    reads_checksum: bool = True  # its provenance names the input file by its checksum

    def write(self, store: Store, staged: StagedSource, path: Path, base_iri: str) -> None:
        source, extension = read(path, base_iri)
        mapped, skipped = elm.import_graph(source, extension)
        store.write_staged(staged, triples_from_graph(mapped))
        # The input was ELM: mappings to what it described name the register's identifiers.
        store.write_staged(staged, registers.provenance(staged.checksum))
        for item in skipped:
            staged.notes.append(("elm_skipped", {"file": path.name, "node": compact(item.node),
                                                 "what": compact(item.what)}))


register(ElmLoader())
