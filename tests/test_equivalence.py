"""Chains and conflicts over accepted mappings, one small graph per rule."""

from __future__ import annotations

from graph_app.core.equivalence import BROAD, CLOSE, EXACT, NARROW, Mapping, Reasoning

from .conftest import ROOT


def m(s: str, p: str, o: str, negated: bool = False) -> Mapping:
    return Mapping(s, p, o, f"rec-{s}-{o}", negated)


def implied(r: Reasoning, credential: str) -> dict[str, str]:
    return {e.credential: e.kind for e in r.equivalents(credential) if e.implied}


def test_exact_exact_is_exact_and_components_are_found():
    r = Reasoning.build([m("a", EXACT, "b"), m("b", EXACT, "c"), m("x", EXACT, "y")])
    assert sorted(map(sorted, r.components)) == [["a", "b", "c"], ["x", "y"]]
    assert implied(r, "a") == {"c": "exact"}
    chain = next(e for e in r.equivalents("a") if e.credential == "c").path
    assert [(s.subject, s.object) for s in chain] == [("a", "b"), ("b", "c")]


def test_exact_then_broad_is_broad():
    r = Reasoning.build([m("a", EXACT, "b"), m("b", BROAD, "c")])
    assert implied(r, "a") == {"c": "broad"}
    assert implied(r, "c") == {"a": "narrow"}


def test_broad_then_broad_is_broad_and_narrow_counts_the_other_way():
    r = Reasoning.build([m("a", BROAD, "b"), m("c", NARROW, "b")])  # b broader than a; b narrower than c
    assert implied(r, "a") == {"c": "broad"}
    path = r.entailment("a", BROAD, "c")
    assert path is not None and [s.kind for s in path] == ["broad", "narrow"]


def test_close_match_does_not_chain():
    r = Reasoning.build([m("a", CLOSE, "b"), m("b", CLOSE, "c"), m("c", EXACT, "d")])
    assert "d" not in implied(r, "a") and "c" not in implied(r, "a")
    assert {e.credential for e in r.equivalents("a")} == {"b"}


def test_exact_chain_across_levels_is_a_conflict_with_its_path():
    levels = {"a": frozenset({"B"}), "b": frozenset({"B"}), "c": frozenset({"C2"})}
    r = Reasoning.build([m("a", EXACT, "b"), m("b", EXACT, "c")], levels)
    assert [c.rule for c in r.conflicts] == ["level"]
    conflict = r.conflicts[0]
    assert set(conflict.credentials) == {"a", "c"}
    assert [(s.subject, s.object) for s in conflict.path] == [("a", "b"), ("b", "c")]
    assert r.conflicts_for("b") == [conflict]


def test_multi_route_credentials_compare_their_sets_of_levels():
    levels = {"a": frozenset({"C1", "D"}), "b": frozenset({"C1"})}
    assert [c.rule for c in Reasoning.build([m("a", EXACT, "b")], levels).conflicts] == ["level"]
    same = {"a": frozenset({"C1", "D"}), "b": frozenset({"D", "C1"})}
    assert Reasoning.build([m("a", EXACT, "b")], same).conflicts == []


def test_a_chain_contradicting_a_not_mapping_is_a_conflict():
    r = Reasoning.build([m("a", EXACT, "b"), m("b", EXACT, "c"), m("a", EXACT, "c", negated=True)])
    assert [c.rule for c in r.conflicts] == ["negation"]
    path = r.conflicts[0].path
    assert path[0].subject == "a" and path[0].object == "c"  # the denied statement first
    assert [(s.subject, s.object) for s in path[1:]] == [("a", "b"), ("b", "c")]


def test_a_not_mapping_alone_publishes_nothing_and_is_no_conflict():
    r = Reasoning.build([m("a", EXACT, "c", negated=True), m("a", CLOSE, "c")])
    assert r.conflicts == []
    assert [e.kind for e in r.equivalents("a")] == ["close"]


