"""The compiled validator against pySHACL, result for result, on the project's shapes.

Both validate the same data: the data as the store holds it (Oxigraph writes some literals
in a canonical form, e.g. "01"^^xsd:integer as "1"), with the concept schemes. A result is
compared whole: focus node, path, value, source shape, constraint component, severity and
the messages in each language.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, Graph, URIRef

from graph_app.core import resources
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.shacl import engine, fallback
from graph_app.core.shacl.engine import MemoryView
from graph_app.core.shacl.rewrite import for_scan
from graph_app.core.store import OxigraphStore
from graph_app.core.validation import (
    memory_view,
    pyshacl_graph,
    run_validation,
    shapes_model,
    validate_store,
)
from loaders import registry as loaders
from tests.test_bench_generate import generate

EXAMPLES = sorted((Path(__file__).resolve().parent / "shapes").glob("*.ttl"))
QA = "https://w3id.org/qagraph/ontology#"


def _as_stored(graph: Graph) -> tuple[MemoryView, Graph]:
    """The data (with the concept schemes) in an in-memory store, and a copy of what the
    store holds for pySHACL."""
    view = memory_view(graph)
    copy = fallback.graph_of(view.store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    return view, copy


def differences(graph: Graph) -> tuple[Counter[tuple[str, ...]], Counter[tuple[str, ...]], int]:
    """(results only the compiled validator gives, results only pySHACL gives, results);
    both on the same day (the rules' messages name it: a run across midnight differed)."""
    view, copy = _as_stored(graph)
    day = date.today()
    compiled = Counter(r.comparable for r in run_validation(view, on=day).results)
    reference = Counter(r.comparable for r in pyshacl_graph(copy, with_vocabulary=False, on=day).results)
    return compiled - reference, reference - compiled, sum(reference.values())


def _assert_same(graph: Graph) -> int:
    only_compiled, only_pyshacl, count = differences(graph)
    assert not only_compiled and not only_pyshacl, (
        f"compiled only: {sorted(only_compiled)}\npySHACL only: {sorted(only_pyshacl)}")
    return count


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_shape_example_gives_what_pyshacl_gives(example: Path) -> None:
    count = _assert_same(Graph().parse(example, format="turtle"))
    if "-invalid-" in example.stem and "Warning" not in example.stem:
        assert count > 0, "an invalid example gives results"


def test_the_sample_data_gives_what_pyshacl_gives() -> None:
    graph = Graph()
    for path in [*resources.sample_files(), *resources.ONTOLOGY_DIR.glob("*.ttl")]:
        graph.parse(path, format="turtle")
    _assert_same(graph)


@pytest.mark.slow
def test_20k_generated_triples_with_known_violations(tmp_path: Path) -> None:
    out = tmp_path / "data.nt"
    sidecar = generate(out, "--triples", "20000", "--violations", "0.02")
    graph = Graph().parse(out, format="nt")
    count = _assert_same(graph)
    expected = {(v["focus"], v["shape"]) for v in sidecar["violations"]}
    view, _copy = _as_stored(graph)
    found = {(r.focus, r.shape) for r in run_validation(view).violations}
    assert found == expected and count >= len(expected) > 0


def test_every_sparql_constraint_of_the_shapes_is_rewritten_for_scans() -> None:
    """The fast path (hash joins, MINUS) serves every SPARQL constraint of our shapes."""
    model = shapes_model()
    constraints = [(s, sc) for s in model.by_node.values() for sc in s.sparql]
    assert constraints
    for shape, sc in constraints:
        assert for_scan(sc.prologue + sc.query, "?this a <urn:x:T> .") is not None, shape.id


def test_every_shape_of_the_project_is_compiled() -> None:
    view, _copy = _as_stored(Graph())
    report = run_validation(view)
    assert report.methods and set(report.methods.values()) == {"compiled"}


def test_focused_validation_gives_the_same_results_as_a_scan(tmp_path: Path) -> None:
    """Restricted to some focus nodes, the checks answer what the whole run answers for them."""
    out = tmp_path / "data.nt"
    generate(out, "--triples", "3000", "--violations", "0.2", "--awards-per-org", "2")
    view, _copy = _as_stored(Graph().parse(out, format="nt"))
    whole = run_validation(view)
    focus = sorted({r["s"] for r in view.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")}, key=str)
    chosen = focus[::3]
    part = run_validation(view, focus=chosen)
    wanted = {str(n) for n in chosen}
    expected = Counter(r.comparable for r in whole.results if r.focus_term in wanted)
    assert Counter(r.comparable for r in part.results) == expected
    assert expected


class _Recording(MemoryView):
    """A view that keeps the text of every query it answers."""

    def __init__(self, view: MemoryView) -> None:
        super().__init__(view.store, view.union)
        self.texts: list[str] = []

    def select(self, text: str, bindings: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self.texts.append(text)
        return super().select(text, bindings)


def test_a_whole_run_answers_the_same_however_each_check_is_asked(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole run asks a check from every focus node, or over the whole store, or first
    regardless of focus nodes, as the counts of focus nodes and triples make cheaper: the
    results are the same every way."""
    out = tmp_path / "data.nt"
    generate(out, "--triples", "3000", "--violations", "0.2", "--awards-per-org", "2")
    graph = Graph().parse(out, format="nt")
    person = URIRef(DEFAULT_BASE + "example/person/both")
    graph.add((person, RDF.type, URIRef(QA + "Person")))
    graph.add((person, RDF.type, URIRef(QA + "Organisation")))
    view, _copy = _as_stored(graph)
    runs = {}
    for name, lookup_cost, free_limit in (("from each focus node", 0, engine.FREE_LIMIT),
                                          ("scans", 10**9, engine.FREE_LIMIT),
                                          ("scans, never free", 10**9, 0)):
        monkeypatch.setattr(engine, "LOOKUP_COST", lookup_cost)
        monkeypatch.setattr(engine, "FREE_LIMIT", free_limit)
        recording = _Recording(view)
        runs[name] = (Counter(r.comparable for r in run_validation(recording).results),
                      set(recording.texts))
    results = [found for found, _texts in runs.values()]
    assert results[0] == results[1] == results[2]
    assert any(r[4] == "sh:NotConstraintComponent" and r[0] == f"<{person}>" for r in results[0])
    texts = [asked for _found, asked in runs.values()]
    assert texts[0] != texts[1] != texts[2], "each run asked its checks its own way"


def test_a_store_without_the_concept_schemes_is_validated_with_them(store: OxigraphStore,
                                                                     tmp_path: Path) -> None:
    """The data graph is the data and the schemes (docs/shapes.md), also when the store was
    loaded without `qagraph init`; the store is left as it was."""
    out = tmp_path / "data.nt"
    generate(out, "--triples", "3000", "--violations", "0.1", "--awards-per-org", "2")
    load(store, [LoadInput(out, "synthetic", loaders.get("ntriples"))], base_iri=DEFAULT_BASE,
         validate=False)
    graphs_before = set(store.current_graphs().values())
    report = validate_store(store)
    copy = fallback.graph_of(store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"))
    reference = pyshacl_graph(copy)
    assert Counter(r.comparable for r in report.results) == Counter(r.comparable for r in reference.results)
    assert report.violations
    assert set(store.current_graphs().values()) == graphs_before
    assert not bool(store.query("ASK { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), 'vocabulary')) }"))


# -- a corpus of small graphs --------------------------------------------------------------------

ID = "https://w3id.org/qagraph/id/t/"
XSD = "http://www.w3.org/2001/XMLSchema#"
CLASSES = ["Organisation", "Credential", "IssuanceRoute", "Award", "Person", "Requirement",
           "Recognition", "Collaboration", "ControlFunction", "Standard", "QualityScheme",
           "Accreditation"]
NODES = [f"<{ID}n{i}>" for i in range(6)]
CONCEPTS = ["<https://w3id.org/qagraph/vocab/level/" + c + ">" for c in ("B", "C1", "C2", "D", "E", "F")]
CONCEPTS += ["<https://w3id.org/qagraph/vocab/identity/" + c + ">" for c in ("None", "NameCheck", "PhotoId")]


def _predicates() -> list[str]:
    found: set[str] = set()
    for shape in shapes_model().by_node.values():
        if shape.path is not None:
            found |= shape.path.predicates()
        if shape.sparql:
            found |= set(fallback.predicates([shape]) or set())
    found.discard("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return sorted(found)


PREDICATES = _predicates()
LITERALS = [
    '"x"', '"Namn"@sv', '"Name"@en', '"SE"', '"se"', '"SWE"', '"2024-01-31"',
    '"http://data.europa.eu/snb/eqf/4"',
    *(f'"{v}"^^<{XSD}{t}>' for v, t in (
        ("2", "integer"), ("0", "integer"), ("9", "integer"), ("-1", "integer"),
        ("abc", "integer"), ("true", "boolean"), ("false", "boolean"), ("2024-01-31", "date"),
        ("2023-06-30", "date"), ("30/06/2023", "date"), ("P5Y", "duration"),
        ("5 years", "duration"))),
]


def build_graph(choose: Callable[[Sequence[str]], str], count: Callable[[int], int]) -> Graph:
    """A small graph of typed nodes with values for the shapes' predicates; `choose` picks
    one of a list and `count` a number up to its argument (hypothesis, or a seeded random)."""
    lines = []
    for node in NODES:
        for _ in range(count(2)):
            lines.append(f"{node} a <{QA}{choose(CLASSES)}> .")
    values = [*NODES, *CONCEPTS, *LITERALS, "<http://data.europa.eu/snb/eqf/4>"]
    for _ in range(count(30)):
        lines.append(f"{choose(NODES)} <{choose(PREDICATES)}> {choose(values)} .")
    return Graph().parse(data="\n".join(lines), format="turtle")


@st.composite
def small_graphs(draw: st.DrawFn) -> Graph:
    return build_graph(lambda xs: draw(st.sampled_from(xs)),
                       lambda n: draw(st.integers(min_value=0, max_value=n)))


@pytest.mark.slow
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(small_graphs())
def test_small_graphs_give_what_pyshacl_gives(graph: Graph) -> None:
    _assert_same(graph)


def test_the_corpus_reaches_violations_of_many_shapes() -> None:
    """The generated graphs are not all trivially valid: across a sample they violate
    shapes of structure and of levels alike."""
    rng = random.Random(7)
    shapes: set[str] = set()
    for _ in range(8):
        graph = build_graph(rng.choice, lambda n: rng.randint(0, n))
        view, _copy = _as_stored(graph)
        shapes |= {r.shape for r in run_validation(view).results}
    assert len(shapes) >= 5 and any(s.startswith("qash:C") or "Level" in s for s in shapes), shapes


def test_term_round_trip_keeps_ill_formed_literals() -> None:
    store = ox.Store()
    store.load(f'<urn:x:s> <urn:x:p> "none"^^<{XSD}boolean> .'.encode(), format=ox.RdfFormat.N_TRIPLES)
    (quad,) = list(store)
    assert str(fallback.to_rdflib(quad.object)) == "none"


def test_ill_typed_literals_are_judged_alike_on_every_predicate() -> None:
    """The literal rule reads the same predicates in the store and in memory: a typed
    predicate's ill-typed value is reported by both, another predicate's by neither."""
    graph = Graph().parse(data=f"""
        <{ID}n0> a <{QA}Credential> ; <http://www.w3.org/2000/01/rdf-schema#subClassOf> "abc"^^<{XSD}integer> .
        <{ID}n1> a <{QA}Award> ; <{QA}issued> "30/06/2023"^^<{XSD}date> .
    """, format="turtle")
    view, copy = _as_stored(graph)
    for report in (run_validation(view), pyshacl_graph(copy, with_vocabulary=False)):
        forms = {(r.focus, r.value) for r in report.results if r.shape == "qash:LiteralFormShape"}
        assert forms == {(f"{ID}n1", "30/06/2023")}


def test_the_store_finds_the_ill_typed_values_rdflib_finds_of_every_datatype() -> None:
    """The whole-store literal check lets the store's casts pass over the values it can
    read; what it leaves, rdflib judges: the findings are rdflib's on the same triples."""
    values = ["abc", "12", " 12 ", "maybe", "true", "1", "1,5", "1.5", "5 years", "P5Y", "P",
              "2023-02-30", "2023-06-30", "30/06/2023", "2024-01-01T00:00:00", "2024-01-01 00:00",
              "1e3", "x", "2023", "20x3", "12:00:00", "noon"]
    types = ["integer", "boolean", "decimal", "double", "duration", "date", "dateTime", "time",
             "gYear", "nonNegativeInteger"]
    lines = [f'<{ID}n{i}> <{QA}issued> "{v}"^^<{XSD}{t}> .'
             for i, (v, t) in enumerate((v, t) for v in values for t in types)]
    graph = Graph().parse(data="\n".join(lines), format="turtle")
    view = memory_view(graph, with_vocabulary=False)
    found = {(r.focus, r.value) for r in run_validation(view).results if r.shape == "qash:LiteralFormShape"}
    expected = {(q.subject.value, q.object.value) for q in view.store
                if getattr(fallback.to_rdflib(q.object), "ill_typed", False)}
    assert len(expected) > 20 and found == expected
