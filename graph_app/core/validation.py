"""SHACL validation of staged data together with what it links to in the store.

pyshacl is never run over the Oxigraph-backed graph (10-100x slower, see DESIGN.md).
Instead the neighbourhood of the staged nodes is copied into a small rdflib graph:
the nodes' own descriptions, the routes and credentials that point at them, and the
closure of organisational dependencies that independence at C1 is judged on. The report
lists only results that the staged data introduces: results already present without it
belong to other sources and do not block this load.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyoxigraph as ox
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from . import queries, resources, rules
from .errors import InputError
from .messages import message, normalise_language
from .namespaces import META_GRAPH
from .store import Store
from .terms import graph_from_triples

BATCH = 2000


@dataclass(frozen=True)
class Result:
    """One SHACL result: focus node, shape id, severity and messages by language."""

    focus: str
    shape: str
    severity: str
    messages: tuple[tuple[str, str], ...]
    path: str = ""
    value: str = ""

    def message(self, lang: str | None = None) -> str:
        wanted = normalise_language(lang)
        by_lang = dict(self.messages)
        for key in (wanted, "en", "sv", ""):
            if key in by_lang:
                return by_lang[key]
        return next(iter(by_lang.values()), "")

    def text(self, lang: str | None = None) -> str:
        severity = message(f"severity_{self.severity}", lang)
        return f"{self.focus} [{self.shape}] {severity}: {self.message(lang)}"

    @property
    def key(self) -> tuple[str, str, str, str]:  # message included: SPARQL results differ by text
        return (self.focus, self.shape, self.path, self.value + "|" + self.message("en"))


@dataclass
class Report:
    """The results of one validation."""

    results: list[Result] = field(default_factory=list)
    checked_nodes: int = 0

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def for_node(self, iri: str) -> list[Result]:
        return [r for r in self.results if r.focus == iri]


def _shape_id(shapes: Graph, shape: Node) -> str:
    """A readable id for a result's source shape: its IRI, or that of the node shape
    whose sh:property it is."""
    if isinstance(shape, URIRef):
        return shapes.namespace_manager.normalizeUri(shape)
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            return shapes.namespace_manager.normalizeUri(parent)
    return str(shape)


def _templates(shapes: Graph, shape: Node) -> list[Literal]:
    """The sh:message templates of a shape, of its SPARQL constraints, or of the node
    shape that holds it as a property shape."""
    owners = [shape, *shapes.objects(shape, SH.sparql)]
    found = [m for o in owners for m in shapes.objects(o, SH.message) if isinstance(m, Literal)]
    if not found:
        for parent in shapes.subjects(SH.property, shape):
            found.extend(m for m in shapes.objects(parent, SH.message) if isinstance(m, Literal))
    return found


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{[?$][A-Za-z_][A-Za-z0-9_]*\}", template)
    return re.compile("^" + "(.*?)".join(re.escape(p) for p in parts) + "$", re.DOTALL)


def _messages(results: Graph, shapes: Graph, result: Node, shape: Node) -> tuple[tuple[str, str], ...]:
    """Messages of a result by language. pyshacl fills {?var} placeholders of SPARQL-based
    constraints into plain literals without a language tag; the tag is recovered from the
    template each text was made from."""
    templates = _templates(shapes, shape)
    texts: dict[str, str] = {}
    for lit in results.objects(result, SH.resultMessage):
        lang = getattr(lit, "language", None) or ""
        if not lang:
            for template in templates:
                if template.language and _template_pattern(str(template)).match(str(lit)):
                    lang = template.language
                    break
        texts.setdefault(lang, str(lit))
    for template in templates:
        texts.setdefault(template.language or "", str(template))
    return tuple(sorted(texts.items()))


_PREPARED: dict[str, Query] = {}
_PREPARE_LOCK = threading.Lock()


def _prepared(text: str) -> Query:
    """The parsed form of a SPARQL text, parsed once per process (under a lock: rdflib's
    parser is not thread-safe)."""
    query = _PREPARED.get(text)
    if query is None:
        with _PREPARE_LOCK:
            query = _PREPARED.get(text)
            if query is None:
                query = prepareQuery(text)
                _PREPARED[text] = query
    return query


class _ValidationGraph(Graph):
    """A graph whose string queries are parsed once and then reused.

    pyshacl hands each SPARQL-based constraint to `query()` as text, once per focus node,
    and parsing that text was most of the validation time (measured: 50 s -> 5 s for 20k
    triples). The shapes' queries are few, so their parsed forms are cached."""

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def validate_graph(data: Graph, *more: Graph, with_vocabulary: bool = True,
                   on: date | None = None, known: Callable[[str], Iterable[str]] | None = None) -> Report:
    """Validate in-memory graphs, taken together, against all shapes (inference off), and
    run the rules SHACL cannot compute (graph_app/core/rules.py) on `on` (today); `known`
    lists known IRIs of a class for the rules' suggestions."""
    shapes = resources.shapes_graph()
    graph = _ValidationGraph()
    for part in (data, *more):
        for triple in part:
            graph.add(triple)
    if with_vocabulary:
        for triple in resources.vocabulary_graph():
            graph.add(triple)
    # inplace: with inference off pyshacl does not change the graph, and a copy would be a
    # plain Graph without the query cache.
    _conforms, results_graph, _text = pyshacl_validate(
        graph,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        advanced=True,
        inplace=True,
    )
    assert isinstance(results_graph, Graph)
    report = Report(checked_nodes=len(set(data.subjects())))
    for res in results_graph.subjects(RDF.type, SH.ValidationResult):
        shape = results_graph.value(res, SH.sourceShape)
        severity = results_graph.value(res, SH.resultSeverity)
        report.results.append(
            Result(
                focus=str(results_graph.value(res, SH.focusNode)),
                shape=_shape_id(shapes, shape) if shape is not None else "",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                messages=_messages(results_graph, shapes, res, shape) if shape is not None else (),
                path=str(results_graph.value(res, SH.resultPath) or ""),
                value=str(results_graph.value(res, SH.value) or ""),
            )
        )
    findings = rules.check(graph, on, known)
    # An ill-typed literal is reported once, by the rule that names its value and form.
    ill_typed = {(f.focus, f.value) for f in findings if f.shape == "qash:LiteralFormShape"}
    report.results = [r for r in report.results if (r.focus, r.value) not in ill_typed]
    report.results.extend(findings)
    report.results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.shape))
    return report


