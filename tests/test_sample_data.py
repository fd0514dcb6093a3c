"""The sample data in data/: it parses, every fact carries its public source, labels come in
Swedish and English, invented persons stay in the example namespace, and the level and
recognition facts the demos rely on hold.

These checks use rdflib only and read nothing but data/; the SHACL shapes are tested apart.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS

DATA = Path(__file__).resolve().parents[1] / "data"
FILES = sorted(DATA.glob("*.ttl"))

QA = Namespace("https://w3id.org/qagraph/ontology#")
LVL = Namespace("https://w3id.org/qagraph/vocab/level/")
IDV = Namespace("https://w3id.org/qagraph/vocab/identity/")
SCHEMA = Namespace("https://schema.org/")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
ID = "https://w3id.org/qagraph/id/"
EX = "https://w3id.org/qagraph/id/example/"

KINDS = {
    "organisation",
    "credential",
    "route",
    "scheme",
    "standard",
    "collaboration",
    "recognition",
    "requirement",
    "control",
    "outcome",
    "accreditation",
    "person",
    "award",
    "mapping",
    "mappingset",
    "condition",
    "dependency",
    "validity",
}
SOURCED_CLASSES = [
    QA.Credential,
    QA.IssuanceRoute,
    QA.Organisation,
    QA.Recognition,
    QA.Requirement,
    QA.ControlFunction,
    QA.Standard,
    QA.QualityScheme,
    QA.Collaboration,
    QA.Accreditation,
    QA.Condition,
]
PERSON_CLASSES = [QA.Person, FOAF.Person, SCHEMA.Person, URIRef("http://schema.org/Person")]

# docs/model.md: B, C1 and C2 awards need identity verification of at least photo ID
# (strength 3), D awards at least a name check (strength 2).
IDV_STRENGTH = {
    IDV["None"]: 0,
    IDV.SelfDeclared: 1,
    IDV.NameCheck: 2,
    IDV.PhotoId: 3,
    IDV.ElectronicId: 4,
}
LEVEL_MIN_STRENGTH = {LVL.B: 3, LVL.C1: 3, LVL.C2: 3, LVL.D: 2, LVL.E: 0, LVL.F: 0}

HOT_WORK_CUTOFF = date(2023, 6, 30)
NORDIC_HOT_WORK = {
    URIRef(ID + f"credential/{s}") for s in ("varmt-arbejde", "varme-arbeider", "tulityokortti")
}
SWEDISH_HOT_WORK_REQUIREMENT = URIRef(ID + "requirement/heta-arbeten-forsakringsvillkor")


@cache
def graph() -> Graph:
    g = Graph()
    for f in FILES:
        g.parse(f, format="turtle")
    return g


def in_example(node: object) -> bool:
    return str(node).startswith(EX)


def local(node: object) -> str:
    return str(node).removeprefix(ID)


def nodes_of(cls: URIRef) -> set[URIRef]:
    return set(graph().subjects(RDF.type, cls))


def test_the_slices_are_there() -> None:
    names = {f.name for f in FILES}
    for expected in (
        "organisations.ttl",
        "hot-work.ttl",
        "electrical-safety.ttl",
        "tripartite.ttl",
        "construction.ttl",
        "accreditation.ttl",
        "control-functions.ttl",
        "requirements.ttl",
        "recognitions.ttl",
        "example-persons.ttl",
    ):
        assert expected in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_file_parses_on_its_own(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    assert len(g) > 0


def test_at_least_fifteen_credentials() -> None:
    assert len(nodes_of(QA.Credential)) >= 15


def test_data_iris_follow_the_scheme() -> None:
    pattern = re.compile(r"^(example/)?([a-z]+)/[a-z0-9]+(-[a-z0-9]+)*$")
    for s in set(graph().subjects()):
        if not isinstance(s, URIRef) or not str(s).startswith(ID):
            continue
        m = pattern.match(local(s))
        assert m, f"{s} is not {{kind}}/{{slug}} with a lowercase ASCII slug"
        assert m.group(2) in KINDS, f"{s} uses an unknown kind"


def test_every_referenced_data_iri_is_described() -> None:
    described = set(graph().subjects(RDF.type, None))
    for s, p, o in graph():
        if isinstance(o, URIRef) and str(o).startswith(ID) and p != DCTERMS.source:
            assert o in described, f"{s} {p} points to {o}, which no data file describes"


@pytest.mark.parametrize("cls", SOURCED_CLASSES, ids=lambda c: c.fragment)
def test_every_fact_group_has_a_public_source(cls: URIRef) -> None:
    for node in nodes_of(cls):
        if in_example(node):
            continue
        sources = list(graph().objects(node, DCTERMS.source))
        assert sources, f"{node} has no dcterms:source"
        for src in sources:
            assert isinstance(src, URIRef) and re.match(r"^https?://", str(src)), (
                f"{node} has a source that is not an http(s) URL: {src!r}"
            )


def test_labelled_nodes_have_swedish_and_english_labels() -> None:
    for node in set(graph().subjects(RDFS.label, None)):
        if in_example(node):
            continue
        langs = {
            lbl.language for lbl in graph().objects(node, RDFS.label) if isinstance(lbl, Literal)
        }
        assert {"sv", "en"} <= langs, f"{node} lacks a label in sv or en: {langs}"


@pytest.mark.parametrize(
    "label, lang",
    [
        ("Heta Arbeten", "sv"),
        ("Tulityökortti", "fi"),
        ("Varme arbeider", "nb"),
        ("Varmt arbejde", "da"),
    ],
)
def test_credentials_carry_their_original_names(label: str, lang: str) -> None:
    assert any(graph().subjects(RDFS.label, Literal(label, lang=lang)))


def test_persons_are_invented_and_live_only_in_the_example_namespace() -> None:
    persons = set()
    for cls in PERSON_CLASSES:
        persons |= nodes_of(cls)
    persons |= set(graph().objects(None, QA.awardee))
    assert len(persons) >= 20
    for person in persons:
        assert in_example(person), f"{person} is a person outside the example namespace"
        comments = set(graph().objects(person, RDFS.comment))
        assert Literal("Påhittad exempelperson", lang="sv") in comments, person
        assert Literal("Invented example person", lang="en") in comments, person
        assert any(graph().objects(person, RDFS.label)), person


def test_awards_live_only_in_the_example_namespace() -> None:
    awards = nodes_of(QA.Award) | set(graph().subjects(QA.awardee, None))
    assert awards
    assert all(in_example(a) for a in awards)


def test_each_route_has_exactly_one_level_and_one_credential() -> None:
    routes = nodes_of(QA.IssuanceRoute) | set(graph().objects(None, QA.hasRoute))
    for route in routes:
        levels = list(graph().objects(route, QA.assuranceLevel))
        assert len(levels) == 1, f"{route} has {len(levels)} levels"
        assert levels[0] in LEVEL_MIN_STRENGTH, f"{route} has an unknown level {levels[0]}"
        owners = list(graph().subjects(QA.hasRoute, route))
        assert len(owners) == 1, f"{route} belongs to {len(owners)} credentials"


def test_every_credential_has_a_route() -> None:
    for credential in nodes_of(QA.Credential):
        assert any(graph().objects(credential, QA.hasRoute)), credential


def test_welding_has_two_routes_at_different_levels() -> None:
    welding = URIRef(ID + "credential/svetsarprovning-en-iso-9606-1")
    levels = {graph().value(r, QA.assuranceLevel) for r in graph().objects(welding, QA.hasRoute)}
    assert LVL.C1 in levels and len(levels) == 2


def test_swedish_hot_work_recognitions_cover_awards_issued_until_the_cutoff() -> None:
    recognitions = set(graph().subjects(QA.recognisedFor, SWEDISH_HOT_WORK_REQUIREMENT))
    recognised = {graph().value(r, QA.recognisedCredential) for r in recognitions}
    assert recognised == NORDIC_HOT_WORK
    for rec in recognitions:
        assert (rec, RDF.type, QA.Recognition) in graph()
        until = list(graph().objects(rec, QA.coversAwardsIssuedUntil))
        assert until == [Literal("2023-06-30", datatype=XSD_DATE)], rec


def test_nordic_mutual_recognitions_continue_without_end() -> None:
    others = [
        r
        for r in nodes_of(QA.Recognition)
        if graph().value(r, QA.recognisedFor) != SWEDISH_HOT_WORK_REQUIREMENT
        and graph().value(r, QA.recognisedCredential) in NORDIC_HOT_WORK
    ]
    assert len(others) == 6
    for rec in others:
        assert graph().value(rec, QA.validUntil) is None, rec
        assert graph().value(rec, QA.coversAwardsIssuedUntil) is None, rec


def test_awards_meet_the_identity_rule_of_their_level() -> None:
    for award in nodes_of(QA.Award):
        route = graph().value(award, QA.viaRoute)
        assert route is not None, f"{award} names no route"
        level = graph().value(route, QA.assuranceLevel)
        method = graph().value(award, QA.identityVerification)
        assert method in IDV_STRENGTH, f"{award} has no known identity verification"
        assert IDV_STRENGTH[method] >= LEVEL_MIN_STRENGTH[level], (
            f"{award} at {level} has too weak an identity verification {method}"
        )


def _add_duration(d: date, duration: str) -> date:
    m = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?", duration)
    assert m, f"unexpected validity period {duration}"
    months = int(m.group(1) or 0) * 12 + int(m.group(2) or 0)
    total = d.month - 1 + months
    return d.replace(year=d.year + total // 12, month=total % 12 + 1)


def test_award_expiry_follows_the_credential_validity() -> None:
    for award in nodes_of(QA.Award):
        issued = graph().value(award, QA.issued).toPython()
        expires = graph().value(award, QA.expires)
        validity = graph().value(graph().value(award, QA.awardedCredential), QA.validityPeriod)
        if validity is None:
            assert expires is None, f"{award} expires but its credential has no validity"
            continue
        assert expires is not None, f"{award} has no expiry"
        assert expires.toPython() == _add_duration(issued, str(validity)), award


def test_examples_cover_the_demo_cases() -> None:
    awards = nodes_of(QA.Award)
    nordic = [
        (graph().value(a, QA.awardedCredential), graph().value(a, QA.issued).toPython())
        for a in awards
        if graph().value(a, QA.awardedCredential) in NORDIC_HOT_WORK
    ]
    for credential in NORDIC_HOT_WORK:
        dates = [d for c, d in nordic if c == credential]
        assert any(d <= HOT_WORK_CUTOFF for d in dates), f"no {credential} issued by the cutoff"
        assert any(d > HOT_WORK_CUTOFF for d in dates), f"no {credential} issued after it"
    start = date(2026, 11, 24)
    soon = [
        a
        for a in awards
        if (e := graph().value(a, QA.expires)) is not None
        and start < e.toPython() <= start + timedelta(days=90)
    ]
    assert len(soon) >= 3


REGISTER_CHECKS = {
    "organisationsnummer": "stdnum.se.orgnr",
    "organisasjonsnummer": "stdnum.no.orgnr",
    "cvrNummer": "stdnum.dk.cvr",
    "yTunnus": "stdnum.fi.ytunnus",
}


def test_organisation_numbers_pass_their_registers_checks_and_have_sources() -> None:
    import importlib

    found = 0
    for prop, module in REGISTER_CHECKS.items():
        check = importlib.import_module(module)
        for org, number in graph().subject_objects(QA[prop]):
            found += 1
            assert check.is_valid(str(number)), f"{local(org)}: {number}"
            assert (org, DCTERMS.source, None) in graph(), local(org)
    assert found >= 5


def test_every_c1_route_rests_on_an_accreditation_or_an_authority() -> None:
    g = graph()
    for route in g.subjects(QA.assuranceLevel, LVL.C1):
        issuers = set(g.objects(route, QA.issuer))
        accredited = any((None, QA.accreditedOrganisation, i) in g or (i, QA.accreditedBy, None) in g
                         for i in issuers) or (route, QA.accreditationBody, None) in g
        authority = any((i, QA.publicAuthority, Literal(True)) in g for i in issuers)
        assert accredited or authority, local(route)
