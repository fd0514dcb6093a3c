"""Loads and validation as a data steward meets them: the whole dependency path in the
message, organisation numbers checked by their registers' rules, a source that only adds a
claim to a credential defined elsewhere, and the exit codes of `validate` and `load`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

PREFIXES = """@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix lvl: <https://w3id.org/qagraph/vocab/level/> .
@prefix dpk: <https://w3id.org/qagraph/vocab/dependency/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix o: <https://w3id.org/qagraph/id/organisation/> .
@prefix r: <https://w3id.org/qagraph/id/route/> .
@prefix c: <https://w3id.org/qagraph/id/credential/> .
@prefix d: <https://w3id.org/qagraph/id/dependency/> .
"""

C1_ROUTE = """
c:lift a qa:Credential ; rdfs:label "Lift"@en ; qa:hasRoute r:lift .
r:lift a qa:IssuanceRoute ; qa:assuranceLevel lvl:C1 ; qa:issuer o:cert ;
    qa:trainingProvider o:school ; qa:examinationProvider o:exam ; qa:examinesLearningOutcomes true ;
    qa:accreditationBody o:accreditor .
o:cert a qa:Organisation ; rdfs:label "Cert" ; qa:country "SE" .
o:school a qa:Organisation ; rdfs:label "School" ; qa:country "SE" .
o:exam a qa:Organisation ; rdfs:label "Exam" ; qa:country "SE" .
o:accreditor a qa:Organisation ; rdfs:label "Accreditor" ; qa:country "SE" .
o:holding a qa:Organisation ; rdfs:label "Holding" ; qa:country "SE" .
o:group a qa:Organisation ; rdfs:label "Group" ; qa:country "SE" .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + text, encoding="utf-8")
    return path


def test_the_load_message_shows_the_whole_dependency_path(qagraph: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "lift.ttl", C1_ROUTE + """
        o:cert qa:ownedBy o:holding .
        d:h a qa:Dependency ; qa:dependentOrganisation o:holding ; qa:onOrganisation o:group ;
            qa:dependencyKind dpk:Ownership ; qa:ownershipShare 75 ; qa:startDate "2020-01-01"^^xsd:date .
        o:school qa:subOrganisationOf o:group .
    """)
    result = qagraph("load", str(path))
    assert result.exit_code == 1
    assert "[qash:C1IssuerIndependenceShape]" in result.output
    # every step, not only the two ends
    assert "organisation/cert is owned by https://w3id.org/qagraph/id/organisation/holding" in result.output
    assert "organisation/holding is owned by https://w3id.org/qagraph/id/organisation/group (75 %, majority, from 2020-01-01)" in result.output
    assert "organisation/school is part of https://w3id.org/qagraph/id/organisation/group" in result.output
    assert "nothing in the store has changed" in result.output


def test_common_membership_is_a_warning_that_names_the_association(qagraph: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "lift.ttl", C1_ROUTE + """
        o:federation a qa:Organisation ; rdfs:label "Lifting federation" ; qa:country "SE" .
        o:cert qa:memberOf o:federation .
        o:school qa:memberOf o:federation .
    """)
    result = qagraph("load", str(path))
    assert result.exit_code == 0, result.output
    assert "[qash:CommonMembershipShape] warning" in result.output
    assert "both members of https://w3id.org/qagraph/id/organisation/federation" in result.output
    assert "C1IssuerIndependenceShape" not in result.output


@pytest.mark.parametrize(("prop", "value", "rule"), [
    ("organisationsnummer", "202100-5985", "python-stdnum se.orgnr"),
    ("organisasjonsnummer", "974760984", "python-stdnum no.orgnr"),
    ("cvrNummer", "12345675", "python-stdnum dk.cvr"),
    ("yTunnus", "1234567-2", "python-stdnum fi.ytunnus"),
])
def test_a_number_with_a_wrong_check_digit_is_a_violation_naming_its_rule(
        qagraph: Callable[..., Result], tmp_path: Path, prop: str, value: str, rule: str) -> None:
    path = write(tmp_path, "org.ttl", f'o:x a qa:Organisation ; rdfs:label "X" ; qa:{prop} "{value}" .')
    result = qagraph("load", str(path))
    assert result.exit_code == 1
    assert "[qash:OrganisationNumberChecksumShape] violation" in result.output
    assert value in result.output and rule in result.output


def test_a_number_in_the_wrong_form_is_a_violation_of_the_form_rule(qagraph: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "org.ttl", 'o:x a qa:Organisation ; rdfs:label "X" ; qa:organisationsnummer "2021005984" .')
    result = qagraph("load", str(path))
    assert result.exit_code == 1
    assert "[qash:OrganisationShape] violation" in result.output
    assert "ten digits with a hyphen after the first six" in result.output
    assert "[qash:OrganisationNumberChecksumShape]" not in result.output  # one problem, reported once


def test_valid_numbers_of_the_four_registers_load(qagraph: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "org.ttl", """
        o:se a qa:Organisation ; rdfs:label "SE" ; qa:organisationsnummer "202100-5984" .
        o:no a qa:Organisation ; rdfs:label "NO" ; qa:organisasjonsnummer "974760983" .
        o:dk a qa:Organisation ; rdfs:label "DK" ; qa:cvrNummer "12345674" .
        o:fi a qa:Organisation ; rdfs:label "FI" ; qa:yTunnus "1234567-1" .
    """)
    result = qagraph("load", str(path))
    assert result.exit_code == 0, result.output


@pytest.fixture
def sample_store(qagraph: Callable[..., Result]) -> Callable[..., Result]:
    assert qagraph("init").exit_code == 0
    return qagraph


