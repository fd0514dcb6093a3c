"""A load validates only what its triples can affect, and reports what a whole validation
would: the results after the load that the store did not have before it."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.shacl.affected import model_triggers
from graph_app.core.store import OxigraphStore
from graph_app.core.validation import StoreView, run_validation, shapes_model, validate_staged
from loaders import registry as loaders
from tests.test_bench_generate import generate

QA = "https://w3id.org/qagraph/ontology#"
ID = "https://w3id.org/qagraph/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"


def generated_store(folder: Path, *args: str, more: Sequence[LoadInput] = ()) -> OxigraphStore:
    """A store of data generated with `args` (bench/generate.py), the concept schemes, and
    `more`."""
    from graph_app.cli import bundled_inputs

    out = folder / "data.nt"
    generate(out, *args)
    store = OxigraphStore(folder / "store")
    inputs = [i for i in bundled_inputs() if i.source.startswith("scheme-")]
    inputs.append(LoadInput(out, "synthetic", loaders.get("ntriples")))
    load(store, [*inputs, *more], base_iri=DEFAULT_BASE, validate=False)
    return store


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    """A store of generated data with known violations, and the concept schemes."""
    store = generated_store(tmp_path_factory.mktemp("incremental"), "--triples", "4000", "--violations", "0.1",
                            "--awards-per-org", "3")
    yield store
    store.close()


def _nodes(store: OxigraphStore, cls: str, n: int = 6) -> list[ox.NamedNode]:
    rows = store.query(f"SELECT ?s WHERE {{ ?s a <{QA}{cls}> }} ORDER BY ?s LIMIT {n}")
    return [r["s"] for r in rows]  # type: ignore[union-attr]


def whole_difference(store: OxigraphStore, staged: list, replacing: list[str]) -> Counter:
    """What a whole validation reports after the change and not before it."""
    before = run_validation(StoreView(store, exclude_sources=replacing))
    after = run_validation(StoreView(store, exclude_sources=replacing, staged=staged))
    seen = {r.key for r in before.results}
    return Counter(r.key for r in after.results if r.key not in seen)


def check_change(store: OxigraphStore, triples: list[ox.Triple]) -> Counter:
    staged = store.stage("change", "change.nt", "")
    try:
        store.write_staged(staged, triples)
        found = Counter(r.key for r in validate_staged(store, [staged]).results)
        expected = whole_difference(store, [staged], [])
    finally:
        store.discard([staged])
    assert found == expected, f"incremental only: {found - expected}\nwhole only: {expected - found}"
    return found


def _change(rng_choice, rng_int, store: OxigraphStore) -> list[ox.Triple]:
    """A few triples about existing and new nodes, over the predicates the shapes read."""
    existing = [n for cls in ("Award", "IssuanceRoute", "Credential", "Organisation", "Person")
                for n in _nodes(store, cls, 4)]
    new = [ox.NamedNode(f"{ID}t/new{i}") for i in range(3)]
    nodes = existing + new
    predicates = sorted({p for trig in model_triggers(shapes_model()).values()
                         for t in trig for p in (t.predicates or ())})
    values: list[ox.NamedNode | ox.Literal] = [
        *nodes, *(ox.NamedNode(f"https://w3id.org/qagraph/vocab/level/{c}") for c in ("B", "C1", "D", "F")),
        *(ox.NamedNode(f"https://w3id.org/qagraph/vocab/identity/{c}") for c in ("None", "PhotoId")),
        *(ox.NamedNode(QA + c) for c in ("Award", "Organisation", "IssuanceRoute", "Person")),
        ox.Literal("x"), ox.Literal("SE"), ox.Literal("2024-01-31", datatype=ox.NamedNode(XSD + "date")),
        ox.Literal("2020-01-31", datatype=ox.NamedNode(XSD + "date")), ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ]
    triples = []
    for _ in range(rng_int(1, 12)):
        predicate = rng_choice(predicates)
        obj = rng_choice(values)
        if predicate == RDF_TYPE:
            obj = rng_choice([ox.NamedNode(QA + c) for c in ("Award", "Organisation", "IssuanceRoute", "Person", "Credential")])
        triples.append(ox.Triple(rng_choice(nodes), ox.NamedNode(predicate), obj))
    return triples


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_small_change_reports_what_a_whole_validation_reports(base_store: OxigraphStore,
                                                                  data: st.DataObject) -> None:
    triples = _change(lambda xs: data.draw(st.sampled_from(xs)),
                      lambda a, b: data.draw(st.integers(min_value=a, max_value=b)), base_store)
    check_change(base_store, triples)


def test_changes_reach_results_on_both_sides(base_store: OxigraphStore) -> None:
    """The random changes are not all harmless: across a sample some introduce results."""
    rng = random.Random(3)
    introduced = 0
    for _ in range(8):
        introduced += sum(check_change(base_store, _change(rng.choice, rng.randint, base_store)).values())
    assert introduced > 0


def test_a_dependency_added_far_away_breaks_independence(base_store: OxigraphStore) -> None:
    """A dependency between two organisations that no changed route names still makes a
    C1 route dependent: the closure is followed from the changed organisations."""
    row = next(iter(base_store.query(  # type: ignore[call-overload]
        f"SELECT ?r ?i ?t WHERE {{ ?r <{QA}assuranceLevel> <https://w3id.org/qagraph/vocab/level/C1> ; "
        f"<{QA}issuer> ?i ; <{QA}trainingProvider> ?t }} ORDER BY ?r LIMIT 1")))
    triples = [ox.Triple(row["i"], ox.NamedNode(QA + "controlledBy"), row["t"])]
    found = check_change(base_store, triples)
    assert any(key[1] == "qash:C1IssuerIndependenceShape" for key in found)


def test_replacing_a_source_reports_only_what_the_new_version_introduces(
        base_store: OxigraphStore, tmp_path: Path) -> None:
    source = tmp_path / "extra.nt"
    award = ox.NamedNode(f"{ID}example/award/extra")
    source.write_text(f"{award} <{RDF_TYPE}> <{QA}Award> .\n", encoding="utf-8")
    load(base_store, [LoadInput(source, "extra", loaders.get("ntriples"))], base_iri=DEFAULT_BASE,
         validate=False)
    staged = base_store.stage("extra", "extra.nt", "")
    try:
        base_store.write_staged(staged, [ox.Triple(award, ox.NamedNode(RDF_TYPE), ox.NamedNode(QA + "Award")),
                                         ox.Triple(award, ox.NamedNode(QA + "issued"),
                                                   ox.Literal("2020-01-31", datatype=ox.NamedNode(XSD + "date")))])
        found = Counter(r.key for r in validate_staged(base_store, [staged], replacing=["extra"]).results)
        assert found == whole_difference(base_store, [staged], ["extra"])
        assert found, "the award still lacks an awardee and a credential"
    finally:
        base_store.discard([staged])
        base_store.drop("extra")


def test_a_change_to_the_class_hierarchy_is_validated_as_a_whole(base_store: OxigraphStore) -> None:
    staged = base_store.stage("change", "change.nt", "")
    try:
        base_store.write_staged(staged, [ox.Triple(ox.NamedNode(f"{ID}t/Special"),
                                                   ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                                                   ox.NamedNode(QA + "Award"))])
        report = validate_staged(base_store, [staged])
        assert report.escalated
    finally:
        base_store.discard([staged])


def test_a_load_of_a_new_source_is_validated_over_the_union_of_graphs(base_store: OxigraphStore) -> None:
    """A new source replaces nothing: its load sees every graph and its own, which the
    store reads with one index lookup (an explicit list of graphs takes one per graph);
    a source that is replaced is left out by an explicit list."""
    staged = base_store.stage("brand-new", "brand-new.nt", "")
    try:
        assert base_store.dataset_graphs(["brand-new"], [staged]) == []
        assert StoreView(base_store, ["brand-new"], [staged]).graphs == []
        before = base_store.dataset_graphs(["brand-new"])
        assert before and staged.graph not in before, "without the load: its graph left out"
        replaced = base_store.current_graphs()["synthetic"]
        graphs = base_store.dataset_graphs(["synthetic"], [staged])
        assert staged.graph in graphs and replaced not in graphs
    finally:
        base_store.discard([staged])
