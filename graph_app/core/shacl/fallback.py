"""pySHACL, for the shapes the compiler does not support, and as the reference the
compiled validator is tested against.

A fallback shape is validated on a subgraph copied out of the store: the triples of the
predicates the shape can reach (its paths, the predicates its SPARQL names, rdf:type and
rdfs:subClassOf), or the whole data when the shape can follow any predicate (sh:closed,
a SPARQL variable in predicate position).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

from .. import terms
from ..terms import to_ox
from .model import Shape, path_text
from .report import Result

_PREPARED: dict[str, Query] = {}
_PREPARE_LOCK = threading.Lock()
# pySHACL and rdflib's SPARQL parser are not thread-safe: one validation at a time.
PYSHACL_LOCK = threading.Lock()


def _prepared(text: str) -> Query:
    """The parsed form of a SPARQL text, parsed once per process."""
    query = _PREPARED.get(text)
    if query is None:
        with _PREPARE_LOCK:
            query = _PREPARED.get(text)
            if query is None:
                from rdflib.plugins.sparql import prepareQuery

                query = prepareQuery(text)
                _PREPARED[text] = query
    return query


class ValidationGraph(Graph):
    """A graph whose string queries are parsed once and then reused: pySHACL hands each
    SPARQL-based constraint to `query()` as text once per focus node, and parsing was
    most of its time (measured: 50 s -> 5 s for 20k triples)."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def to_rdflib(term: object) -> Node:
    """An rdflib term for a store term, the literal's text kept exactly as the store has it
    (rdflib would otherwise rewrite an ill-formed "none"^^xsd:boolean as "false")."""
    return terms.to_rdflib(term, normalize=False)


def triple_to_ox(triple: tuple[Node, Node, Node]) -> ox.Triple:
    s, p, o = (to_ox(t) for t in triple)
    assert not isinstance(s, ox.Literal) and isinstance(p, ox.NamedNode)
    return ox.Triple(s, p, o)


def graph_of(triples: Iterable[object], into: Graph | None = None) -> Graph:
    graph = into if into is not None else ValidationGraph()
    add = graph.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))  # type: ignore[attr-defined]
    return graph


# -- what a shape can reach ----------------------------------------------------------------


_IRI = re.compile(r"<([^<>\"{}|^`\\\x00-\x20]*)>")


def predicates(shapes: Sequence[Shape]) -> set[str] | None:
    """The predicates the shapes can follow; None when they can follow any."""
    found = {str(RDF.type), str(RDFS.subClassOf)}
    for root in shapes:
        for shape in root.walk():
            if shape.path is not None:
                found |= shape.path.predicates()
            t = shape.targets
            found |= {str(p) for p in (*t.subjects_of, *t.objects_of)}
            for c in shape.constraints:
                if c.component == "ClosedConstraintComponent":
                    return None
                if isinstance(c.value, URIRef):
                    found.add(str(c.value))
            for sc in shape.sparql:
                text = sc.prologue + sc.query
                try:
                    algebra = _prepared(text).algebra
                except Exception:
                    return None
                named = _pattern_predicates(algebra)
                if named is None:
                    return None
                found |= named
            if shape.unsupported:
                return None
    return found


def _pattern_predicates(node: object) -> set[str] | None:
    """Predicates of the triple patterns and paths of a query's algebra; None when one is
    a variable."""
    from rdflib.paths import Path as RdflibPath
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    found: set[str] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, CompValue):
            if current.name in ("BGP", "TriplesBlock") and "triples" in current:
                for triple in current["triples"]:
                    p = triple[1]
                    if isinstance(p, Variable):
                        return None
                    if isinstance(p, URIRef):
                        found.add(str(p))
                    elif isinstance(p, RdflibPath):
                        found |= {str(u) for u in _path_iris(p)}
            todo.extend(v for k, v in current.items() if k != "_vars")
        elif isinstance(current, (list, tuple)):
            todo.extend(current)
    return found


def _path_iris(path: object) -> Iterable[URIRef]:
    if isinstance(path, URIRef):
        yield path
        return
    for attr in ("args", "path"):
        inner = getattr(path, attr, None)
        if inner is None:
            continue
        for part in inner if isinstance(inner, (list, tuple)) else [inner]:
            yield from _path_iris(part)


# -- running pySHACL ------------------------------------------------------------------------


