"""Which focus nodes a change can affect: what a load validates.

Each shape reads certain triples around its focus node: the type that makes a node a
target, the values along its paths, the types of those values, what a SPARQL constraint's
patterns reach from $this. `triggers` writes this down once per shape, as pairs of the
predicates a changed triple may have and the way back from that triple to the focus node
(a SPARQL path, "" for the node itself). For a change, the focus nodes to validate are then
found by anchored queries, one start node at a time (a path evaluated from a bound node
touches only its neighbourhood; several start nodes in one VALUES clause can make
Oxigraph evaluate a `*` path from every node of the store, see DESIGN.md).

A trigger that no variable links to $this (`lvl:D qa:rank ?threshold`) is *global*: a
change to such a triple can affect every focus node of the shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.term import Variable

from .compiler import sparql_text
from .model import Path, Shape, ShapesModel, nested_shapes

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


@dataclass(frozen=True)
class Trigger:
    """A changed triple whose predicate is in `predicates` (None: any) can affect the focus
    nodes reached backwards from its subject by `from_subject`, or from its object by
    `from_object` (forward SPARQL paths from the focus node; "" is the node itself, None
    not that end). `everywhere`: it can affect every focus node of the shape."""

    predicates: frozenset[str] | None
    from_subject: str | None = None
    from_object: str | None = None
    everywhere: bool = False

    def matches(self, predicate: str) -> bool:
        return self.predicates is None or predicate in self.predicates


def _join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def _path_triggers(path: Path, prefix: str) -> list[Trigger]:
    """One trigger per step of the path: a changed triple of a step is reached from the
    focus node by the steps before it (SHACL §2.3.1 paths as SPARQL paths)."""
    if path.kind == "iri":
        return [Trigger(frozenset({path.iri}), from_subject=prefix)]
    if path.kind == "inv":
        inner = path.parts[0]
        if inner.kind == "iri":
            return [Trigger(frozenset({inner.iri}), from_object=prefix)]
        return _path_triggers(inner.inverse(), prefix)
    if path.kind == "seq":
        found: list[Trigger] = []
        for k, part in enumerate(path.parts):
            before = "/".join(p.sparql() for p in path.parts[:k])
            found.extend(_path_triggers(part, _join(prefix, before)))
        return found
    if path.kind == "alt":
        return [t for part in path.parts for t in _path_triggers(part, prefix)]
    inner = path.parts[0]
    if path.kind == "zeroOrOne":
        return _path_triggers(inner, prefix)
    return _path_triggers(inner, _join(prefix, f"({inner.sparql()})*"))


def model_path(p: object) -> Path | None:
    """An rdflib SPARQL path (or IRI) as a model path; None for a negated property set."""
    if isinstance(p, URIRef):
        return Path("iri", iri=str(p))
    if isinstance(p, InvPath):
        inner = model_path(p.arg)
        return None if inner is None else Path("inv", parts=(inner,))
    if isinstance(p, (SequencePath, AlternativePath)):
        parts = [model_path(a) for a in p.args]
        if any(x is None for x in parts):
            return None
        return Path("seq" if isinstance(p, SequencePath) else "alt", parts=tuple(parts))  # type: ignore[arg-type]
    if isinstance(p, MulPath):
        inner = model_path(p.path)
        kind = {"*": "zeroOrMore", "+": "oneOrMore", "?": "zeroOrOne"}[p.mod]
        return None if inner is None else Path(kind, parts=(inner,))
    return None


class _Collector:
    def __init__(self) -> None:
        self.found: list[Trigger] = []
        self.stack: set[int] = set()

    def shape(self, shape: Shape, prefix: str) -> None:
        """The triggers of `shape` whose focus node is reached from the root's by `prefix`."""
        if id(shape) in self.stack:
            return
        self.stack.add(id(shape))
        value_prefix = prefix
        if shape.path is not None:
            self.found.extend(_path_triggers(shape.path, prefix))
            value_prefix = _join(prefix, shape.path.sparql())
        for c in shape.constraints:
            comp = c.component
            if comp == "ClassConstraintComponent":
                self.found.append(Trigger(frozenset({RDF_TYPE}), from_subject=value_prefix))
            elif comp in ("EqualsConstraintComponent", "DisjointConstraintComponent",
                          "LessThanConstraintComponent", "LessThanOrEqualsConstraintComponent"):
                self.found.append(Trigger(frozenset({str(c.value)}), from_subject=prefix))
            elif comp == "ClosedConstraintComponent":
                self.found.append(Trigger(None, from_subject=value_prefix))
            for inner in nested_shapes(c):
                self.shape(inner, value_prefix)
            for sibling in c.extra.get("siblings") or []:  # type: ignore[attr-defined]
                self.shape(sibling, value_prefix)
        for prop in shape.properties:
            self.shape(prop, value_prefix)
        for sc in shape.sparql:
            self.sparql(sc.prologue + sparql_text(sc, shape.path), prefix)
        self.stack.discard(id(shape))

    def sparql(self, text: str, prefix: str) -> None:
        """Triggers of a SPARQL constraint: each triple pattern, with the way from $this to
        its ends through the other patterns."""
        from .sparql_check import parsed  # the SPARQL parser, only when triggers are computed

        patterns = _triple_patterns(parsed(text).algebra)
        paths = _paths_from_this(patterns)
        for s, p, o in patterns:
            sub = paths.get(s) if isinstance(s, Variable) else None
            obj = paths.get(o) if isinstance(o, Variable) else None
            path = None if isinstance(p, Variable) else model_path(p)
            if sub is None and obj is None:
                self.found.append(Trigger(_predicates_of(p), everywhere=True))
            elif path is None:
                self.found.append(Trigger(_predicates_of(p),
                                          from_subject=None if sub is None else _join(prefix, sub),
                                          from_object=None if obj is None else _join(prefix, obj)))
            elif sub is not None:
                self.found.extend(_path_triggers(path, _join(prefix, sub)))
            else:
                assert obj is not None
                self.found.extend(_path_triggers(path.inverse(), _join(prefix, obj)))