def test_a_broad_match_cycle_is_a_conflict():
    r = Reasoning.build([m("a", BROAD, "b"), m("b", BROAD, "c"), m("c", BROAD, "a")])
    assert [c.rule for c in r.conflicts] == ["cycle"]
    assert {s.subject for s in r.conflicts[0].path} == {"a", "b", "c"}


def test_a_broad_cycle_through_an_exact_match_is_a_conflict():
    r = Reasoning.build([m("a", BROAD, "b"), m("b", EXACT, "a")])
    assert [c.rule for c in r.conflicts] == ["cycle"]


def test_map_check_lists_conflicts_and_exits_1(qagraph, tmp_path):
    text = (ROOT / "tests" / "sssom" / "small.sssom.tsv").read_text(encoding="utf-8")
    # add a chain that contradicts the Not mapping: heta-arbeten exactMatch varme-arbeider
    text += ("credential:heta-arbeten\tskos:exactMatch\t\tcredential:varme-arbeider\t"
             "semapv:ManualMappingCuration\torcid:0000-0002-0000-0001\t\t2026-01-13\t\t\t\n")
    path = tmp_path / "conflict.sssom.tsv"
    path.write_text(text, encoding="utf-8")
    assert qagraph("map", "import", str(path)).exit_code == 0
    result = qagraph("map", "check")
    assert result.exit_code == 1
    assert "negation: id:credential/varmt-arbejde / id:credential/heta-arbeten" in result.output
    assert "1 conflicts" in result.output
    assert "contradicts a 'not equivalent' mapping" in result.output
    swedish = qagraph("map", "check", lang="sv")
    assert swedish.exit_code == 1 and "motsäger en mappning om att bevisen inte är likvärdiga" in swedish.output


def test_map_check_exits_0_without_conflicts(qagraph):
    assert qagraph("map", "import", str(ROOT / "tests" / "sssom" / "small.sssom.tsv")).exit_code == 0
    result = qagraph("map", "check")
    assert result.exit_code == 0, result.output
    assert "0 conflicts" in result.output


def test_every_pair_of_different_levels_in_a_chain_is_listed():
    levels = {"b": frozenset({"B"}), "c2": frozenset({"C2"}), "d": frozenset({"D"})}
    r = Reasoning.build([m("b", EXACT, "c2"), m("c2", EXACT, "d")], levels)
    pairs = {frozenset(c.credentials) for c in r.conflicts if c.rule == "level"}
    assert pairs == {frozenset({"b", "c2"}), frozenset({"b", "d"}), frozenset({"c2", "d"})}


def test_map_check_sees_plain_skos_triples_and_reports_them_as_unmanaged(qagraph, tmp_path):
    """An exactMatch loaded as plain RDF joins a B and a C1 credential: map check sees the
    level conflict and names the mapping as unmanaged."""
    path = tmp_path / "plain.ttl"
    path.write_text("""
        @prefix qa: <https://w3id.org/qagraph/ontology#> .
        @prefix lvl: <https://w3id.org/qagraph/vocab/level/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix c: <https://w3id.org/qagraph/id/credential/> .
        @prefix r: <https://w3id.org/qagraph/id/route/> .
        c:sector a qa:Credential ; qa:hasRoute r:sector . r:sector qa:assuranceLevel lvl:B .
        c:third a qa:Credential ; qa:hasRoute r:third . r:third qa:assuranceLevel lvl:C1 .
        c:sector skos:exactMatch c:third .
    """, encoding="utf-8")
    assert qagraph("load", "--no-validate", str(path)).exit_code == 0
    result = qagraph("map", "check")
    assert result.exit_code == 1, result.output
    assert "level: id:credential/sector / id:credential/third (" in result.output
    assert "[no SSSOM record]" in result.output
    assert "1 SKOS mapping(s) between credentials without an SSSOM record (unmanaged)" in result.output
    assert "  id:credential/sector exact id:credential/third" in result.output