def shapes_only(shapes_graph: Graph, keep: Sequence[Shape]) -> Graph:
    """The shapes graph with the targets of every other shape removed, so that pySHACL
    validates only `keep`."""
    kept = {s.node for s in keep}
    graph = Graph()
    for prefix, ns in shapes_graph.namespaces():
        graph.bind(prefix, ns)
    targets = {SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
    for s, p, o in shapes_graph:
        if s not in kept and (p in targets or (p == RDF.type and o == RDFS.Class)):
            continue
        graph.add((s, p, o))
    return graph


def run_pyshacl(data: Graph, shapes_graph: Graph) -> Graph:
    """pySHACL's results graph for `data` (inference off, SHACL-AF on, warnings allowed)."""
    from pyshacl import validate as pyshacl_validate  # only here: a whole run seldom needs it

    with PYSHACL_LOCK:
        _conforms, results_graph, _text = pyshacl_validate(
            data, shacl_graph=shapes_graph, inference="none", allow_warnings=True,
            advanced=True, inplace=True,
        )
    assert isinstance(results_graph, Graph)
    return results_graph


def owner_id(shapes: Graph, shape: Node) -> str:
    """A readable id for a result's source shape: its IRI, or that of the node shape whose
    sh:property it is."""
    if isinstance(shape, URIRef):
        return shapes.namespace_manager.normalizeUri(shape)
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            return shapes.namespace_manager.normalizeUri(parent)
    return str(shape)


def _templates(shapes: Graph, shape: Node, constraint: Node | None) -> list[Literal]:
    owners = [constraint] if constraint is not None else []
    owners.append(shape)
    return [m for o in owners for m in shapes.objects(o, SH.message) if isinstance(m, Literal)]


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}", template)
    return re.compile("^" + "(.*?)".join(re.escape(p) for p in parts) + "$", re.DOTALL)


def _messages(results: Graph, shapes: Graph, result: Node, shape: Node,
              constraint: Node | None) -> tuple[tuple[str, str], ...]:
    """Messages of a result by language. pySHACL fills {?var} placeholders into plain
    literals, losing the language tag; it is recovered from the template each text was
    made from (the constraint's templates first, as pySHACL lists them)."""
    templates = _templates(shapes, shape, constraint)
    texts: dict[str, str] = {}
    for lit in results.objects(result, SH.resultMessage):
        lang = getattr(lit, "language", None) or ""
        if not lang:
            for template in templates:
                if template.language and _template_pattern(str(template)).match(str(lit)):
                    lang = template.language
                    break
        texts.setdefault(lang, str(lit))
    return tuple(sorted(texts.items()))


def source_key(shapes: Graph, shape: Node) -> str:
    """The readable key of a source shape (as `Shape.source`): its IRI, or for a blank
    property shape the node shape holding it and its path (blank node ids differ between
    two reads of the same shapes)."""
    owner = owner_id(shapes, shape)
    if isinstance(shape, URIRef):
        return owner
    path = shapes.value(shape, SH.path)
    return f"{owner} {path_text(shapes, path)}" if path is not None else owner


def results_of(results_graph: Graph, shapes: Graph, by_node: dict[Node, Shape]) -> list[Result]:
    """pySHACL's results as qagraph results."""
    out = []
    for res in results_graph.subjects(RDF.type, SH.ValidationResult):
        shape = results_graph.value(res, SH.sourceShape)
        severity = results_graph.value(res, SH.resultSeverity)
        focus = results_graph.value(res, SH.focusNode)
        value = results_graph.value(res, SH.value)
        component = results_graph.value(res, SH.sourceConstraintComponent)
        constraint = results_graph.value(res, SH.sourceConstraint)
        out.append(Result(
            focus=str(focus),
            shape=owner_id(shapes, shape) if shape is not None else "",
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            messages=_messages(results_graph, shapes, res, shape, constraint) if shape is not None else (),
            path=path_text(results_graph, results_graph.value(res, SH.resultPath)),
            value=str(value) if value is not None else "",
            component="sh:" + str(component).rsplit("#", 1)[-1] if component is not None else "",
            source_shape=source_key(shapes, shape) if shape is not None else "",
            value_term=str(to_ox(value)) if value is not None else "",
            focus_term=str(to_ox(focus)) if focus is not None else "",
            source_node=shape,
        ))
    return out
