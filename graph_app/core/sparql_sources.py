"""The sources as the SPARQL endpoint sees them: each source's current graph under its
stable IRI (``{GRAPH_BASE}source/{name}``), and what an update changes in them.

An update runs on an in-memory copy of the sources (in a query worker, see
``sparql_pool``); ``sparql_update`` then stages, validates and commits what it changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .errors import InputError, QuerySyntaxError
from .sparql import SOURCE_GRAPH_BASE
from .store import SOURCE_NAME, Store


@dataclass
class UpdateDiff:
    """What an update changed, per source: added and removed triples (N-Triples), and the
    graph each source had in the snapshot the update ran on."""

    added: dict[str, bytes] = field(default_factory=dict)
    removed: dict[str, bytes] = field(default_factory=dict)
    versions: dict[str, str | None] = field(default_factory=dict)


def source_triples(store: Store, name: str) -> set[ox.Triple]:
    """The triples of source `name`'s current graph (empty when there is no such source)."""
    graph = store.current_graphs().get(name)
    if graph is None:
        return set()
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": graph})
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    return set(result)


def source_of(graph_iri: str) -> str:
    """The source name a stable graph IRI stands for; InputError for any other IRI."""
    name = graph_iri[len(SOURCE_GRAPH_BASE):] if graph_iri.startswith(SOURCE_GRAPH_BASE) else ""
    if not SOURCE_NAME.match(name):
        raise InputError("sparql_update_target", base=SOURCE_GRAPH_BASE, graph=graph_iri)
    return name


def diff_update(full: Store, text: str, base_iri: str | None) -> UpdateDiff:
    """Run a checked update on an in-memory copy in which each source's current graph
    appears under its stable IRI; return the triples it added and removed per source."""
    current = full.current_graphs()
    copy = ox.Store()
    before: dict[str, set[ox.Triple]] = {}
    for name in current:
        stable = ox.NamedNode(SOURCE_GRAPH_BASE + name)
        triples = source_triples(full, name)
        before[name] = triples
        copy.extend(ox.Quad(t.subject, t.predicate, t.object, stable) for t in triples)
    try:
        copy.update(text, base_iri=base_iri)
    except SyntaxError as err:
        raise QuerySyntaxError(str(err)) from None
    except (OSError, ValueError) as err:
        raise InputError("sparql_failed", detail=str(err)) from None
    if next(iter(copy.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        raise InputError("sparql_update_target", base=SOURCE_GRAPH_BASE, graph="DEFAULT")
    after: dict[str, set[ox.Triple]] = {}
    for graph in copy.named_graphs():
        iri = graph.value if isinstance(graph, ox.NamedNode) else str(graph)
        triples = {ox.Triple(q.subject, q.predicate, q.object)
                   for q in copy.quads_for_pattern(None, None, None, graph)}
        if triples:
            after[source_of(iri)] = triples
    diff = UpdateDiff()
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, set()), after.get(name, set())
        if old == new:
            continue
        diff.added[name] = ox.serialize(sorted(new - old, key=str), format=ox.RdfFormat.N_TRIPLES) or b""
        diff.removed[name] = ox.serialize(sorted(old - new, key=str), format=ox.RdfFormat.N_TRIPLES) or b""
        diff.versions[name] = current[name].value if name in current else None
    return diff