def _batched(items: Sequence[ox.NamedNode]) -> Iterable[Sequence[ox.NamedNode]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def neighbourhood(
    store: Store, nodes: Iterable[Node], exclude_sources: Sequence[str] = ()
) -> Graph:
    """Copy from the store what `nodes` link to: their descriptions, the routes and
    credentials that point at them, and the dependency closure of organisations."""
    iris = sorted({ox.NamedNode(str(n)) for n in nodes if isinstance(n, URIRef)}, key=str)
    graph = Graph()
    for name in ("neighbourhood-out", "neighbourhood-in", "dependency-closure"):
        _copy(store, graph, name, iris, exclude_sources)
    # One more step out: the descriptions of what the nodes link to (a credential's routes
    # and their levels, the class of its scheme), so that a source that only adds to a
    # node defined elsewhere is judged with that node's links, not without them.
    seen = {str(i.value) for i in iris}
    linked = sorted({ox.NamedNode(str(o)) for s, _p, o in graph
                     if isinstance(o, URIRef) and str(s) in seen and str(o) not in seen}, key=str)
    _copy(store, graph, "neighbourhood-out", linked, exclude_sources)
    return graph


def _copy(store: Store, graph: Graph, name: str, iris: Sequence[ox.NamedNode],
          exclude_sources: Sequence[str]) -> None:
    text = queries.load(name).text
    for batch in _batched(iris):
        result = store.query(queries.with_values(text, "node", batch), exclude_sources=exclude_sources)
        graph_from_triples(_no_meta(result, store.meta_graph), into=graph)


def _no_meta(triples: object, meta: str = META_GRAPH) -> Iterable[object]:
    for t in triples:  # type: ignore[attr-defined]
        if getattr(t.subject, "value", "") != meta:
            yield t


def validate_staged(
    store: Store, staged: Graph, replacing: Sequence[str] = ()
) -> Report:
    """Validate staged data with its neighbourhood in the store, leaving out the sources
    it replaces; report only what the staged data introduces."""
    nodes = set(staged.subjects()) | {o for o in staged.objects() if isinstance(o, URIRef)}
    around = neighbourhood(store, nodes, exclude_sources=replacing)
    report_after = validate_graph(staged, around, known=lambda cls: instances(store, cls))
    if len(around):
        before = {r.key for r in validate_graph(around).results}
        report_after.results = [r for r in report_after.results if r.key not in before]
    report_after.checked_nodes = len(set(staged.subjects()))
    return report_after


def instances(store: Store, cls: str, limit: int = 100_000) -> list[str]:
    """IRIs of the instances of `cls` in the store (at most `limit`), for suggestions."""
    result = store.query(f"{queries.load('instances-of-class').text}\nLIMIT {int(limit)}",
                         bindings={"class": ox.NamedNode(cls)})
    return [row["x"].value for row in result if isinstance(row["x"], ox.NamedNode)]  # type: ignore[union-attr]


def validate_store(store: Store, source: str | None = None) -> Report:
    """Validate the whole store, or one source with its neighbourhood."""
    if source is None:
        data = graph_from_triples(
            _no_meta(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"), store.meta_graph)
        )
        return validate_graph(data)
    graph_iri = store.current_graphs().get(source)
    if graph_iri is None:
        raise InputError("unknown_source", name=source)
    own = graph_from_triples(
        store.query(  # type: ignore[arg-type]
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
            bindings={"g": graph_iri},
        )
    )
    # Judged as a load of the source would be: with its neighbourhood from the other
    # sources, reporting only what the source itself introduces, so that a source that
    # adds a claim to a credential defined elsewhere is not blamed for that credential.
    return validate_staged(store, own, replacing=[source])
