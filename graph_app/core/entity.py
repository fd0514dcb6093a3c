"""What an entity page shows of one node: its statements with their sources, incoming
relations counted per property and paged, equivalents with SSSOM metadata, and its
description as RDF. Its validation results come from core/node_validation.py."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import queries
from .derived import PerState
from .namespaces import OWL, PREFIXES, RDF, SKOS
from .store import Store

Term = ox.NamedNode | ox.BlankNode | ox.Literal

FORMATS: dict[str, tuple[ox.RdfFormat, str]] = {
    "ttl": (ox.RdfFormat.TURTLE, "text/turtle"),
    "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
    "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
    "rdf": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
}


@dataclass(frozen=True)
class Statement:
    predicate: str
    value: Term
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Incoming:
    predicate: str
    count: int
    subjects: tuple[str, ...]
    offset: int


@dataclass
class Equivalent:
    direction: str
    predicate: str
    other: str
    justification: str = ""
    author: list[str] = field(default_factory=list)
    date: str = ""
    confidence: str = ""
    comment: str = ""




def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _solutions(store: Store, name: str, iri: str, text: str | None = None,
               **more: Term) -> ox.QuerySolutions:
    result = store.query(text or queries.load(name).text, bindings={"node": _node(iri), **more})
    assert isinstance(result, ox.QuerySolutions)
    return result


def exists(store: Store, iri: str) -> bool:
    result = store.query(queries.load("entity-exists").text, bindings={"node": _node(iri)})
    return bool(result)


_source_names: weakref.WeakKeyDictionary[Store, tuple[int, dict[str, str]]] = weakref.WeakKeyDictionary()


def source_names(store: Store) -> dict[str, str]:
    """Graph IRI -> source name of the committed sources, read once per generation."""
    known = _source_names.get(store)
    if known is None or known[0] != store.generation:
        known = (store.generation, {g.value: name for name, g in store.current_graphs().items()})
        _source_names[store] = known
    return known[1]


def outgoing(store: Store, iri: str) -> list[Statement]:
    """The node's statements; each names the sources (loaded files) that say it."""
    names = source_names(store)
    found: OrderedDict[tuple[str, Term], list[str]] = OrderedDict()
    for row in _solutions(store, "entity-out", iri):
        source = names.get(row["g"].value)
        if source is None:
            continue
        found.setdefault((row["p"].value, row["o"]), []).append(source)
    return [Statement(p, o, tuple(sorted(set(s)))) for (p, o), s in found.items()]


def types(statements: Iterable[Statement]) -> list[str]:
    return [s.value.value for s in statements if s.predicate == RDF + "type"]


def incoming(store: Store, iri: str, *, limit: int = 20,
             page_of: str | None = None, offset: int = 0) -> list[Incoming]:
    """Incoming relations per property: the count and one page of subjects (the first,
    or the page at `offset` for the property `page_of`)."""
    out = []
    page_text = queries.load("entity-in-page").text
    for row in _solutions(store, "entity-in-counts", iri):
        prop, count = row["p"].value, int(row["n"].value)
        start = offset if prop == page_of else 0
        start = max(0, min(start, max(count - 1, 0)))
        text = f"{page_text}\nLIMIT {int(limit)} OFFSET {int(start)}"
        subjects = tuple(r["s"].value for r in _solutions(store, "", iri, text, p=_node(prop))
                         if isinstance(r["s"], ox.NamedNode))
        out.append(Incoming(prop, count, subjects, start))
    return out


def labels_for(store: Store, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """Labels (language -> text) of the given nodes, straight from the store."""
    nodes = sorted({i for i in iris if i})
    labels: dict[str, dict[str, str]] = {}
    if not nodes:
        return labels
    text = queries.with_values(queries.load("entity-labels").text, "node", [_node(i) for i in nodes])
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        lit = row["label"]
        labels.setdefault(row["node"].value, {}).setdefault(lit.language or "", lit.value)
    return labels


_MAPPING = ("VALUES ?p { " + " ".join(f"<{SKOS}{name}Match>" for name in ("exact", "close", "broad", "narrow",
                                                                           "related")) + " }")
# The VALUES block in each branch: Virtuoso 7 does not join one before a UNION with its branches.
MAPPED = (f"SELECT DISTINCT ?n WHERE {{ {{ {_MAPPING} ?n ?p ?x }} UNION {{ {_MAPPING} ?x ?p ?n }} "
          f"UNION {{ {_MAPPING} ?r <{OWL}annotatedSource> ?n ; <{OWL}annotatedProperty> ?p }} "
          f"UNION {{ {_MAPPING} ?r <{OWL}annotatedTarget> ?n ; <{OWL}annotatedProperty> ?p }} }}")
_MAPPED: PerState = PerState(4)


def mapped(store: Store) -> frozenset[str]:
    """Every node that a mapping statement or an SSSOM record names (a superset of the
    nodes with equivalents), read once per state of the store: most pages have none, and
    the query of a node's equivalents costs about 1.5 ms at 1M triples."""
    def read() -> frozenset[str]:
        result = store.query(MAPPED)
        assert isinstance(result, ox.QuerySolutions)
        return frozenset(row["n"].value for row in result if isinstance(row["n"], ox.NamedNode))

    found: frozenset[str] = _MAPPED.get(store, "mapped", read)
    return found


def equivalents(store: Store, iri: str) -> list[Equivalent]:
    """Mappings from and to the node, one per direction, property and other node."""
    found: dict[tuple[str, str, str], Equivalent] = {}
    if iri not in mapped(store):
        return []
    for row in _solutions(store, "entity-equivalents", iri):
        other = row["other"]
        key = (row["direction"].value, row["p"].value, other.value)
        eq = found.setdefault(key, Equivalent(*key))
        for name in ("justification", "date", "confidence", "comment"):
            term = row[name]
            if term is not None and not getattr(eq, name):
                setattr(eq, name, term.value)
        if row["author"] is not None and row["author"].value not in eq.author:
            eq.author.append(row["author"].value)
    return sorted(found.values(), key=lambda e: (e.direction != "out", e.predicate, e.other))




def description(store: Store, iri: str) -> list[ox.Triple]:
    result = store.query(queries.load("entity-describe").text, bindings={"node": _node(iri)})
    return list(result)  # type: ignore[arg-type]


def serialise(triples: Sequence[ox.Triple], ext: str) -> bytes:
    fmt = FORMATS[ext][0]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert data is not None
    return data
