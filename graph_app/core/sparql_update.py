"""SPARQL Update by a curator, under the same rules as `qagraph load`.

An update never touches the store directly. It runs on an in-memory copy in which each
source's current graph appears under the source's stable IRI
(``{GRAPH_BASE}source/{name}``). Each source graph the update changed is then staged as a
new version of that source, the staged data is validated against the shapes, and all of
it is committed in one transaction, or, on any violation, thrown away: nothing changes.

Writes may only go to source graphs (an existing source, or a new one named by a stable
IRI); a write to the default graph or to another graph is refused. Protocol-level
`using-graph-uri` / `using-named-graph-uri` are refused (and cannot be combined with
USING or WITH in the update text, SPARQL 1.1 Protocol, section 2.2.3).

The update text is read by rdflib's parser and run in a sandboxed query worker
(``sparql_pool``): ``LOAD`` and ``SERVICE`` are refused, for every curator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph

from .errors import InputError, QuerySyntaxError, ViolationsFound
from .messages import CATALOGUE
from .sparql import SOURCE_GRAPH_BASE
from .sparql_pool import QueryPool, UpdateDiff, UpdateJob
from .store import SOURCE_NAME, StagedSource, Store
from .terms import graph_from_triples
from .validation import validate_staged

CATALOGUE.update(
    {
        "sparql_update_target": {
            "sv": "en uppdatering får bara skriva i källgrafer ({base}<namn>), inte i {graph}",
            "en": "an update may only write to source graphs ({base}<name>), not to {graph}",
        },
    }
)

@dataclass
class UpdateResult:
    sources: list[str]
    added: int
    removed: int


def apply_update(
    store: Store,
    pool: QueryPool,
    text: str,
    *,
    using: Sequence[str] | None = None,
    using_named: Sequence[str] | None = None,
    base_iri: str | None = None,
    agent: str = "curator (SPARQL Update)",
    client: str = "",
) -> UpdateResult:
    """Apply a SPARQL Update through stage -> validate -> commit; see the module text.

    The update is read and run in a query worker (sandboxed, time-limited) on a copy of
    the sources; the server commits what it changed, unless a changed source moved on
    meanwhile."""
    diff = pool.run_update(UpdateJob(text, base_iri, using=bool(using or using_named)), client)
    current = store.current_graphs()
    for name, version in diff.versions.items():
        now = current.get(name)
        if (now.value if now is not None else None) != version:
            raise InputError("sparql_update_stale", name=name)
    contents: dict[str, set[ox.Triple]] = {}
    added = removed = 0
    for name in sorted(diff.versions):
        plus = _triples(diff.added.get(name, b""))
        minus = _triples(diff.removed.get(name, b""))
        contents[name] = (source_triples(store, name) - minus) | plus
        added += len(plus)
        removed += len(minus)
    checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
    commit_sources(store, contents, "SPARQL Update", checksum, agent)
    return UpdateResult(sorted(contents), added, removed)


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


def _triples(data: bytes) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, ox.RdfFormat.N_TRIPLES)}


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
        data = Graph()
        for s in staged:
            graph_from_triples(store.staged_triples(s), into=data)
        report = validate_staged(store, data, replacing=sorted(contents))
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


__all__ = ["UpdateResult", "apply_update", "commit_sources", "source_of", "source_triples"]
