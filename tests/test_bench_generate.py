"""The synthetic data generator (bench/generate.py): deterministic, the size asked for,
valid RDF that follows the model, and known violations that SHACL finds exactly."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph
from rdflib.namespace import SH

from graph_app.core import resources
from graph_app.core.validation import validate_graph

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "generate.py"
QA = "https://w3id.org/qagraph/ontology#"
EXAMPLE = "https://w3id.org/qagraph/id/example/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LEVELS = {f"https://w3id.org/qagraph/vocab/level/{code}" for code in ("B", "C1", "C2", "D", "E", "F")}


def _load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_generate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def generate(out: Path, *args: str) -> dict:
    """Run the generator in-process; return its sidecar."""
    gen.generate(gen.parse_args(["-o", str(out), *args]))
    return json.loads(gen.sidecar_path(out).read_text(encoding="utf-8"))


def store_of(path: Path) -> ox.Store:
    store = ox.Store()
    fmt = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES
    store.load(path=str(path), format=fmt)
    return store


def select(store: ox.Store, text: str) -> list[tuple]:
    rows = store.query(f"PREFIX qa: <{QA}>\n{text}")
    return [tuple(row) for row in rows]  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_same_arguments_give_identical_bytes(tmp_path: Path, fmt: str) -> None:
    args = ("--triples", "5000", "--violations", "0.05", "--big-org-awards", "30")
    generate(tmp_path / f"a.{fmt}", *args)
    generate(tmp_path / f"b.{fmt}", *args)
    assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()
    assert (tmp_path / f"a.{fmt}.violations.json").read_bytes() == (
        tmp_path / f"b.{fmt}.violations.json"
    ).read_bytes()
    generate(tmp_path / f"c.{fmt}", *args, "--seed", "2")
    assert (tmp_path / f"a.{fmt}").read_bytes() != (tmp_path / f"c.{fmt}").read_bytes()


@pytest.mark.parametrize("triples", [5000, 20000])
def test_size_within_one_percent_and_reported_exactly(tmp_path: Path, triples: int) -> None:
    out = tmp_path / "data.nt"
    sidecar = generate(out, "--triples", str(triples))
    store = store_of(out)
    assert len(store) == sidecar["triples"]
    assert abs(sidecar["triples"] - triples) <= 0.01 * triples


def test_turtle_and_ntriples_hold_the_same_triples(tmp_path: Path) -> None:
    generate(tmp_path / "data.nt", "--triples", "5000", "--violations", "0.1")
    generate(tmp_path / "data.ttl", "--triples", "5000", "--violations", "0.1")
    nt = {(q.subject, q.predicate, q.object) for q in store_of(tmp_path / "data.nt")}
    ttl = {(q.subject, q.predicate, q.object) for q in store_of(tmp_path / "data.ttl")}
    assert nt == ttl


def test_command_line_prints_the_triple_count(tmp_path: Path) -> None:
    out = tmp_path / "data.nt"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--triples", "5000", "-o", str(out), "--big-org-awards", "10"],
        capture_output=True, text=True, check=True,
    )
    sidecar = json.loads(gen.sidecar_path(out).read_text(encoding="utf-8"))
    assert f"triples: {sidecar['triples']}" in done.stderr
    assert gen.BIG_ORG_IRI in done.stderr


def test_every_route_has_exactly_one_level(tmp_path: Path) -> None:
    out = tmp_path / "data.nt"
    generate(out, "--triples", "5000", "--violations", "0.2", "--awards-per-org", "5")
    store = store_of(out)
    rows = select(store, """
        SELECT ?route (COUNT(?level) AS ?n) (SAMPLE(?level) AS ?one) WHERE {
          ?route a qa:IssuanceRoute . OPTIONAL { ?route qa:assuranceLevel ?level }
        } GROUP BY ?route""")
    assert len(rows) > 10
    for route, count, level in rows:
        assert int(count.value) == 1, route
        assert level.value in LEVELS
    # Every route belongs to exactly one credential, and every credential has a route.
    assert not select(store, """
        SELECT ?route WHERE { ?route a qa:IssuanceRoute .
          FILTER NOT EXISTS { ?c qa:hasRoute ?route } }""")
    assert not select(store, """
        SELECT ?c WHERE { ?c a qa:Credential . FILTER NOT EXISTS { ?c qa:hasRoute ?r } }""")


def test_persons_are_invented_and_only_in_the_example_namespace(tmp_path: Path) -> None:
    out = tmp_path / "data.nt"
    generate(out, "--triples", "5000")
    store = store_of(out)
    persons = [q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(QA + "Person"))]
    assert persons
    assert all(p.startswith(EXAMPLE + "person/") for p in persons)
    # Whatever lives in the example namespace is an invented person or award.
    types: dict[str, list[str]] = {}
    for q in store.quads_for_pattern(None, RDF_TYPE, None):
        types.setdefault(q.subject.value, []).append(q.object.value)
    for q in store:
        for term in (q.subject, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(EXAMPLE):
                assert types.get(term.value) in ([QA + "Person"], [QA + "Award"]), term
    marked = {
        q.subject.value
        for q in store.quads_for_pattern(
            None, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
            ox.Literal("Invented example person", language="en"))
    }
    assert marked == set(persons)
    # Awards are most of the data, as in reality.
    example_triples = sum(1 for q in store if q.subject.value.startswith(EXAMPLE))
    assert example_triples > 0.8 * len(store)


def test_big_organisation_awards_exactly_n(tmp_path: Path) -> None:
    out = tmp_path / "data.nt"
    sidecar = generate(out, "--triples", "20000", "--big-org-awards", "700")
    assert sidecar["big_organisation"] == gen.BIG_ORG_IRI
    store = store_of(out)
    ((count,),) = select(store, f"""
        SELECT (COUNT(?a) AS ?n) WHERE {{ ?a qa:awardedBy <{gen.BIG_ORG_IRI}> }}""")
    assert int(count.value) == 700
    assert select(store, f"SELECT ?c WHERE {{ <{gen.BIG_ORG_IRI}> a qa:Organisation ; qa:country ?c }}")


def test_expected_shape_ids_are_declared_in_the_shapes() -> None:
    shapes = resources.shapes_graph()
    declared = {
        shapes.namespace_manager.normalizeUri(s) for s in shapes.subjects(RDF.type, SH.NodeShape)
    }
    missing = sorted(set(gen.SHAPE_OF.values()) - declared)
    assert not missing, f"shapes the generator expects but shapes/*.ttl lacks: {missing}"


def _validate(path: Path) -> set[tuple[str, str]]:
    data = Graph()
    data.parse(path, format="nt")
    report = validate_graph(data)
    return {(r.focus, r.shape) for r in report.violations}


needs_schemes = pytest.mark.skipif(
    not resources.scheme_files() or not resources.shape_files(),
    reason="the concept schemes (ontology/schemes/) and shapes (shapes/) are needed",
)


@pytest.mark.slow
@needs_schemes
def test_valid_data_has_no_violations(tmp_path: Path) -> None:
    out = tmp_path / "data.nt"
    sidecar = generate(out, "--triples", "1500", "--awards-per-org", "2", "--big-org-awards", "20")
    assert sidecar["violations"] == []
    assert _validate(out) == set()


@pytest.mark.slow
@needs_schemes
def test_shacl_finds_exactly_the_known_violations(tmp_path: Path) -> None:
    out = tmp_path / "data.nt"
    # Every route and every award violates one shape; a large catalogue (few awards per
    # organisation) gives routes of every level, so every kind of violation occurs.
    sidecar = generate(out, "--triples", "2000", "--violations", "1", "--awards-per-org", "1")
    expected = {(v["focus"], v["shape"]) for v in sidecar["violations"]}
    assert {v["kind"] for v in sidecar["violations"]} == set(gen.SHAPE_OF)
    assert _validate(out) == expected


def test_violations_are_the_fraction_asked_for(tmp_path: Path) -> None:
    sidecar = generate(tmp_path / "data.nt", "--triples", "20000", "--violations", "0.1")
    counts = sidecar["counts"]
    awards = sum(1 for v in sidecar["violations"] if v["kind"].startswith("award_"))
    routes = len(sidecar["violations"]) - awards
    assert abs(awards - 0.1 * counts["awards"]) <= 1
    assert abs(routes - 0.1 * counts["routes"]) <= 1
    assert len({v["focus"] for v in sidecar["violations"]}) == len(sidecar["violations"])
    assert generate(tmp_path / "none.nt", "--triples", "20000")["violations"] == []


def test_a_planted_c1_dependence_joins_issuer_and_trainer_by_dependencies(tmp_path: Path) -> None:
    """Membership of an association is not a dependency: the trainer of every planted
    `c1_issuer_depends_on_trainer` is the issuer, or joined to it by ownership, control or
    being a part of, never only through a membership."""
    out = tmp_path / "c1.nt"
    sidecar = generate(out, "--triples", "400000", "--violations", "1", "--seed", "3")
    planted = [v["focus"] for v in sidecar["violations"] if v["kind"] == "c1_issuer_depends_on_trainer"]
    store = store_of(out)
    deps = "|".join(f"qa:{p}|^qa:{p}" for p in ("ownedBy", "controlledBy", "subOrganisationOf"))
    assert len(planted) > 20
    apart = [route for route in planted if not bool(store.query(
        f"PREFIX qa: <{QA}> ASK {{ <{route}> qa:issuer ?i ; qa:trainingProvider ?t . ?i ({deps})* ?t }}"))]
    assert apart == []