def _predicates_of(p: object) -> frozenset[str] | None:
    if isinstance(p, Variable):
        return None
    found: set[str] = set()
    todo = [p]
    while todo:
        current = todo.pop()
        if isinstance(current, URIRef):
            found.add(str(current))
        elif isinstance(current, InvPath):
            todo.append(current.arg)
        elif isinstance(current, (SequencePath, AlternativePath)):
            todo.extend(current.args)
        elif isinstance(current, MulPath):
            todo.append(current.path)
        elif isinstance(current, NegatedPath):
            return None
    return frozenset(found)


def _triple_patterns(algebra: object) -> list[tuple[object, object, object]]:
    """Every triple pattern of the query, including those inside EXISTS and OPTIONAL."""
    from rdflib.plugins.sparql.parserutils import CompValue

    from .sparql_check import algebra_nodes, part_of

    found: list[tuple[object, object, object]] = []
    for node in algebra_nodes(algebra):
        if isinstance(node, CompValue) and node.name == "BGP":
            found.extend(tuple(t) for t in part_of(node, "triples") or [])
        for key in ("graph",):
            inner = part_of(node, key)
            if isinstance(inner, CompValue):
                for sub in algebra_nodes(inner):
                    if isinstance(sub, CompValue) and sub.name == "BGP":
                        found.extend(tuple(t) for t in part_of(sub, "triples") or [])
    return list(dict.fromkeys(found))


def _step(p: object, forward: bool) -> str | None:
    path = model_path(p)
    if path is None:
        return None
    return path.sparql() if forward else path.inverse().sparql()


def _paths_from_this(patterns: list[tuple[object, object, object]]) -> dict[Variable, str]:
    """For each variable linked to $this by the patterns, a forward path from $this to it
    (breadth first: the shortest)."""
    this = Variable("this")
    found: dict[Variable, str] = {this: ""}
    frontier = [this]
    while frontier:
        nxt = []
        for var in frontier:
            for s, p, o in patterns:
                if isinstance(p, Variable):
                    continue
                if s == var and isinstance(o, Variable) and o not in found:
                    step = _step(p, True)
                    if step is not None:
                        found[o] = _join(found[var], step)
                        nxt.append(o)
                if o == var and isinstance(s, Variable) and s not in found:
                    step = _step(p, False)
                    if step is not None:
                        found[s] = _join(found[var], step)
                        nxt.append(s)
        frontier = nxt
    return found


