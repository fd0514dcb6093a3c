"""Conversion of RDF terms between pyoxigraph (inside the store) and rdflib (at the
edges: SHACL validation, small graphs, serialisation helpers)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node


def to_rdflib(term: object, normalize: bool = True) -> Node:
    """An rdflib term for a pyoxigraph term. With `normalize=False` a literal keeps its
    text exactly as the store has it (rdflib would otherwise rewrite well-typed values
    into their canonical form)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language, normalize=normalize)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=normalize)
    raise TypeError(f"not an RDF term: {term!r}")


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def graph_from_triples(triples: Iterable[object], into: Graph | None = None) -> Graph:
    """Fill an rdflib graph with pyoxigraph triples (or quads: the graph is ignored)."""
    graph = into if into is not None else Graph()
    add = graph.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[attr-defined]
    return graph


def triples_from_graph(graph: Graph) -> list[ox.Triple]:
    """pyoxigraph triples for an rdflib graph."""
    return [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]  # type: ignore[arg-type]


def literal_date(term: object) -> date | None:
    """The date of an xsd:date literal (pyoxigraph or rdflib; a dateTime's day), or None."""
    if isinstance(term, ox.Literal):
        text = term.value
    elif isinstance(term, Literal):
        text = str(term)
    else:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def value_of(row: ox.QuerySolution, name: str) -> str:
    """The lexical value or IRI of a variable of a query solution ("" when unbound)."""
    term = row[name]
    return term.value if term is not None else ""
