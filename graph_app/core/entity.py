"""What an entity page shows of one node: its statements with their sources, incoming
relations counted per property and paged, equivalents with SSSOM metadata, the levels
of a credential's routes, its validation results, and its description as RDF."""

from __future__ import annotations

import itertools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import queries
from .namespaces import PREFIXES, RDF
from .store import Store
from .validation import Result, shapes_model, validate_nodes, whole_reports

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


@dataclass
class RouteLevel:
    route: str
    level: str
    claimed: str
    issuers: list[str] = field(default_factory=list)


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


def equivalents(store: Store, iri: str) -> list[Equivalent]:
    """Mappings from and to the node, one per direction, property and other node."""
    found: dict[tuple[str, str, str], Equivalent] = {}
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


def route_levels(store: Store, iri: str) -> list[RouteLevel]:
    out: dict[str, RouteLevel] = {}
    for row in _solutions(store, "entity-levels", iri):
        level, claimed, issuer = row["level"], row["claimed"], row["issuer"]
        route = out.setdefault(row["route"].value, RouteLevel(
            row["route"].value, level.value if level is not None else "",
            claimed.value if claimed is not None else ""))
        if issuer is not None and issuer.value not in route.issuers:
            route.issuers.append(issuer.value)
    return list(out.values())


def description(store: Store, iri: str) -> list[ox.Triple]:
    result = store.query(queries.load("entity-describe").text, bindings={"node": _node(iri)})
    return list(result)  # type: ignore[arg-type]


def serialise(triples: Sequence[ox.Triple], ext: str) -> bytes:
    fmt = FORMATS[ext][0]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    assert data is not None
    return data


# -- validation of one node, in memory, cached per store generation ------------------

_validation_cache: OrderedDict[tuple[int, int, str], list[Result]] = OrderedDict()
# Reentrant: a validation that is already done runs its done-callback (_store_result,
# which takes this lock) at once, in the thread that registers it while holding the lock.
_validation_lock = threading.RLock()
_pending: dict[tuple[int, int, str], Future[list[Result]]] = {}
# One worker: rdflib's SPARQL parser (pyparsing), which pyshacl uses, is not thread-safe,
# and validations must not take every core from the pages.
_validator = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qagraph-validate")
VALIDATION_CACHE_SIZE = 4096


_tokens: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()
_counter = itertools.count(1)


def store_token(store: Store) -> int:
    """A number that names the store for caches (an id() may be reused)."""
    return _token(store)


def _token(store: Store) -> int:
    """A number that names the store for the cache (an id() may be reused)."""
    with _validation_lock:
        if store not in _tokens:
            _tokens[store] = next(_counter)
        return _tokens[store]


def _validate_node(store: Store, iri: str) -> list[Result]:
    # The compiled checks restricted to the node, in the store (SHACL compiled to SPARQL).
    return validate_nodes(store, [iri]).for_node(iri)


_warmed = threading.Event()


def warm_up() -> None:
    """Read the compiled shapes in the validation worker now (once per process), so that
    a freshly started server's first entity page finds them ready and its validation fits
    in the page's wait instead of showing "still running"."""
    if _warmed.is_set():
        return
    _warmed.set()

    def run() -> None:
        shapes_model()

    _validator.submit(run)


def violations(store: Store, iri: str, wait: float | None = None) -> list[Result] | None:
    """SHACL results whose focus is the node: the compiled checks restricted to the node,
    run in the store (a few milliseconds; pySHACL never runs over the store). Waits at most
    `wait` seconds (None: as long as it takes) and returns None when the validation is
    still running; the result is cached until the next commit."""
    whole = whole_reports.current(store, start=False)
    if whole is not None:  # the last whole validation of this very state of the store
        return whole.by_focus.get(iri, [])
    key = (_token(store), store.generation, iri)
    with _validation_lock:
        if key in _validation_cache:
            _validation_cache.move_to_end(key)
            return _validation_cache[key]
        future = _pending.get(key)
        if future is None:
            future = _validator.submit(_validate_node, store, iri)
            _pending[key] = future
            future.add_done_callback(lambda f: _store_result(key, f))
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        return None


def _store_result(key: tuple[int, int, str], future: Future[list[Result]]) -> None:
    with _validation_lock:
        _pending.pop(key, None)
        if future.exception() is None:
            _validation_cache[key] = future.result()
            while len(_validation_cache) > VALIDATION_CACHE_SIZE:
                _validation_cache.popitem(last=False)
