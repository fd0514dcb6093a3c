"""SHACL validation of the store, of a pending load, and of in-memory graphs.

The shapes are compiled to SPARQL and run by the store over its indexes (`shacl`); only
a shape the compiler does not support is validated by pySHACL, on a subgraph copied out
of the store. The data graph is the data together with the concept schemes
(`resources.vocabulary_graph()`), as docs/shapes.md says: when the store does not hold
the schemes, their triples are staged in a pending graph for the validation.

A pending load is validated as the store would be after it; only results that the
staged data introduces are reported: results already present without it belong to
other sources and do not block this load.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from . import resources, rules, shapes, store_rules
from .derived import PerGeneration
from .errors import InputError
from .shacl import engine, fallback
from .shacl.engine import MemoryView, Row, Term, rows
from .shacl.model import Shape, ShapesModel, read_shapes
from .shacl.report import Report, Result, to_csv, to_turtle
from .shapes import shapes_graph_of, shapes_model, vocabulary_triples
from .store import QueryResult, StagedSource, Store

__all__ = ["Report", "Result", "StoreView", "pyshacl_graph", "shapes_model", "validate_graph",
           "validate_nodes", "validate_staged", "validate_store", "write_report"]

BATCH = 2000
Progress = Callable[[str, int, int], None]


def keep_compiled() -> None:
    """Keep the compiled shapes, with what the rules read of the ontology, for later runs."""
    shapes.keep_compiled(lambda: {"expected_classes": rules.expected_classes(),
                                  "typed_predicates": store_rules.typed_predicates()})


def validation_threads() -> int:
    """Queries run side by side in a full validation (pyoxigraph releases the GIL)."""
    return max(1, min(4, os.cpu_count() or 1))


class StoreView:
    """The store as SHACL sees it: the committed sources (less `exclude_sources`), plus
    `staged` pending graphs."""

    def __init__(self, store: Store, exclude_sources: Sequence[str] = (),
                 staged: Sequence[StagedSource] = ()) -> None:
        self.store = store
        self.exclude_sources = tuple(exclude_sources)
        self.staged = tuple(staged)
        # The dataset, read once: a validation asks hundreds of queries of one view.
        self.graphs = store.dataset_graphs(self.exclude_sources, self.staged)
        self.plans_by_statistics = store.plans_by_statistics

    def query(self, text: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """The store's own query, over this view (for code that reads the store directly,
        such as the independence rules)."""
        return self.store.query(text, bindings=bindings, graphs=self.graphs)

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        return rows(self.query(text, bindings))

    def construct(self, text: str) -> Iterable[ox.Triple]:
        meta = self.store.meta_graph
        return (t for t in self.query(text)  # type: ignore[union-attr]
                if getattr(t.subject, "value", "") != meta)

    def with_staged(self, more: Sequence[StagedSource]) -> StoreView:
        return StoreView(self.store, self.exclude_sources, (*self.staged, *more))


# -- the concept schemes ------------------------------------------------------------------


_missing: weakref.WeakKeyDictionary[object, dict[tuple[int, tuple[str, ...]], list[ox.Triple]]] = (
    weakref.WeakKeyDictionary())


def _missing_vocabulary(view: StoreView) -> list[ox.Triple]:
    """The triples of the concept schemes that the committed sources of the view do not
    hold (read once per store generation)."""
    if view.staged:
        return _vocabulary_check(view)
    key = (view.store.generation, view.exclude_sources)
    try:
        by_key = _missing.setdefault(view.store, {})
    except TypeError:  # a store that cannot be weakly referenced
        return _vocabulary_check(view)
    if key not in by_key:
        by_key.clear()
        by_key[key] = _vocabulary_check(view)
    return by_key[key]


def _vocabulary_check(view: StoreView) -> list[ox.Triple]:
    wanted = vocabulary_triples()
    body = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in wanted)
    text = f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {body} }} ?s ?p ?o }}"
    present = {(r["s"], r["p"], r["o"]) for r in view.select(text)}
    return [t for t in wanted if (t.subject, t.predicate, t.object) not in present]


@contextmanager
def with_vocabulary(view: StoreView, stage: bool = True) -> Iterator[StoreView]:
    """The view with the concept schemes: as it is when the store holds them (after
    `qagraph init`), else with their triples in a pending graph for the duration (not
    when `stage` is false: a page never writes to the store)."""
    missing = _missing_vocabulary(view) if stage else []
    if not missing or view.store.read_only:
        yield view
        return
    staged = view.store.stage("vocabulary", "concept schemes", "")
    try:
        view.store.write_staged(staged, missing)
        yield view.with_staged([staged])
    finally:
        view.store.discard([staged])


# -- validating -------------------------------------------------------------------------------


def _fallback(view: StoreView | MemoryView, model: ShapesModel, shapes: Sequence[Shape],
              focus: Sequence[Term] | None) -> list[Result]:
    """pySHACL for the shapes the compiler does not support, on the triples they can reach."""
    if not shapes:
        return []
    reach = fallback.predicates(shapes)
    if reach is None:
        text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    else:
        values = " ".join(f"<{p}>" for p in sorted(reach))
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}"
    if isinstance(view, StoreView):
        data = fallback.graph_of(view.construct(text))
    else:
        result = view.store.query(text, use_default_graph_as_union=view.union)
        assert isinstance(result, ox.QueryTriples)
        data = fallback.graph_of(result)
    graph = shapes_graph_of(model)
    results_graph = fallback.run_pyshacl(data, fallback.shapes_only(graph, shapes))
    results = fallback.results_of(results_graph, graph, model.by_node)
    if focus is not None:
        wanted = {str(f) for f in focus}
        results = [r for r in results if r.focus_term in wanted]
    return results


def result_of(finding: Result) -> Result:
    focus = ox.NamedNode(finding.focus)
    return Result(finding.focus, finding.shape, finding.severity, finding.messages, finding.path,
                  finding.value, component="", source_shape=finding.shape, focus_term=str(focus))


def rule_results(view: StoreView | MemoryView, on: date | None = None,
                 focus: Sequence[Term] | None = None) -> list[Result]:
    """The rules SHACL cannot compute (graph_app/core/rules.py), over the view's data (or
    for the focus nodes)."""
    if focus is not None:
        return store_rules.for_nodes(view, {f.value for f in focus if isinstance(f, ox.NamedNode)}, on)
    return store_rules.everything(view, on)


def run_validation(view: StoreView | MemoryView, *, focus: Sequence[Term] | None = None,
                   progress: Progress | None = None, threads: int = 1,
                   model: ShapesModel | None = None, on: date | None = None,
                   with_rules: bool = True,
                   classes: Mapping[str, Sequence[str]] | None = None) -> Report:
    """Compiled validation of the view, pySHACL for what the compiler leaves, and the rules
    SHACL cannot compute."""
    model = model or shapes_model()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="qagraph-rules") as beside:
        # With threads to spare, the rules are read beside the compiled checks.
        pending_rules = beside.submit(rule_results, view, on, focus) if with_rules and threads > 1 else None
        report = engine.validate(view, model, focus=focus, progress=progress, threads=threads,
                                 classes=classes)
        left = [s for s in model.roots if report.methods.get(s.id) == "pyshacl"]
        try:
            report.results.extend(_fallback(view, model, left, focus))
        except Exception as err:  # pySHACL refuses some shapes (e.g. $shapesGraph): say which
            names = ", ".join(s.id for s in left)
            report.failures.append(f"{names}: {err}")
        findings = pending_rules.result() if pending_rules is not None else None
    if with_rules:
        if findings is None:
            findings = rule_results(view, on, focus)
        report.results = store_rules.drop_ill_typed(report.results, findings)
        report.results.extend(result_of(f) for f in findings)
    report.sort()
    return report


def _count_focus_nodes(view: StoreView, model: ShapesModel) -> int:
    from .shacl.compiler import Compiler

    compiler = Compiler(model, engine.subclasses(view, model.classes()))
    # many shapes share their targets (16 target the awards): each pattern once
    patterns = sorted({compiler.targets(root) for root in model.roots if root.targets})
    if not patterns:
        return 0
    union = " UNION ".join("{ " + p + " }" for p in patterns)
    found = view.select(f"SELECT (COUNT(DISTINCT ?this) AS ?n) WHERE {{ {union} }}")
    value = found[0].get("n") if found else None
    return int(value.value) if isinstance(value, ox.Literal) else 0


def validate_store(store: Store, source: str | None = None, *,
                   progress: Progress | None = None, threads: int | None = None,
                   on: date | None = None) -> Report:
    """Validate the whole store in the store; or one source as a load of it would be
    judged, with what it links to in the other sources (only what it introduces)."""
    if source is not None:
        graph_iri = store.current_graphs().get(source)
        if graph_iri is None:
            raise InputError("unknown_source", name=source)
        # Judged as a load of the source would be: the store without it and with it,
        # reporting only what the source itself introduces, so that a source that adds a
        # claim to a credential defined elsewhere is not blamed for that credential. Its
        # committed graph stands in for a staged one (nothing is written).
        own = StagedSource(source, graph_iri, "", "")
        return validate_staged(store, [own], replacing=[source], on=on)
    view = StoreView(store)
    threads = threads if threads is not None else validation_threads()
    with with_vocabulary(view) as full, ThreadPoolExecutor(max_workers=1) as beside:
        counted = beside.submit(_count_focus_nodes, full, shapes_model()) if threads > 1 else None
        report = run_validation(full, progress=progress, on=on, threads=threads)
        report.checked_nodes = counted.result() if counted else _count_focus_nodes(full, shapes_model())
    keep_compiled()
    return report


@dataclass
class StoreReport:
    """The last whole validation of a committed state of the store, by focus node, and
    the day it judged (some rules depend on the date: a report of another day is stale)."""

    report: Report
    by_focus: dict[str, list[Result]]
    on: date | None = None  # None in reports kept before the day was recorded

    @classmethod
    def of(cls, report: Report, on: date | None = None) -> StoreReport:
        by_focus: dict[str, list[Result]] = {}
        for r in report.results:
            by_focus.setdefault(r.focus, []).append(r)
        return cls(report, by_focus, on or date.today())

    def fresh(self, today: date | None = None) -> bool:
        """Whether the report judged today's date."""
        return self.on == (today or date.today())


