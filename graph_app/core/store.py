"""The store: one small interface over the RDF database.

The embedded implementation keeps an Oxigraph database on disk. Each source (a file
loaded under a name) lives in a named graph of its own; the metadata graph records which
graph is the *current* one of each source, with the provenance of its load (PROV-O).

Atomic loads with a non-atomic bulk loader
------------------------------------------
pyoxigraph's ``bulk_load`` is fast but writes in many steps. So a load never writes into
a graph that queries can see. Every load goes into a fresh, versioned named graph that is
first marked *pending* in the metadata graph. Queries read only committed graphs: while
nothing is pending they use Oxigraph's own union of all graphs (the fast path); while a
graph is pending they name the committed graphs explicitly. The commit is one small
SPARQL Update on the metadata graph that makes the new graph current and retires the old
one. Opening the store read-write drops every pending or orphaned graph, which cleans up
after a load that was killed half-way. See docs/decisions/0001-versioned-source-graphs.md.

Cleaning up after a killed load
-------------------------------
A kill during a bulk load leaves the loader's SST files (``bulk-*.sst``) in the store's
folder: Oxigraph ingests them all at the end and deletes them after, so a file left
behind was never part of the database, and once the store is open read-write (RocksDB's
lock is held) nothing else can be writing one. RocksDB also keeps its old info logs
(``LOG.old.*``, one per open). Opening removes both. A graph is dropped in transactions
of ``DROP_BATCH`` quads: ``remove_graph`` is one transaction that held 2.1 GB and took
minutes for a pending graph of 1.5 million triples (bench/crash.py measures both ways).
Every ``FLUSH_EVERY`` quads the deletions are flushed to disk, which keeps RocksDB's
memory tables (else about 1 GB) small; after a large drop the database is compacted, so
that the deleted data stops taking disk space (1.5 GB for a store of 5,000 triples after
a pending graph of 1.5 million was dropped). What stays is Oxigraph's dictionary of the
strings those quads used: it has no garbage collection (a dump and a load into a fresh
store drop it).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

import pyoxigraph as ox

from . import queries
from .errors import InputError
from .namespaces import DCTERMS, GRAPH_BASE, META_GRAPH, PROV, QA, RDF, VOID, XSD

META = ox.NamedNode(META_GRAPH)
_QA_PENDING = ox.NamedNode(QA + "pendingGraph")
_QA_CURRENT = ox.NamedNode(QA + "currentGraph")
_QA_SOURCE_NAME = ox.NamedNode(QA + "sourceName")
_RDF_TYPE = ox.NamedNode(RDF + "type")

SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
DROP_BATCH = 5000  # quads per transaction when a graph is dropped
FLUSH_EVERY = 200_000  # quads dropped between flushes of RocksDB's memory tables
COMPACT_AFTER = 100_000  # quads dropped at once from which the database is compacted
_BULK_LEFTOVERS = "bulk-*.sst"
_OLD_LOGS = "LOG.old*"

Term = ox.NamedNode | ox.BlankNode | ox.Literal
# A CONSTRUCT or DESCRIBE answer is an iterable of triples: pyoxigraph's QueryTriples from
# the embedded store, a list of triples from a server.
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]


@dataclass(frozen=True)
class SourceInfo:
    """A loaded source and the provenance of its current load."""

    name: str
    graph: str
    triples: int
    checksum: str
    loaded_at: str
    file: str
    agent: str


@dataclass
class StagedSource:
    """A source written into a pending graph, not yet visible to queries."""

    name: str
    graph: ox.NamedNode
    file: str
    checksum: str
    triples: int = 0
    # What a loader read but could not map, as (message key, values) for the CLI to say.
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@dataclass
class Recovery:
    """What opening a store removed after interrupted loads."""

    graphs: int = 0  # pending or orphaned graphs dropped
    triples: int = 0  # the quads they held
    files: int = 0  # bulk loader files that were never ingested
    bytes: int = 0  # their size
    logs: int = 0  # old RocksDB info logs (one is left by every open)

    def __bool__(self) -> bool:
        return bool(self.graphs or self.files)


@runtime_checkable
class Store(Protocol):
    """What the rest of qagraph needs of a store: the embedded `OxigraphStore` and the
    remote `core.remote.RemoteStore` (a SPARQL server) both implement it. Code above the
    store calls only these; `fast_aggregates` tells whether whole-store aggregates are
    cheap enough to run per request (a server) or are better kept per generation, and
    `plans_by_statistics` whether the engine plans a query from its data (a server) or
    from the query's shape (Oxigraph: queries are written for that where it matters)."""

    path: Path | None
    read_only: bool
    meta_graph: str
    fast_aggregates: bool
    plans_by_statistics: bool

    @property
    def generation(self) -> int: ...

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        exclude_sources: Sequence[str] = (),
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        staged: Sequence[StagedSource] = (),
        graphs: Sequence[ox.NamedNode] | None = None,
    ) -> QueryResult: ...

    def dataset_graphs(self, exclude_sources: Sequence[str] = (),
                       staged: Sequence[StagedSource] = ()) -> list[ox.NamedNode]: ...

    def current_graphs(self) -> dict[str, ox.NamedNode]: ...

    def has_pending(self) -> bool: ...

    def graph_names(self) -> set[str]: ...

    def sources(self) -> list[SourceInfo]: ...

    def is_empty(self) -> bool: ...

    def stage(self, name: str, file: str, checksum: str) -> StagedSource: ...

    def write_staged(self, staged: StagedSource, triples: Iterable[ox.Triple]) -> None: ...

    def bulk_write_staged(self, staged: StagedSource, path: Path, fmt: ox.RdfFormat) -> None: ...

    def staged_triples(self, staged: StagedSource) -> Iterator[ox.Triple]: ...

    def count_staged(self, staged: StagedSource) -> int: ...

    def commit(self, staged: Sequence[StagedSource], agent: str = "qagraph") -> None: ...

    def discard(self, staged: Sequence[StagedSource]) -> None: ...

    def drop(self, name: str) -> int: ...

    def recover(self) -> list[str]: ...

    def add_commit_hook(self, hook: Callable[[], None]) -> None: ...

    def triple_count(self) -> int: ...

    def graph_size(self, graph: ox.NamedNode) -> int: ...

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, source: str | None = None) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_source_name(name: str) -> str:
    """Return `name` if it may name a source, else raise InputError."""
    if not SOURCE_NAME.match(name):
        raise InputError("bad_source_name", name=name)
    return name


