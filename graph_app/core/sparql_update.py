"""SPARQL Update by a curator, under the same rules as `qagraph load`.

An update never touches the store directly. It runs on an in-memory copy in which each
source's current graph appears under the source's stable IRI
(``{GRAPH_BASE}source/{name}``). Each source graph the update changed is then staged as a
new version of that source, the staged data is validated against the shapes, and all of
it is committed in one transaction, or, on any violation, thrown away: nothing changes.

Writes may only go to source graphs (an existing source, or a new one named by a stable
IRI); a write to the default graph or to another graph is refused. Protocol-level
`using-graph-uri` / `using-named-graph-uri` cannot be combined with USING or WITH in the
update text (SPARQL 1.1 Protocol, section 2.2.3).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import InputError, QagraphError, ViolationsFound
from .messages import CATALOGUE
from .sparql import SOURCE_GRAPH_BASE, scan
from .sparql_pool import QuerySyntaxError, ServiceRefused
from .store import SOURCE_NAME, StagedSource, Store
from .validation import validate_staged

CATALOGUE.update(
    {
        "sparql_update_target": {
            "sv": "en uppdatering får bara skriva i källgrafer ({base}<namn>), inte i {graph}",
            "en": "an update may only write to source graphs ({base}<name>), not to {graph}",
        },
        "sparql_update_conflict": {
            "sv": "using-graph-uri/using-named-graph-uri kan inte kombineras med USING eller WITH",
            "en": "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH",
        },
        "sparql_update_using": {
            "sv": "using-graph-uri och using-named-graph-uri stöds inte; använd USING i uppdateringen",
            "en": "using-graph-uri and using-named-graph-uri are not supported; use USING in the update",
        },
    }
)

UpdateRefused = ViolationsFound


@dataclass
class UpdateResult:
    sources: list[str]
    added: int
    removed: int


def apply_update(
    store: Store,
    text: str,
    *,
    using: Sequence[str] | None = None,
    using_named: Sequence[str] | None = None,
    base_iri: str | None = None,
    agent: str = "curator (SPARQL Update)",
) -> UpdateResult:
    """Apply a SPARQL Update through stage -> validate -> commit; see the module text."""
    found = scan(text)
    if found.service:
        raise ServiceRefused()
    if using or using_named:
        if found.using:
            raise InputError("sparql_update_conflict")
        raise InputError("sparql_update_using")
    current = store.current_graphs()
    copy = ox.Store()
    before: dict[str, set[ox.Triple]] = {}
    for name in current:
        stable = ox.NamedNode(SOURCE_GRAPH_BASE + name)
        triples = source_triples(store, name)
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
        if not triples:
            continue
        after[source_of(iri)] = triples
    changed = sorted(n for n in set(before) | set(after) if before.get(n, set()) != after.get(n, set()))
    added = sum(len(after.get(n, set()) - before.get(n, set())) for n in changed)
    removed = sum(len(before.get(n, set()) - after.get(n, set())) for n in changed)
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    commit_sources(store, {n: after.get(n, set()) for n in changed}, "SPARQL Update", checksum, agent)
    return UpdateResult(changed, added, removed)


def commit_sources(
    store: Store,
    contents: dict[str, set[ox.Triple]],
    file: str,
    checksum: str,
    agent: str,
) -> None:
    """Make `contents` the new versions of those sources: stage, validate, commit, all or
    nothing (an empty set drops the source). Raises ViolationsFound on any violation."""
    staged: list[StagedSource] = []
    emptied = [n for n, triples in contents.items() if not triples]
    try:
        for name, triples in sorted(contents.items()):
            if not triples:
                continue
            s = store.stage(name, file, checksum)
            staged.append(s)
            store.write_staged(s, triples)
        report = validate_staged(store, staged, replacing=sorted(contents))
        if report.violations:
            raise ViolationsFound(report)
        if staged:
            store.commit(staged, agent=agent)
    except BaseException:
        store.discard(staged)
        raise
    for name in emptied:
        if name in store.current_graphs():
            store.drop(name)


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


__all__ = ["QagraphError", "UpdateRefused", "UpdateResult", "apply_update", "commit_sources",
           "source_of", "source_triples"]