whole_reports: PerGeneration[StoreReport] = PerGeneration(
    lambda store: StoreReport.of(validate_store(store, threads=1)), "validation")


def keep_report(store: Store, report: Report, on: date | None = None) -> None:
    """Keep a whole validation of the store's committed state (judged on `on`, today by
    default) for the web's panels."""
    whole_reports.keep(store, StoreReport.of(report, on))


def validate_nodes(store: Store, nodes: Sequence[str], *, on: date | None = None,
                   classes: Mapping[str, Sequence[str]] | None = None) -> Report:
    """The results whose focus is one of `nodes`, in the committed store: the compiled
    checks restricted to those nodes, and the rules for them (for an entity page).
    `classes`: the store's class hierarchy, when the caller keeps it."""
    focus = [ox.NamedNode(n) for n in nodes]
    with with_vocabulary(StoreView(store), stage=False) as view:
        report = run_validation(view, focus=focus, on=on, classes=classes)
    report.checked_nodes = len(nodes)
    return report


def memory_view(*graphs: Graph, with_vocabulary: bool = True) -> MemoryView:
    """An in-memory store holding the graphs (and the concept schemes)."""
    store = ox.Store()
    parts = [*graphs, resources.vocabulary_graph()] if with_vocabulary else list(graphs)
    store.extend(ox.Quad(t.subject, t.predicate, t.object)
                 for t in (fallback.triple_to_ox(triple) for part in parts for triple in part))
    return MemoryView(store)