def _now() -> ox.Literal:
    stamp = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    return ox.Literal(stamp, datatype=ox.NamedNode(XSD + "dateTime"))


def source_iri(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{GRAPH_BASE}source/{name}")


def _cannot_open(path: Path, err: OSError) -> InputError:
    """The error for a store folder that cannot be opened: held by another process (the
    store's lock), or not a folder this process can create or read."""
    detail = err.strerror or str(err)
    if "lock" in str(err).lower():
        return InputError("store_locked", path=str(path), detail=str(err))
    return InputError("store_cannot_open", path=str(path), detail=detail)


class OxigraphStore:
    """The embedded store: Oxigraph on disk (or in memory when `path` is None)."""

    meta_graph = META_GRAPH
    # Whole-store aggregates take seconds at 10M triples: pages read them per generation.
    fast_aggregates = False
    # Oxigraph plans by the shape of a query: whole-store validation writes its queries
    # for that (core/shacl/rewrite.py).
    plans_by_statistics = False

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False):
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        # A page reader's copy of the store: the folder of the store it copies, beside
        # which the derived values it reads are kept (core/derived.py).
        self.derived_home: Path | None = None
        self._write_lock = threading.Lock()
        # Bumped by every commit and drop; hooks run after each (e.g. to rebuild caches).
        self.generation = 0
        self._current: tuple[int, dict[str, ox.NamedNode]] | None = None
        self._pending_changes = 0
        self._pending_kept: tuple[int, frozenset[ox.NamedNode]] | None = None
        self._pending_lock = threading.Lock()
        self._commit_hooks: list[Callable[[], None]] = []
        self.last_recovery = Recovery()
        if self.path is None:
            self._db = ox.Store()
        elif read_only:
            try:
                self._db = ox.Store.read_only(str(self.path))
            except OSError as err:
                raise _cannot_open(self.path, err) from err
        else:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
                self._db = ox.Store(str(self.path))
            except OSError as err:
                raise _cannot_open(self.path, err) from err
            self._remove_leftover_files()  # only now: the store's lock is ours
            self.recover()
            if self.last_recovery:
                logging.getLogger(__name__).warning("cleaned up after interrupted loads: %s", self.last_recovery)

    # -- reading -------------------------------------------------------------------

    def _pending(self) -> set[ox.NamedNode]:
        """The pending graphs, read again after each change of their marks (every query
        asks: its dataset is the union of all graphs only while none is pending)."""
        changes = self._pending_changes
        kept = self._pending_kept
        if kept is None or kept[0] != changes:
            found = frozenset(q.object for q in self._db.quads_for_pattern(META, _QA_PENDING, None, META)
                              if isinstance(q.object, ox.NamedNode))
            kept = self._pending_kept = (changes, found)
        return set(kept[1])

    def _pending_marked(self) -> None:
        """After a change of the pending marks (made first: a reader that read the marks
        before it reads them again)."""
        with self._pending_lock:
            self._pending_changes += 1

    def has_pending(self) -> bool:
        """True while a load's graph is staged and not yet committed or discarded."""
        return bool(self._pending())

    def graph_names(self) -> set[str]:
        """Every named graph in the database (current, pending and metadata)."""
        return {g.value for g in self._db.named_graphs() if isinstance(g, ox.NamedNode)}

    def current_graphs(self) -> dict[str, ox.NamedNode]:
        """Map source name -> its current named graph (read once per generation: only a
        commit or a drop changes it, and each bumps the generation after its change)."""
        generation = self.generation
        kept = self._current
        if kept is None or kept[0] != generation:
            kept = self._current = (generation, self._read_current_graphs())
        return dict(kept[1])

    def _read_current_graphs(self) -> dict[str, ox.NamedNode]:
        names: dict[object, str] = {}
        for q in self._db.quads_for_pattern(None, _QA_SOURCE_NAME, None, META):
            if isinstance(q.object, ox.Literal):
                names[q.subject] = q.object.value
        current: dict[str, ox.NamedNode] = {}
        for q in self._db.quads_for_pattern(None, _QA_CURRENT, None, META):
            if q.subject in names and isinstance(q.object, ox.NamedNode):
                current[names[q.subject]] = q.object
        return current

    def _dataset(
        self,
        exclude_sources: Sequence[str],
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        staged: Sequence[StagedSource] = (),
    ) -> dict[str, Any]:
        if staged:
            # The store as a pending load would leave it: the committed graphs (less the
            # sources it replaces) and the staged graphs, for validating the load.
            graphs = self._visible(exclude_sources) + [s.graph for s in staged]
            return {"default_graph": graphs, "named_graphs": graphs}
        if default_graphs is not None or named_graphs is not None:
            # An explicit dataset (SPARQL protocol default-graph-uri / named-graph-uri).
            # A graph that is not committed is an empty graph.
            visible = set(self.current_graphs().values()) | {META}
            empty = ox.NamedNode(GRAPH_BASE + "empty")

            def chosen(given: Sequence[str] | None) -> list[ox.NamedNode]:
                if given is None:
                    return self._visible(exclude_sources)
                return [g for g in map(ox.NamedNode, given) if g in visible] or [empty]

            return {"default_graph": chosen(default_graphs), "named_graphs": chosen(named_graphs)}
        if not exclude_sources and not self._pending():
            return {"use_default_graph_as_union": True}
        committed = self._visible(exclude_sources)
        return {"default_graph": committed, "named_graphs": committed}

    def dataset_graphs(self, exclude_sources: Sequence[str] = (),
                       staged: Sequence[StagedSource] = ()) -> list[ox.NamedNode]:
        """The graphs queries see with these sources left out and these staged graphs
        added, for `query(graphs=...)`; an empty list when that is the union of all graphs
        (nothing left out, and nothing pending but these staged graphs), which Oxigraph
        reads with one index lookup where a list of graphs takes one per graph). A source
        left out that is not in the store (a load of a new source) leaves nothing out."""
        current = self.current_graphs()
        if not any(name in current for name in exclude_sources) and (
                self._pending() <= {s.graph for s in staged}):
            return []
        dataset = self._dataset(exclude_sources, None, None, staged)
        return list(dataset["default_graph"])

    def _visible(self, exclude_sources: Sequence[str] = ()) -> list[ox.NamedNode]:
        current = self.current_graphs()
        return [g for name, g in current.items() if name not in exclude_sources] + [META]

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        exclude_sources: Sequence[str] = (),
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
        timeout: float | None = None,
        staged: Sequence[StagedSource] = (),
        graphs: Sequence[ox.NamedNode] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the committed graphs.

        `bindings` are bound as RDF terms (SEP-0007 substitution): written into the text
        by pyoxigraph as N-Triples terms (`queries.substitute`), never as text of their
        own, or for a blank node given to the store as a term. `exclude_sources` hides sources, e.g. the one a load replaces;
        `staged` adds pending graphs, to see the store as a load would leave it.
        `graphs` gives the dataset as `dataset_graphs` computed it (empty: the union of
        all graphs), for many queries over one view (validation) without reading the
        metadata for each. `timeout` is not enforced here (Oxigraph cannot stop a running
        query): the SPARQL endpoint's worker processes enforce it (core.sparql_pool).
        """
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
        if bindings and not any(isinstance(v, ox.BlankNode) for v in bindings.values()):
            # Written into the text (by pyoxigraph, as N-Triples terms): Oxigraph plans a
            # query from the constants it sees, while a substituted variable counts as
            # unbound for the order of the joins (a credential's recognitions: 2.5 ms
            # from every recognition in the store, 0.04 ms from the credential).
            sparql = queries.substitute(sparql, bindings)  # type: ignore[arg-type]
        elif bindings:  # a blank node cannot be written into a query: bound as a term
            substitutions = {ox.Variable(k): v for k, v in bindings.items()}
        if graphs is not None and not graphs:
            dataset: dict[str, Any] = {"use_default_graph_as_union": True}
        elif graphs is not None:
            dataset = {"default_graph": list(graphs), "named_graphs": list(graphs)}
        else:
            dataset = self._dataset(exclude_sources, default_graphs, named_graphs, staged)
        return self._db.query(
            sparql, base_iri=base_iri, substitutions=substitutions or None, **dataset
        )

    def query_dataset(
        self,
        sparql: str,
        *,
        base_iri: str | None = None,
        bindings: Mapping[str, Term] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Sequence[ox.NamedNode] | None = None,
        named_graphs: Sequence[ox.NamedNode] | None = None,
    ) -> QueryResult:
        """Run a query over a dataset of physical graphs, as chosen by the SPARQL endpoint
        (core.sparql_dataset maps the client's graph names to these)."""
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (bindings or {}).items()
        }
        options: dict[str, Any] = {}
        if use_default_graph_as_union:
            options["use_default_graph_as_union"] = True
        if default_graph is not None:
            options["default_graph"] = list(default_graph)
        if named_graphs is not None:
            options["named_graphs"] = list(named_graphs)
        return self._db.query(sparql, base_iri=base_iri, substitutions=substitutions or None, **options)

    def triple_count(self) -> int:
        """Number of triples in the committed source graphs (metadata excluded)."""
        total = 0
        for graph in self.current_graphs().values():
            total += self.graph_size(graph)
        return total

    def graph_size(self, graph: ox.NamedNode) -> int:
        # COUNT over the one graph, without GROUP BY (a fifth less CPU: 0.35 s per 1M quads)
        result = self._db.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            value = row["n"]
            return int(value.value) if isinstance(value, ox.Literal) else 0
        return 0

    def sources(self) -> list[SourceInfo]:
        """The loaded sources with the provenance of their current load."""
        result = self._db.query(
            queries.load("sources").text,
            substitutions={ox.Variable("meta"): META},
        )
        assert isinstance(result, ox.QuerySolutions)
        out = []
        for row in result:
            out.append(
                SourceInfo(
                    name=_value(row["name"]),
                    graph=_value(row["g"]),
                    triples=int(_value(row["n"])),
                    checksum=_value(row["sum"]),
                    loaded_at=_value(row["at"]),
                    file=_value(row["file"]),
                    agent=_value(row["agent"]) if row["agent"] is not None else "",
                )
            )
        return out

    def is_empty(self) -> bool:
        return not self.current_graphs()

    # -- writing -------------------------------------------------------------------

    def stage(self, name: str, file: str, checksum: str) -> StagedSource:
        """Reserve a fresh pending graph for source `name`."""
        check_source_name(name)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        graph = ox.NamedNode(f"{GRAPH_BASE}{name}/{stamp}-{uuid.uuid4().hex[:8]}")
        self._db.add(ox.Quad(META, _QA_PENDING, graph, META))
        self._pending_marked()
        return StagedSource(name=name, graph=graph, file=file, checksum=checksum)

    def write_staged(self, staged: StagedSource, triples: Iterable[ox.Triple]) -> None:
        """Write triples into the staged (invisible) graph in one transaction."""
        g = staged.graph
        self._db.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)

    def bulk_write_staged(self, staged: StagedSource, path: Path, fmt: ox.RdfFormat) -> None:
        """Bulk-load a file of triples into the staged graph (fast, not atomic: the graph
        stays pending until commit, and is dropped on failure or on recovery)."""
        self._db.bulk_load(path=str(path), format=fmt, to_graph=staged.graph)

    def staged_triples(self, staged: StagedSource) -> Iterator[ox.Triple]:
        for q in self._db.quads_for_pattern(None, None, None, staged.graph):
            yield ox.Triple(q.subject, q.predicate, q.object)

    def count_staged(self, staged: StagedSource) -> int:
        staged.triples = self.graph_size(staged.graph)
        return staged.triples

    def commit(self, staged: Sequence[StagedSource], agent: str = "qagraph") -> None:
        """Make the staged graphs current, in one transaction, then drop the old ones."""
        with self._write_lock:
            current = self.current_graphs()
            now = _now()
            delete: list[ox.Quad] = []
            insert: list[ox.Quad] = []
            retired: list[ox.NamedNode] = []
            for s in staged:
                if not s.triples:
                    self.count_staged(s)
                src = source_iri(s.name)
                old = current.get(s.name)
                if old is not None:
                    delete.append(ox.Quad(src, _QA_CURRENT, old, META))
                    insert.append(ox.Quad(META, _QA_PENDING, old, META))
                    insert.append(ox.Quad(old, ox.NamedNode(PROV + "invalidatedAtTime"), now, META))
                    retired.append(old)
                delete.append(ox.Quad(META, _QA_PENDING, s.graph, META))
                insert.extend(provenance_quads(s, src, now, agent))
            self._db.update(update_text(delete, insert))
            self._pending_marked()
            self._drop_graphs(retired)
        self._committed()

    def discard(self, staged: Sequence[StagedSource]) -> None:
        """Throw staged graphs away; the store is as it was before `stage`."""
        self._drop_graphs([s.graph for s in staged])

    def drop(self, name: str) -> int:
        """Remove a source; returns the number of triples it had."""
        with self._write_lock:
            current = self.current_graphs()
            if name not in current:
                raise InputError("unknown_source", name=name)
            graph = current[name]
            size = self.graph_size(graph)
            delete = [ox.Quad(source_iri(name), _QA_CURRENT, graph, META)]
            insert = [
                ox.Quad(META, _QA_PENDING, graph, META),
                ox.Quad(graph, ox.NamedNode(PROV + "invalidatedAtTime"), _now(), META),
            ]
            self._db.update(update_text(delete, insert))
            self._pending_marked()
            self._drop_graphs([graph])
        self._committed()
        return size

    def add_commit_hook(self, hook: Callable[[], None]) -> None:
        """Call `hook` after every commit and drop (statistics, search index)."""
        self._commit_hooks.append(hook)

    def _committed(self) -> None:
        self.generation += 1
        for hook in self._commit_hooks:
            try:
                hook()
            except Exception:  # the commit has happened: a cache must not undo it
                logging.getLogger(__name__).exception("commit hook failed")

    def _drop_graphs(self, graphs: Sequence[ox.NamedNode | ox.BlankNode]) -> int:
        """Remove graphs (in bounded transactions) and their pending marks; the quads removed."""
        removed = 0
        for graph in graphs:
            removed += self._clear_graph(graph)
            if self._db.contains_named_graph(graph):
                self._db.remove_graph(graph)  # empty by now: a small transaction
            if isinstance(graph, ox.NamedNode):
                self._db.remove(ox.Quad(META, _QA_PENDING, graph, META))
                self._pending_marked()
        self._compact_after(removed)
        return removed

    def _compact_after(self, removed: int) -> None:
        """Compact the database after dropping many quads, when that costs little against
        what it frees (at least a quarter of the committed triples were dropped)."""
        if self.path is None or removed < COMPACT_AFTER:
            return
        committed = sum(info.triples for info in self.sources())
        if removed * 4 >= committed:
            self._db.flush()
            self._db.optimize()

    def _clear_graph(self, graph: ox.NamedNode | ox.BlankNode) -> int:
        """Delete a graph's quads DROP_BATCH at a time, each batch its own transaction, so
        that memory stays bounded whatever the graph's size and a kill loses only one batch.
        The quads are read from one snapshot, while the batches delete them."""
        removed = 0
        for _ in range(2):  # a second pass takes, quad by quad, whatever the first left
            batch: list[ox.Quad] = []
            for quad in self._db.quads_for_pattern(None, None, None, graph):
                batch.append(quad)
                if len(batch) == DROP_BATCH:
                    removed += self._remove_batch(batch)
                    batch = []
                    if removed % FLUSH_EVERY < DROP_BATCH and self.path is not None:
                        self._db.flush()
            removed += self._remove_batch(batch)
            if next(iter(self._db.quads_for_pattern(None, None, None, graph)), None) is None:
                break
        return removed

    def _remove_batch(self, batch: list[ox.Quad]) -> int:
        """Remove quads: one DELETE DATA for those SPARQL can write (named nodes and
        literals), one by one for the rest (blank nodes, triple terms) and on any refusal."""
        plain: list[ox.Quad] = []
        rest: list[ox.Quad] = []
        for quad in batch:
            writable = (isinstance(quad.subject, ox.NamedNode) and isinstance(quad.graph_name, ox.NamedNode)
                        and isinstance(quad.object, ox.NamedNode | ox.Literal))
            (plain if writable else rest).append(quad)
        if plain:
            try:
                self._db.update(update_text(plain, []))
            except (SyntaxError, ValueError, OSError):
                rest = batch
        for quad in rest:
            self._db.remove(quad)
        return len(batch)

    def _remove_leftover_files(self) -> None:
        """Delete the bulk loader's SST files that a killed load never ingested, and
        RocksDB's old info logs; call only while this process holds the store's lock."""
        assert self.path is not None
        for pattern in (_BULK_LEFTOVERS, _OLD_LOGS):
            for file in self.path.glob(pattern):
                try:
                    size = file.stat().st_size
                    file.unlink()
                except OSError:
                    continue
                if pattern == _OLD_LOGS:
                    self.last_recovery.logs += 1
                else:
                    self.last_recovery.files += 1
                    self.last_recovery.bytes += size

    def recover(self) -> list[str]:
        """Drop pending graphs and graphs no source points to (after a crash)."""
        keep = set(self.current_graphs().values()) | {META}
        orphans = [g for g in self._db.named_graphs() if g not in keep]
        named = [g for g in orphans if isinstance(g, ox.NamedNode)]
        self.last_recovery.triples += self._drop_graphs(orphans)
        self.last_recovery.graphs += len(orphans)
        for g in self._pending():
            self._db.remove(ox.Quad(META, _QA_PENDING, g, META))
        self._pending_marked()
        return [g.value for g in named]

    def dump(self, output: IO[bytes], fmt: ox.RdfFormat, source: str | None = None) -> None:
        """Serialise the committed data (or one source) to `output`."""
        if source is not None:
            current = self.current_graphs()
            if source not in current:
                raise InputError("unknown_source", name=source)
            graph = current[source]
            if fmt.supports_datasets:
                quads = self._db.quads_for_pattern(None, None, None, graph)
                ox.serialize(quads, output, fmt)
            else:
                self._db.dump(output, fmt, from_graph=graph)
            return
        graphs = [g for g in self._visible() if g != META]
        quads = (q for g in graphs for q in self._db.quads_for_pattern(None, None, None, g))
        if fmt.supports_datasets:
            ox.serialize(quads, output, fmt)
        else:
            ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), output, fmt)

    def backup(self, target: str | os.PathLike[str], *, metadata: bool = True) -> None:
        """Write a consistent copy of the database to the folder `target` (hard links
        where possible), which `OxigraphStore(target, read_only=True)` can open. Without
        `metadata` the copy leaves the metadata graph out, so that Oxigraph's union of
        all graphs is the union of the sources (the SPARQL endpoint's fast path)."""
        self._db.backup(str(target))
        if not metadata:
            copy = ox.Store(str(target))
            copy.remove_graph(META)
            copy.flush()
            del copy

    def flush(self) -> None:
        if not self.read_only and self.path is not None:
            self._db.flush()

    def optimize(self) -> None:
        """Compact the database files, as a long-serving store's are after its compactions."""
        if not self.read_only:
            self._db.optimize()

    def close(self) -> None:
        if not hasattr(self, "_db"):  # closed already
            return
        self.flush()
        del self._db


