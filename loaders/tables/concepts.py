"""The controlled values of concept columns, read from the concept schemes
(ontology/schemes/*.ttl): each concept by notation and by prefLabel in sv and en."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from graph_app.core.namespaces import QA, compact
from graph_app.core.resources import vocabulary_graph

QA_RANK = URIRef(QA + "rank")
QA_STRENGTH = URIRef(QA + "strength")


@dataclass(frozen=True)
class Concept:
    iri: str
    notation: str
    sv: str
    en: str


def _text(value: object) -> str:
    return str(value) if isinstance(value, Literal) else ""


@cache
def concepts(scheme: str) -> tuple[Concept, ...]:
    """The concepts of `scheme`: by rank (levels) or strength (identity methods), else by
    notation."""
    graph = vocabulary_graph()
    found = []
    for iri in graph.subjects(SKOS.inScheme, URIRef(scheme)):
        labels = {lit.language: str(lit) for lit in graph.objects(iri, SKOS.prefLabel)
                  if isinstance(lit, Literal)}
        notation = _text(graph.value(iri, SKOS.notation)) or str(iri).rsplit("/", 1)[-1]
        found.append(Concept(str(iri), notation, labels.get("sv", ""), labels.get("en", "")))
    def order(concept: Concept) -> tuple[int, str]:  # levels by rank, methods by strength
        node = URIRef(concept.iri)
        value = graph.value(node, QA_RANK) or graph.value(node, QA_STRENGTH)
        return (int(value) if isinstance(value, Literal) else 0, concept.notation)

    return tuple(sorted(found, key=order))


@cache
def _lookup(scheme: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for concept in concepts(scheme):
        for key in (concept.sv, concept.en, compact(concept.iri), concept.iri):
            if key:
                table.setdefault(key.casefold(), concept.iri)
        table[concept.notation.casefold()] = concept.iri  # a notation wins over a label
    return table


def resolve(scheme: str, value: str) -> str | None:
    """The concept IRI for a notation, a prefLabel (sv or en) or an IRI; None if unknown."""
    return _lookup(scheme).get(value.strip().casefold())


def notation(scheme: str, iri: str) -> str | None:
    """How the exporter writes a concept: its notation."""
    for concept in concepts(scheme):
        if concept.iri == iri:
            return concept.notation
    return None


def scheme_label(scheme: str, lang: str) -> str:
    graph = vocabulary_graph()
    for lit in graph.objects(URIRef(scheme), SKOS.prefLabel):
        if isinstance(lit, Literal) and lit.language == lang:
            return str(lit)
    return compact(scheme)