def _merged(data: Graph, more: Sequence[Graph], with_vocabulary: bool) -> Graph:
    graph = fallback.ValidationGraph()
    for part in (data, *more):
        for triple in part:
            graph.add(triple)
    if with_vocabulary:
        for triple in resources.vocabulary_graph():
            graph.add(triple)
    return graph


def _with_rules(report: Report, graph: Graph, on: date | None,
                known: Callable[[str], Iterable[str]] | None) -> Report:
    findings = rules.check(graph, on, known, set(store_rules.typed_predicates()))
    report.results = store_rules.drop_ill_typed(report.results, findings)
    report.results.extend(result_of(f) for f in findings)
    report.sort()
    return report


def validate_graph(data: Graph, *more: Graph, with_vocabulary: bool = True,
                   on: date | None = None, known: Callable[[str], Iterable[str]] | None = None) -> Report:
    """Validate in-memory graphs, taken together, against all shapes (inference off), and
    run the rules SHACL cannot compute (graph_app/core/rules.py) on `on` (today); `known`
    lists known IRIs of a class for the rules' suggestions."""
    graph = _merged(data, more, with_vocabulary)
    report = run_validation(memory_view(graph, with_vocabulary=False), on=on, with_rules=False)
    report.checked_nodes = len(set(data.subjects()))
    return _with_rules(report, graph, on, known)


