"""Independence reasoning with networkx: paths in either direction, any depth, over kinds of
dependency with shares and dates, on a date; membership is not a dependency."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import loaders
from graph_app.core.independence import dependences, dependency_graph, explain, path_text
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE, QA

STORE_KINDS = ("embedded", "remote")

PREFIXES = """@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix lvl: <https://w3id.org/qagraph/vocab/level/> .
@prefix o: <https://w3id.org/qagraph/id/organisation/> .
@prefix r: <https://w3id.org/qagraph/id/route/> .
@prefix c: <https://w3id.org/qagraph/id/credential/> .
@prefix d: <https://w3id.org/qagraph/id/dependency/> .
@prefix dpk: <https://w3id.org/qagraph/vocab/dependency/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
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


def test_cli_lists_dependences_and_exits_1(qagraph, open_store, tmp_path):
    s = open_store()
    put(s, tmp_path, """
        c:x qa:hasRoute r:x1 .
        r:x1 qa:assuranceLevel lvl:C1 ; qa:issuer o:cert ; qa:trainingProvider o:school .
        o:school qa:ownedBy o:cert .
    """)
    s.close()
    result = qagraph("independence")
    assert result.exit_code == 1
    assert "route/x1" in result.output
    assert "id:organisation/school is owned by id:organisation/cert" in result.output


def test_cli_says_all_independent(qagraph):
    result = qagraph("independence")
    assert result.exit_code == 0 and "independent" in result.output


def test_common_membership_of_an_association_is_not_a_dependence(store, tmp_path):
    """A federation would otherwise make every member dependent on every other."""
    put(store, tmp_path, """
        o:issuer qa:memberOf o:federation .
        o:school qa:memberOf o:federation .
        c:x qa:hasRoute r:x1 .
        r:x1 qa:assuranceLevel lvl:C1 ; qa:issuer o:issuer ; qa:trainingProvider o:school .
    """)
    assert explain(dependency_graph(store), org("issuer"), org("school")) is None
    assert dependences(store) == []


def test_a_dated_dependency_counts_only_on_the_days_it_holds(store, tmp_path):
    put(store, tmp_path, """
        d:sold a qa:Dependency ; qa:dependentOrganisation o:school ; qa:onOrganisation o:cert ;
            qa:dependencyKind dpk:Ownership ; qa:ownershipShare 60.0 ;
            qa:startDate "2010-01-01"^^xsd:date ; qa:endDate "2015-12-31"^^xsd:date .
        c:x qa:hasRoute r:x1 .
        r:x1 qa:assuranceLevel lvl:C1 ; qa:issuer o:cert ; qa:trainingProvider o:school .
    """)
    [during] = dependences(store, on=date(2014, 6, 1))
    assert during.path[0].share == 60.0 and during.path[0].is_majority()
    assert during.path[0].record == f"{DEFAULT_BASE}dependency/sold"
    assert dependences(store, on=date(2016, 1, 1)) == []
    assert path_text(during.path, "sv") == (
        "id:organisation/school ägs av id:organisation/cert (60 %, majoritet, från 2010-01-01, till 2015-12-31)")


def test_every_kind_breaks_independence_at_any_depth_in_either_direction(store, tmp_path):
    put(store, tmp_path, """
        d:a a qa:Dependency ; qa:dependentOrganisation o:issuer ; qa:onOrganisation o:group ;
            qa:dependencyKind dpk:SubOrganisation .
        d:b a qa:Dependency ; qa:dependentOrganisation o:group ; qa:onOrganisation o:board ;
            qa:dependencyKind dpk:SharedManagement .
        d:c a qa:Dependency ; qa:dependentOrganisation o:school ; qa:onOrganisation o:board ;
            qa:dependencyKind dpk:Control ; qa:startDate "2030-01-01"^^xsd:date .
        o:school qa:ownedBy o:fund .
        o:fund qa:ownedBy o:group .
    """)
    graph = dependency_graph(store, date(2026, 1, 1))
    path = explain(graph, org("issuer"), org("school"))
    assert path is not None
    assert [s.kind.rsplit("/", 1)[1] for s in path] == ["SubOrganisation", "Ownership", "Ownership"]
    # from 2030 the control adds a second path of the same length; either explains it
    later = explain(dependency_graph(store, date(2031, 1, 1)), org("school"), org("issuer"))
    assert later is not None and len(later) == 3


def test_cli_judges_on_the_date_given(qagraph, open_store, tmp_path):
    s = open_store()
    put(s, tmp_path, """
        d:sold a qa:Dependency ; qa:dependentOrganisation o:school ; qa:onOrganisation o:cert ;
            qa:dependencyKind dpk:Ownership ; qa:endDate "2015-12-31"^^xsd:date .
        c:x qa:hasRoute r:x1 .
        r:x1 qa:assuranceLevel lvl:C1 ; qa:issuer o:cert ; qa:trainingProvider o:school .
    """)
    s.close()
    assert qagraph("independence", "--on", "2015-06-01").exit_code == 1
    assert qagraph("independence", "--on", "2016-06-01").exit_code == 0
