"""A harness for the W3C SHACL test suite (core and SHACL-SPARQL) in the shared folder.

It reads the manifests with rdflib, runs the compiled validator on each test's data and
shapes graphs, and compares the report with the expected one: conformance, and the
results as (focus node, result path, value, source shape, constraint component,
severity), with blank nodes compared as "some blank node". A test whose shapes the
compiler does not support (it would hand them to pySHACL) is *unsupported*, and counted
and listed apart, never passed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from graph_app.core.shacl.engine import MemoryView, plan_for, run, subclasses
from graph_app.core.shacl.model import path_text, read_shapes
from graph_app.core.shacl.report import Result
from graph_app.core.terms import to_ox

SUITE = Path(__file__).resolve().parents[2] / "shared" / "w3c-shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

Row = tuple[str, str, str, str, str, str]


@dataclass
class Case:
    name: str
    file: Path
    data: Path
    shapes: Graph
    failure: bool
    conforms: bool
    expected: Counter[Row] = field(default_factory=Counter)
    components: set[str] = field(default_factory=set)


@dataclass
class Outcome:
    case: Case
    status: str  # "passed" | "failed" | "unsupported"
    detail: str = ""


def suite_available() -> bool:
    return (SUITE / "manifest.ttl").is_file()


def _parse(path: Path, cache: dict[Path, Graph]) -> Graph:
    """A test file as rdflib reads it, literals kept as written (rdflib would otherwise
    rewrite an ill-formed "none"^^xsd:boolean as "false", which some tests are about)."""
    if path not in cache:
        graph = Graph()
        normalise = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = False
        try:
            graph.parse(path, format="turtle", publicID=path.as_uri())
        finally:
            rdflib.NORMALIZE_LITERALS = normalise
        cache[path] = graph
    return cache[path]


def manifests(root: Path) -> list[Path]:
    """Every manifest file under a manifest, following mf:include."""
    found, todo, seen = [], [root], set()
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        found.append(path)
        graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
        for inc in graph.objects(None, MF.include):
            todo.append(Path(str(inc).removeprefix("file://")))
    return found


def cases(root: Path = SUITE / "manifest.ttl") -> list[Case]:
    """The sht:Validate tests of the suite."""
    cache: dict[Path, Graph] = {}
    out = []
    for manifest in manifests(root):
        graph = _parse(manifest, cache)
        for entries in graph.objects(None, MF.entries):
            for entry in Collection(graph, entries):
                if (entry, RDF.type, SHT.Validate) not in graph:
                    continue
                out.append(_case(graph, entry, cache))
    return out


def _file(node: Node) -> Path:
    return Path(str(node).removeprefix("file://").split("#")[0])


def _case(manifest: Graph, entry: Node, cache: dict[Path, Graph]) -> Case:
    action = manifest.value(entry, MF.action)
    data_file = _file(manifest.value(action, SHT.dataGraph))
    shapes_file = _file(manifest.value(action, SHT.shapesGraph))
    shapes = _parse(shapes_file, cache)
    result = manifest.value(entry, MF.result)
    name = str(entry).removeprefix("file://").split("/w3c-shacl/")[-1]
    case = Case(name, data_file, data_file, shapes, failure=result == SHT.Failure, conforms=True)
    case.components = _components_used(shapes)
    if case.failure:
        return case
    conforms = manifest.value(result, SH.conforms)
    case.conforms = bool(conforms.toPython()) if isinstance(conforms, Literal) else True
    for r in manifest.objects(result, SH.result):
        g = manifest
        case.components.add(str(g.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1])
        case.expected[(
            _key(g.value(r, SH.focusNode)),
            path_text(g, g.value(r, SH.resultPath)),
            _key(g.value(r, SH.value)),
            _key(g.value(r, SH.sourceShape)),
            "sh:" + str(g.value(r, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
            str(g.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
        )] += 1
    return case


def _components_used(shapes: Graph) -> set[str]:
    from graph_app.core.shacl.model import COMPONENTS

    used = {COMPONENTS[p] for p in COMPONENTS if (None, p, None) in shapes}
    if (None, SH.sparql, None) in shapes:
        used.add("SPARQLConstraintComponent")
    for component in set(shapes.subjects(SH.parameter, None)):
        if isinstance(component, URIRef):
            used.add(str(component).rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    if (None, SH.qualifiedValueShape, None) in shapes:
        used.discard("QualifiedValueShape")
        if (None, SH.qualifiedMinCount, None) in shapes:
            used.add("QualifiedMinCountConstraintComponent")
        if (None, SH.qualifiedMaxCount, None) in shapes:
            used.add("QualifiedMaxCountConstraintComponent")
    return used


_canon = ox.Store()


def _key(node: Node | None) -> str:
    """A term as compared: blank nodes as "_", literals in the store's canonical form."""
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "_"
    term = to_ox(node)
    if isinstance(term, ox.Literal):
        quad = ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), term)
        _canon.add(quad)
        term = next(iter(_canon.quads_for_pattern(quad.subject, quad.predicate, None))).object
        _canon.clear()
    return str(term)