def triggers(shape: Shape) -> list[Trigger]:
    """What can affect the focus nodes of a root shape (its targets included)."""
    collector = _Collector()
    t = shape.targets
    if t.classes:
        collector.found.append(Trigger(frozenset({RDF_TYPE}), from_subject=""))
    for p in t.subjects_of:
        collector.found.append(Trigger(frozenset({str(p)}), from_subject=""))
    for p in t.objects_of:
        collector.found.append(Trigger(frozenset({str(p)}), from_object=""))
    collector.shape(shape, "")
    return list(dict.fromkeys(collector.found))


def model_triggers(model: ShapesModel) -> dict[Shape, list[Trigger]]:
    cached = model.plans.get("triggers")
    if not isinstance(cached, dict):
        cached = {root: triggers(root) for root in model.roots}
        model.plans["triggers"] = cached
    return cached


@dataclass
class Affected:
    """What a change can affect: the start points to search focus nodes from, and
    whether a whole validation is needed instead."""

    starts: set[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]
    everything: bool = False
    reason: str = ""


def affected(model: ShapesModel, changed: Iterable[ox.Triple], limit: int = 20000) -> Affected:
    """Start points (a path back to the focus node, and the node to start from) for the
    focus nodes that `changed` can affect."""
    by_predicate: dict[str | None, set[Trigger]] = {}
    for found in model_triggers(model).values():
        for trigger in found:
            for p in trigger.predicates or {None}:
                by_predicate.setdefault(p, set()).add(trigger)
    starts: set[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = set()
    for count, triple in enumerate(changed):
        if count >= limit:
            return Affected(set(), True, "many triples changed")
        predicate = triple.predicate.value
        if predicate == RDFS_SUBCLASS:
            return Affected(set(), True, "the class hierarchy changed")
        for trigger in by_predicate.get(predicate, set()) | by_predicate.get(None, set()):
            if trigger.everywhere:
                return Affected(set(), True, f"{predicate} is read by every focus node of a shape")
            if trigger.from_subject is not None:
                starts.add((trigger.from_subject, triple.subject))  # type: ignore[arg-type]
            if trigger.from_object is not None:
                starts.add((trigger.from_object, triple.object))  # type: ignore[arg-type]
    return Affected(starts)


def focus_candidates(select: Callable[..., list[dict[str, Any]]],
                     starts: Iterable[tuple[str, object]], limit: int) -> list[object] | None:
    """The nodes reached backwards from each start node by its path; None when there are
    more than `limit`. `select(text, bindings)` answers SPARQL. A path with repetition is
    followed from one start node at a time (anchored); other paths take their start nodes
    in one VALUES clause."""
    found: dict[str, object] = {}
    grouped: dict[str, list[object]] = {}
    for path, node in starts:
        grouped.setdefault(path, []).append(node)
    for path in sorted(grouped):
        nodes = sorted(set(grouped[path]), key=str)
        if path == "":
            for node in nodes:
                if not isinstance(node, ox.Literal):
                    found.setdefault(str(node), node)
            continue
        text = f"SELECT DISTINCT ?n ?f WHERE {{ ?f {path} ?n }} LIMIT {limit + 1}"
        repeats = "*" in path or "+" in path
        named = [n for n in nodes if not isinstance(n, ox.BlankNode)]
        batches: list[tuple[str, dict[str, object] | None]] = []
        if not repeats and named:
            for start in range(0, len(named), 400):
                values = " ".join(str(n) for n in named[start:start + 400])
                batches.append((text.replace(" WHERE { ", f" WHERE {{ VALUES ?n {{ {values} }} ", 1), None))
            nodes = [n for n in nodes if isinstance(n, ox.BlankNode)]
        batches += [(text, {"n": node}) for node in nodes]
        for query, bindings in batches:
            for row in select(query, bindings):
                f = row.get("f")
                if f is not None and not isinstance(f, ox.Literal):
                    found.setdefault(str(f), f)
            if len(found) > limit:
                return None
    return list(found.values())