def pyshacl_graph(data: Graph, *more: Graph, with_vocabulary: bool = True,
                  shapes: Graph | None = None, on: date | None = None,
                  known: Callable[[str], Iterable[str]] | None = None) -> Report:
    """The reference: pySHACL over in-memory graphs, taken together (inference off), with
    the rules over the same graph (for the project's shapes)."""
    graph = _merged(data, more, with_vocabulary)
    shapes_graph = shapes if shapes is not None else resources.shapes_graph()
    model = shapes_model() if shapes is None else read_shapes(shapes)
    results_graph = fallback.run_pyshacl(graph, shapes_graph)
    report = Report(results=fallback.results_of(results_graph, shapes_graph, model.by_node))
    report.checked_nodes = len(set(data.subjects()))
    if shapes is not None:
        report.sort()
        return report
    return _with_rules(report, graph, on, known)


def shape_iris(model: ShapesModel | None = None) -> dict[str, str]:
    """Readable shape ids (qash:X) and source-shape keys -> the IRI of the node shape."""
    model = model or shapes_model()
    found: dict[str, str] = {}
    for shape in model.by_node.values():
        if isinstance(shape.node, URIRef):
            found[shape.id] = str(shape.node)
    for shape in model.by_node.values():
        if shape.id in found:
            found.setdefault(shape.source, found[shape.id])
    return found


def write_report(report: Report, path: os.PathLike[str] | str, fmt: str) -> None:
    """Write the report as Turtle (an sh:ValidationReport) or as CSV."""

    target = Path(path)
    if fmt == "csv":
        target.write_text(to_csv(report.results), encoding="utf-8")
    else:
        target.write_bytes(to_turtle(report, shape_iris()))


# -- staged data (the pending graphs of a load) --------------------------------------------


def validate_staged(store: Store, staged: Sequence[StagedSource], replacing: Sequence[str] = (),
                    *, on: date | None = None) -> Report:
    """Validate a pending load as the store would be after it, leaving out the sources it
    replaces; report only what the staged data introduces. Only the shapes and focus
    nodes the staged triples can affect are validated (graph_app/core/incremental.py)."""
    from . import incremental  # its triggers read SPARQL with rdflib's parser: loads only

    before = StoreView(store, exclude_sources=replacing)
    with with_vocabulary(before) as before_v:
        after_v = before_v.with_staged(staged)

        def changed() -> Iterator[ox.Triple]:
            for s in staged:
                yield from store.staged_triples(s)

        report = incremental.validate_change(after_v, before_v, changed, shapes_model(),
                                             run_validation, result_of, on)
    keep_compiled()
    return report