def _load(data: Path) -> ox.Store:
    """The data graph as the store reads it (its own parser and literal forms)."""
    store = ox.Store()
    store.load(path=str(data), format=ox.RdfFormat.TURTLE, base_iri=data.as_uri())
    return store


def run_case(case: Case) -> Outcome:
    model = read_shapes(case.shapes)
    view = MemoryView(_load(case.data))
    plan = plan_for(model, subclasses(view, model.classes()))
    if case.failure:
        if plan.refused:
            return Outcome(case, "passed", "refused: " + "; ".join(plan.refused.values()))
        if plan.fallback:
            return Outcome(case, "unsupported", _reasons(plan.fallback))
        return Outcome(case, "failed", "expected a failure, the compiler accepted the shapes")
    if plan.refused:
        return Outcome(case, "failed", "refused: " + "; ".join(plan.refused.values()))
    if plan.fallback:
        return Outcome(case, "unsupported", _reasons(plan.fallback))
    return _compare(case, run(view, plan))


def run_with_fallback(case: Case) -> Outcome:
    """The product's whole validation of a test: compiled, with pySHACL for the rest."""
    from graph_app.core.validation import run_validation

    model = read_shapes(case.shapes)
    try:
        report = run_validation(MemoryView(_load(case.data)), model=model)
    except Exception as err:  # pySHACL refuses shapes it cannot run
        if case.failure:
            return Outcome(case, "passed", f"refused: {err}")
        return Outcome(case, "failed", f"error: {err!r}")
    if report.failures:
        status = "passed" if case.failure else "failed"
        return Outcome(case, status, "could not be validated: " + "; ".join(report.failures))
    if case.failure:
        return Outcome(case, "failed", "expected a failure")
    return _compare(case, report.results)


def _compare(case: Case, results: list[Result]) -> Outcome:
    got: Counter[Row] = Counter()
    for r in results:
        node = r.source_node
        source = "_" if isinstance(node, BNode) else f"<{node}>"
        got[(_star(r.focus_term), r.path if not r.path.startswith("_:") else "_",
             _star(r.value_term), source, r.component, r.severity)] += 1
    conforms = not any(r.severity == "Violation" for r in results) and not results
    if got == case.expected and conforms == case.conforms:
        return Outcome(case, "passed")
    missing = case.expected - got
    extra = got - case.expected
    return Outcome(case, "failed", f"missing {dict(missing)}; unexpected {dict(extra)}")


def _star(text: str) -> str:
    return "_" if text.startswith("_:") else text


def _reasons(fallback: dict[object, list[str]]) -> str:
    return "; ".join(sorted({r for rs in fallback.values() for r in rs}))


def by_component(outcomes: list[Outcome]) -> dict[str, Counter[str]]:
    """For each constraint component a test uses: how many tests passed, failed, or were
    unsupported."""
    table: dict[str, Counter[str]] = {}
    for o in outcomes:
        for comp in sorted(o.case.components) or ["(none)"]:
            table.setdefault(comp, Counter())[o.status] += 1
    return table


def main() -> None:
    """Print passed/failed/unsupported by constraint component."""
    outcomes = [run_case(c) for c in cases()]
    table = by_component(outcomes)
    print(f"{'component':<45} {'passed':>7} {'failed':>7} {'unsupported':>12}")
    for component in sorted(table):
        counts = table[component]
        print(f"{component:<45} {counts['passed']:>7} {counts['failed']:>7} {counts['unsupported']:>12}")
    total = Counter(o.status for o in outcomes)
    print(f"{'all tests':<45} {total['passed']:>7} {total['failed']:>7} {total['unsupported']:>12}")
    for o in outcomes:
        if o.status != "passed":
            print(f"{o.status}: {o.case.name}: {o.detail}")


if __name__ == "__main__":
    main()
