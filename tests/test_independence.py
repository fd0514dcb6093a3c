"""Independence reasoning with networkx: paths in either direction, any depth."""

from __future__ import annotations

from pathlib import Path

import loaders
from graph_app.core.independence import dependences, dependency_graph, explain
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE, QA

PREFIXES = """@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix lvl: <https://w3id.org/qagraph/vocab/level/> .
@prefix o: <https://w3id.org/qagraph/id/organisation/> .
@prefix r: <https://w3id.org/qagraph/id/route/> .
@prefix c: <https://w3id.org/qagraph/id/credential/> .
"""


def put(store, tmp_path: Path, text: str) -> None:
    path = tmp_path / "deps.ttl"
    path.write_text(PREFIXES + text, encoding="utf-8")
    load(store, [LoadInput(path, "deps", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)


def org(slug: str) -> str:
    return f"{DEFAULT_BASE}organisation/{slug}"


def test_a_path_of_any_length_in_either_direction_is_a_dependence(store, tmp_path):
    put(store, tmp_path, """
        o:issuer qa:ownedBy o:holding .
        o:school qa:subOrganisationOf o:group .
        o:group qa:controlledBy o:holding .
        o:other qa:memberOf o:club .
    """)
    graph = dependency_graph(store)
    path = explain(graph, org("issuer"), org("school"))
    assert path is not None and len(path) == 3
    assert [s.property.rsplit("#", 1)[1] for s in path] == ["ownedBy", "controlledBy", "subOrganisationOf"]
    assert explain(graph, org("issuer"), org("other")) is None
    assert explain(graph, org("issuer"), org("issuer")) == ()


def test_c1_routes_whose_issuer_or_examiner_depends_on_a_trainer_are_found(store, tmp_path):
    put(store, tmp_path, """
        c:x qa:hasRoute r:x1, r:x2 .
        r:x1 qa:assuranceLevel lvl:C1 ; qa:issuer o:cert ;
            qa:trainingProvider o:school ; qa:examinationProvider o:exam .
        o:school qa:ownedBy o:cert .
        r:x2 qa:assuranceLevel lvl:C2 ; qa:issuer o:school ;
            qa:trainingProvider o:school .
        c:y qa:hasRoute r:y1 .
        r:y1 qa:assuranceLevel lvl:C1 ; qa:issuer o:authority ;
            qa:trainingProvider o:school ; qa:examinationProvider o:school .
    """)
    found = dependences(store)
    summary = {(d.route.rsplit("/", 1)[1], d.role.rsplit("#", 1)[1], len(d.path)) for d in found}
    assert summary == {("x1", "issuer", 1), ("y1", "examinationProvider", 0)}
    [x1] = [d for d in found if d.route.endswith("x1")]
    assert x1.credential == f"{DEFAULT_BASE}credential/x"
    assert x1.path[0].property == QA + "ownedBy"


def test_cli_lists_dependences_and_exits_1(qagraph, store_path, tmp_path):
    from graph_app.core.store import OxigraphStore

    s = OxigraphStore(store_path)
    put(s, tmp_path, """
        c:x qa:hasRoute r:x1 .
        r:x1 qa:assuranceLevel lvl:C1 ; qa:issuer o:cert ; qa:trainingProvider o:school .
        o:school qa:ownedBy o:cert .
    """)
    s.close()
    result = qagraph("independence")
    assert result.exit_code == 1
    assert "route/x1" in result.output and "qa:ownedBy" in result.output


def test_cli_says_all_independent(qagraph):
    result = qagraph("independence")
    assert result.exit_code == 0 and "independent" in result.output