def test_a_source_that_only_adds_a_claim_is_judged_with_the_credential_it_adds_to(
        sample_store: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "claim.ttl", "c:f-gas-kategori-i qa:claimedLevel lvl:B .")
    loaded = sample_store("load", str(path))
    assert loaded.exit_code == 0, loaded.output
    assert "[qash:ClaimedLevelShape] warning" in loaded.output  # the load shows the warning
    validated = sample_store("validate", "--source", "claim")
    assert validated.exit_code == 0, validated.output
    assert "violation" not in validated.output.replace("no violations", "")
    assert "[qash:ClaimedLevelShape] warning" in validated.output


def test_validate_exits_1_on_violations_and_does_not_speak_of_a_load(
        qagraph: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "bad.ttl", 'o:x a qa:Organisation ; qa:country "se" .')
    loaded = qagraph("load", "--allow-violations", str(path))
    assert loaded.exit_code == 0
    result = qagraph("validate")
    assert result.exit_code == 1
    assert "shape violation(s) in the store" in result.output
    assert "nothing in the store has changed" not in result.output


def test_load_with_allow_violations_commits_and_lists_the_violations(
        qagraph: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "bad.ttl", 'o:x a qa:Organisation ; qa:country "se" .')
    result = qagraph("load", "--allow-violations", str(path))
    assert result.exit_code == 0
    assert "[qash:OrganisationShape] violation" in result.output
    assert "loaded anyway (--allow-violations)" in result.output
    listed = qagraph("query", "SELECT ?c WHERE { <https://w3id.org/qagraph/id/organisation/x> qa:country ?c }")
    assert '"se"' in listed.output or "se" in listed.output.split()


def test_the_entity_page_shows_the_dependency_path(client, store_path: Path, tmp_path: Path) -> None:
    import loaders
    from graph_app.core.loading import LoadInput, load
    from graph_app.core.namespaces import DEFAULT_BASE

    store = client.application.extensions["qagraph.store"]
    path = write(tmp_path, "lift.ttl", C1_ROUTE + """
        o:school qa:ownedBy o:holding .
        o:holding qa:controlledBy o:cert .
    """)
    load(store, [LoadInput(path, "lift", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    page = client.get("/id/credential/lift?lang=en")
    assert page.status_code == 200
    assert "C1 by accreditation: Cert is accredited by Accreditor" in page.text
    assert "Not independent" in page.text
    assert "Cert depends on the trainer School: Holding is controlled by Cert; School is owned by Holding" in page.text


def test_an_ill_typed_literal_names_file_line_value_and_form_without_a_traceback(
        qagraph: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "dates.ttl", """
o:a a qa:Organisation ; rdfs:label "A" ; qa:country "SE" .
o:b a qa:Organisation ; rdfs:label "B" ; qa:country "NO" .
<https://w3id.org/qagraph/id/collaboration/x> a qa:Collaboration ;
    qa:collaborationKind <https://w3id.org/qagraph/vocab/collaboration/MutualRecognition> ;
    qa:collaborationMember o:a , o:b ;
    qa:startDate "30/06/2023"^^xsd:date .
""")
    result = qagraph("load", str(path))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "LiteralFormShape" in line]
    assert len(lines) == 1, result.output
    assert 'dates.ttl:16: The value "30/06/2023" of qa:startDate' in lines[0]
    assert "not a valid xsd:date; write it as YYYY-MM-DD, for example 2023-06-30" in lines[0]
    assert "Traceback" not in result.output
    assert "must be of type xsd:date" not in result.output  # reported once, by the form rule
    swedish = qagraph("load", str(path), lang="sv")
    assert "skriv det som ÅÅÅÅ-MM-DD, till exempel 2023-06-30" in swedish.output


def test_a_misspelt_issuer_gets_a_warning_with_the_closest_known_organisation(
        sample_store: Callable[..., Result], tmp_path: Path) -> None:
    path = write(tmp_path, "typo.ttl", """
c:y a qa:Credential ; rdfs:label "Y"@en ; qa:hasRoute r:y .
r:y a qa:IssuanceRoute ; qa:assuranceLevel lvl:E ; qa:attendanceControl true ;
    qa:issuer o:brandskydsforeningen .
""")
    result = sample_store("load", str(path))
    assert result.exit_code == 1  # the issuer is no organisation
    assert "[qash:KnownIriShape] warning" in result.output
    assert ("points with qa:issuer to https://w3id.org/qagraph/id/organisation/brandskydsforeningen, "
            "which names nothing known") in result.output
    assert "Closest known qa:Organisation: https://w3id.org/qagraph/id/organisation/brandskyddsforeningen" in result.output


def test_an_sssom_object_that_does_not_exist_gets_a_warning(sample_store: Callable[..., Result], tmp_path: Path) -> None:
    path = tmp_path / "typo.sssom.tsv"
    path.write_text(
        "# curie_map:\n#   credential: https://w3id.org/qagraph/id/credential/\n"
        "#   skos: http://www.w3.org/2004/02/skos/core#\n#   semapv: https://w3id.org/semapv/vocab/\n"
        "# mapping_set_id: https://w3id.org/qagraph/id/mappingset/typo\n"
        "# license: https://creativecommons.org/licenses/by/4.0/\n"
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
        "credential:esa\tskos:closeMatch\tcredential:sahkotyoturvalisuuskortti\tsemapv:ManualMappingCuration\n",
        encoding="utf-8")
    result = sample_store("map", "import", str(path))
    assert "[qash:KnownIriShape] warning" in result.output, result.output
    assert "Closest known qa:Credential: https://w3id.org/qagraph/id/credential/sahkotyoturvallisuuskortti" in result.output
