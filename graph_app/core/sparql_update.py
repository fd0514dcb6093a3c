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

from .errors import InputError, ViolationsFound
from .sparql_pool import QueryPool, UpdateJob
from .sparql_sources import source_triples
from .store import StagedSource, Store
from .validation import validate_staged


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


__all__ = ["UpdateResult", "apply_update", "commit_sources"]
