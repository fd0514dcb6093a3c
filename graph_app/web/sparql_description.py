"""The SPARQL 1.1 Service Description of the endpoint (what GET /sparql answers a client
that asks for RDF): its languages, features, result formats and the dataset's graphs."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, current_app, request

from ..core.namespaces import META_GRAPH, SD, VOID
from ..core.sparql import GRAPH_TYPES, source_graph_iri
from .store import get_store

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


def service_description_triples(endpoint_url: str) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint."""
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


def service_description(media_type: str) -> Response:
    triples = service_description_triples(request.base_url)
    body = ox.serialize(triples, format=GRAPH_TYPES[media_type],
                        prefixes={"sd": SD, "void": VOID}
                        if media_type == "text/turtle" else None) or b""
    return Response(body, mimetype=media_type)