def _value(term: object) -> str:
    return getattr(term, "value", "") if term is not None else ""


def provenance_quads(
    s: StagedSource, src: ox.NamedNode, now: ox.Literal, agent: str, meta: ox.NamedNode = META
) -> list[ox.Quad]:
    """PROV-O description of one load (source, file, checksum, time, count, agent)."""
    g = s.graph
    act = ox.NamedNode(g.value + "#load")
    who = ox.NamedNode(f"{GRAPH_BASE}agent/{re.sub(r'[^A-Za-z0-9._-]', '_', agent)}")
    file_entity = ox.NamedNode(f"urn:sha256:{s.checksum}")
    xint = ox.NamedNode(XSD + "integer")
    t = ox.NamedNode
    rows: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (src, _RDF_TYPE, t(QA + "Source")),
        (src, _QA_SOURCE_NAME, ox.Literal(s.name)),
        (src, _QA_CURRENT, g),
        (g, _RDF_TYPE, t(QA + "SourceGraph")),
        (g, _RDF_TYPE, t(PROV + "Entity")),
        (g, t(QA + "source"), src),
        (g, t(QA + "checksum"), ox.Literal(s.checksum)),
        (g, t(DCTERMS + "title"), ox.Literal(s.file)),
        (g, t(VOID + "triples"), ox.Literal(str(s.triples), datatype=xint)),
        (g, t(PROV + "generatedAtTime"), now),
        (g, t(PROV + "wasGeneratedBy"), act),
        (g, t(PROV + "wasDerivedFrom"), file_entity),
        (file_entity, _RDF_TYPE, t(PROV + "Entity")),
        (file_entity, t(DCTERMS + "title"), ox.Literal(s.file)),
        (file_entity, t(QA + "checksum"), ox.Literal(s.checksum)),
        (act, _RDF_TYPE, t(PROV + "Activity")),
        (act, t(PROV + "endedAtTime"), now),
        (act, t(PROV + "used"), file_entity),
        (act, t(PROV + "wasAssociatedWith"), who),
        (who, _RDF_TYPE, t(PROV + "Agent")),
        (who, t(DCTERMS + "title"), ox.Literal(agent)),
    ]
    return [ox.Quad(a, b, c, meta) for a, b, c in rows]


def update_text(delete: Sequence[ox.Quad], insert: Sequence[ox.Quad]) -> str:
    """One SPARQL Update (one transaction) from quads serialised by Oxigraph itself."""

    def block(quads: Sequence[ox.Quad]) -> str:
        return " ".join(f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads)

    parts = []
    if delete:
        parts.append(f"DELETE DATA {{ {block(delete)} }}")
    if insert:
        parts.append(f"INSERT DATA {{ {block(insert)} }}")
    return " ;\n".join(parts)
