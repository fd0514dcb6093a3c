"""Requirement checks on dates: four-valued answers, conditions, identity assurance, the
precedence of a jurisdiction's recognition over an equivalence, recency and validity by
country. First with the sample data (the Nordic hot-work transition), then with small
scenarios of invented organisations."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest

import loaders
from graph_app.cli import bundled_inputs
from graph_app.core import explanation
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import CND, DEFAULT_BASE, IDV
from graph_app.core.satisfaction import Checker, answers_for
from graph_app.core.settings import load_settings
from graph_app.core.store import OxigraphStore
from graph_app.core.stores import open_configured

from .conftest import cli_env, store_settings_for

CRED = DEFAULT_BASE + "credential/"
REQ = DEFAULT_BASE + "requirement/"
SE_HOT_WORK = REQ + "heta-arbeten-forsakringsvillkor"
NO_HOT_WORK = REQ + "varme-arbeider-sikkerhetsforskrift"
FI_HOT_WORK = REQ + "tulityokortti-vakuutusehdot"
AWARD = DEFAULT_BASE + "example/award/"


STORE_KINDS = ("embedded", "remote")


@pytest.fixture(scope="module")
def sample(tmp_path_factory, store_kind, request):
    settings = store_settings_for(store_kind, tmp_path_factory.mktemp("sample"), request)
    store = open_configured(load_settings(settings))
    load(store, bundled_inputs(), base_iri=DEFAULT_BASE, validate=False)
    yield store, settings
    store.close()


@pytest.fixture(scope="module")
def checker(sample):
    return Checker(sample[0])


# -- the sample data: the Nordic hot-work transition --------------------------------------


@pytest.mark.parametrize("country_cert", ["varmt-arbejde", "varme-arbeider", "tulityokortti"])
def test_nordic_certificate_issued_by_2023_06_30_satisfies_the_swedish_requirement(checker, country_cert):
    answer = checker.check(CRED + country_cert, SE_HOT_WORK, on="2025-01-01", issued="2023-06-30")
    assert answer.value == "yes" and answer.via == "recognition"
    assert [r.kind for r in answer.path][:2] == ["recognition", "issued-in-window"]
    assert answer.valid_until == date(2028, 6, 30)  # the award counts until it expires


@pytest.mark.parametrize("country_cert", ["varmt-arbejde", "varme-arbeider", "tulityokortti"])
def test_nordic_certificate_issued_after_2023_06_30_does_not(checker, country_cert):
    answer = checker.check(CRED + country_cert, SE_HOT_WORK, on="2025-01-01", issued="2023-07-01")
    assert answer.value == "no"
    assert "issued-outside-window" in {r.kind for r in answer.path}


def test_a_covered_certificate_stops_counting_when_it_expires(checker):
    answer = checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2028-07-01", issued="2023-06-01")
    assert answer.value == "no"
    assert [n.kind for n in answer.notes] == ["expired"]
    assert checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2028-05-31", issued="2023-06-01").satisfied


def test_without_an_issue_date_a_bounded_recognition_answers_unknown_and_says_what_is_missing(checker):
    answer = checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2025-01-01")
    assert answer.value == "unknown"
    [missing] = answer.missing
    assert (missing.name, missing.earliest, missing.latest) == ("issued", None, date(2023, 6, 30))
    assert explanation.summary(answer, "sv") == \
        "godtas om det utfärdades senast 2023-06-30, till giltighetens slut"
    assert explanation.summary(answer, "en") == "accepted if it was issued by 30 June 2023, until it expires"


def test_without_an_issue_date_it_is_no_once_every_covered_award_has_expired(checker):
    # Awards issued by 2023-06-30 with five years' validity have all expired by 2028-07-01.
    answer = checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2028-07-01")
    assert answer.value == "no" and "all-covered-expired" in {r.kind for r in answer.path}


def test_a_danish_question_cites_only_the_recognition_of_the_danish_certificate(checker):
    answer = checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2025-01-01")
    cited = {r.subject for r in answer.path + answer.notes} | {r.iri for r in answer.recognitions}
    recognitions = {i for i in cited if "/recognition/" in i}
    assert recognitions == {DEFAULT_BASE + "recognition/se-varmt-arbejde"}


def test_the_swedish_certificate_satisfies_directly(checker):
    answer = checker.check(CRED + "heta-arbeten", SE_HOT_WORK, on="2025-01-01")
    assert answer.value == "yes" and answer.via == "direct"


def test_finland_s_recognition_with_its_induction_condition_wins_over_the_exact_equivalence(checker):
    """Varmt arbejde exactMatch Tulityökortti would say yes outright; Finland's own decision
    says yes after induction, and it decides."""
    answer = checker.check(CRED + "varmt-arbejde", FI_HOT_WORK, on="2025-01-01")
    assert answer.value == "conditional" and answer.via == "recognition"
    [condition] = answer.conditions
    assert condition.kind == CND + "Induction"
    assert condition.text("en").startswith("After induction")
    kinds = [r.kind for r in answer.path]
    assert kinds[0] == "recognition" and "equivalence-not-consulted" in kinds
    assert not answer.steps  # no mapping record was used
    assert explanation.headline(answer, "sv") == "Ja, på villkor (genom ett erkännande)"


def test_answers_for_a_credential_give_one_row_per_requirement_it_may_be_asked_against(sample):
    answers = answers_for(sample[0], CRED + "varmt-arbejde", on="2026-11-30")
    rows = {(a.country, a.requirement.removeprefix(REQ)): a.value for a in answers}
    assert rows == {
        ("DK", "varmt-arbejde-forsikringskrav"): "yes",
        ("FI", "tulityokortti-vakuutusehdot"): "conditional",
        ("NO", "varme-arbeider-sikkerhetsforskrift"): "yes",
        ("SE", "heta-arbeten-forsakringsvillkor"): "unknown",
    }
    assert [a.country for a in answers] == ["DK", "FI", "NO", "SE"]


def test_answers_for_a_credential_up_to_a_limit_are_the_first_of_all(sample):
    """A page lists a limited number of answers: those are asked for, and they are the
    first of the whole list."""
    every = answers_for(sample[0], CRED + "varmt-arbejde", on="2026-11-30")
    first = answers_for(sample[0], CRED + "varmt-arbejde", on="2026-11-30", limit=2)
    assert [(a.requirement, a.value) for a in first] == [(a.requirement, a.value) for a in every[:2]]


def test_recency_on_the_requirement_itself(checker):
    """Svenska kraftnät: an ESA certificate no older than three years."""
    lena = AWARD + "lena-exempel-esa"  # issued 2024-01-10
    ok = checker.check(lena, REQ + "svenska-kraftnat-esa", on="2026-11-30")
    assert ok.value == "yes" and ok.valid_until == date(2027, 1, 10)
    unknown = checker.check(CRED + "esa", REQ + "svenska-kraftnat-esa", on="2026-11-30")
    assert unknown.value == "unknown"
    assert unknown.missing[0].earliest == date(2023, 11, 30)
    assert explanation.summary(unknown, "sv") == "godtas om det utfärdades tidigast 2023-11-30"


def test_identity_of_the_adr_requirement_is_compared_with_the_route(checker):
    answer = checker.check(CRED + "adr-forarintyg", REQ + "adr-forarintyg", on="2026-11-30")
    assert answer.value == "yes"
    assert answer.identity is not None
    assert (answer.identity.required, answer.identity.held, answer.identity.held_from) == (
        IDV + "PhotoId", IDV + "PhotoId", "route")


@pytest.mark.parametrize(("award", "on", "expected"), [
    ("karen-eksempel-varmt-arbejde", "2025-01-01", "yes"),   # DK, issued 2023-06-30
    ("soren-eksempel-varmt-arbejde", "2025-01-01", "no"),    # DK, issued 2023-08-15
    ("ola-eksempel-varme-arbeider", "2025-01-01", "yes"),    # NO, issued 2023-03-02
    ("kari-eksempel-varme-arbeider", "2025-01-01", "no"),    # NO, issued 2023-09-14
    ("matti-esimerkki-tulityokortti", "2025-01-01", "yes"),  # FI, issued 2022-12-05
    ("maija-esimerkki-tulityokortti", "2025-01-01", "no"),   # FI, issued 2024-04-22
    ("mette-eksempel-varmt-arbejde", "2027-01-13", "no"),    # DK, covered but expired 2027-01-12
])
def test_awards_of_the_sample_persons_use_their_own_issue_and_expiry_dates(checker, award, on, expected):
    answer = checker.check(AWARD + award, SE_HOT_WORK, on=on)
    assert answer.value == expected, (answer.path, answer.notes)


def test_an_unknown_credential_or_requirement_is_a_clear_error(checker):
    from graph_app.core.errors import InputError

    with pytest.raises(InputError, match="neither a credential nor an award"):
        checker.check(CRED + "no-such-thing", SE_HOT_WORK)
    with pytest.raises(InputError, match="is not a requirement"):
        checker.check(CRED + "heta-arbeten", DEFAULT_BASE + "requirement/no-such-thing")


def test_shared_reasoning_and_the_local_component_give_the_same_answers(sample, checker):
    from graph_app.core.equivalence import reason

    shared = Checker(sample[0], reason(sample[0]))
    for cred in ("varmt-arbejde", "varme-arbeider", "tulityokortti", "heta-arbeten", "esa"):
        for req in (SE_HOT_WORK, NO_HOT_WORK, FI_HOT_WORK):
            for issued in ("2023-06-30", "2023-07-01", None):
                a = checker.check(CRED + cred, req, on="2025-01-01", issued=issued)
                b = shared.check(CRED + cred, req, on="2025-01-01", issued=issued)
                assert (a.value, a.via, a.path) == (b.value, b.via, b.path)


def _command_store(sample, tmp_path: Path) -> dict[str, object]:
    """Settings for the command line: a copy of the module's embedded store (the command
    opens its own; the module's stays open), or the module's prefix on the server."""
    store, settings = sample
    if isinstance(store, OxigraphStore):
        copy = tmp_path / "copy"
        store.backup(copy)
        return {"STORE": str(copy)}
    return settings


def test_cli_satisfies_answers_in_four_values_with_exit_codes(sample, tmp_path):
    from click.testing import CliRunner

    from graph_app.cli import main

    runner = CliRunner(env=cli_env(_command_store(sample, tmp_path)))
    base = ["--lang", "en", "satisfies",
            "id:credential/varmt-arbejde", "id:requirement/heta-arbeten-forsakringsvillkor", "--on", "2025-01-01"]
    yes = runner.invoke(main, base + ["--issued", "2023-06-30"])
    assert yes.exit_code == 0
    assert yes.output.startswith("Yes (through a recognition): accepted, recognised by Insurance Sweden")
    swedish = runner.invoke(main, ["--lang", "sv", *base[2:], "--issued", "2023-07-01"])
    assert swedish.exit_code == 1 and swedish.output.startswith("Nej")
    assert "erkännandet omfattar bara bevis utfärdade senast 2023-06-30, och detta utfärdades inte då" in swedish.output
    unknown = runner.invoke(main, base)
    assert unknown.exit_code == 3 and "accepted if it was issued by 30 June 2023" in unknown.output
    conditional = runner.invoke(main, ["--lang", "en", "satisfies",
                                       "id:credential/varmt-arbejde", "id:requirement/tulityokortti-vakuutusehdot"])
    assert conditional.exit_code == 4 and "Induction: After induction" in conditional.output
    every = runner.invoke(main, ["--lang", "sv", "satisfies",
                                 "id:credential/varmt-arbejde", "--on", "2026-11-30"])
    assert every.exit_code == 0
    assert "SE\tFörsäkringsbolagens krav på certifikat för heta arbeten (Sverige)\t" \
           "Kan inte avgöras utan mer uppgifter: godtas om det utfärdades senast 2023-06-30, " \
           "till giltighetens slut" in every.output
    bad = runner.invoke(main, base + ["--issued", "yesterday"])
    assert bad.exit_code == 2 and "'yesterday' is not a date" in bad.output


def test_cli_satisfies_takes_names_as_the_check_page_does(sample, tmp_path):
    """A slug, a label in any language or words that name one thing resolve; words that
    name several list them; an unknown name is a message with exit 2, never a traceback."""
    from click.testing import CliRunner

    from graph_app.cli import main

    runner = CliRunner(env=cli_env(_command_store(sample, tmp_path)))
    common = ["--lang", "en", "satisfies"]
    by_slug = runner.invoke(main, [*common, "esa", "svenska-kraftnat-esa", "--issued", "2024-01-10",
                                   "--on", "2026-11-30"])
    assert by_slug.exit_code == 0, by_slug.output
    assert "no older than the requirement allows (3 years)" in by_slug.output
    by_label = runner.invoke(main, [*common, "Varmt arbejde", "id:requirement/heta-arbeten-forsakringsvillkor",
                                    "--issued", "2023-06-30", "--on", "2025-01-01"])
    assert by_label.exit_code == 0 and by_label.output.startswith("Yes (through a recognition)")
    several = runner.invoke(main, [*common, "arbete"])
    assert several.exit_code == 2 and isinstance(several.exception, SystemExit)
    assert "several things match “arbete”" in several.output
    assert "(id:credential/heta-arbeten)" in several.output and "(id:credential/varmt-arbejde)" in several.output
    unknown = runner.invoke(main, ["--lang", "sv", "satisfies", "no-such-card", "esa"])
    assert unknown.exit_code == 2 and isinstance(unknown.exception, SystemExit)
    assert "inget kompetensbevis heter ”no-such-card”" in unknown.output


def test_dates_and_durations_in_answers_are_written_as_each_language_writes_them(checker):
    unknown = checker.check(CRED + "esa", REQ + "svenska-kraftnat-esa", on="2026-11-30")
    assert explanation.summary(unknown, "en") == "accepted if it was issued on or after 30 November 2023"
    assert explanation.summary(unknown, "sv") == "godtas om det utfärdades tidigast 2023-11-30"
    assert "the requirement accepts only awards no older than 3 years" in \
        [line.lower() for line in explanation.lines(unknown, "en")]
    assert "kravet godtar bara bevis som inte är äldre än 3 år" in \
        [line.lower() for line in explanation.lines(unknown, "sv")]
    ended = checker.check(CRED + "varmt-arbejde", SE_HOT_WORK, on="2026-11-30", issued="2023-07-01")
    assert any("issued by 30 June 2023" in line for line in explanation.lines(ended, "en"))
    assert not any("2023-06-30" in line for line in explanation.lines(ended, "en"))


# -- small scenarios --------------------------------------------------------------------

PREFIXES = """@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix lvl: <https://w3id.org/qagraph/vocab/level/> .
@prefix idv: <https://w3id.org/qagraph/vocab/identity/> .
@prefix cnd: <https://w3id.org/qagraph/vocab/condition/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix o: <https://w3id.org/qagraph/id/organisation/> .
@prefix r: <https://w3id.org/qagraph/id/route/> .
@prefix c: <https://w3id.org/qagraph/id/credential/> .
@prefix q: <https://w3id.org/qagraph/id/requirement/> .
@prefix rec: <https://w3id.org/qagraph/id/recognition/> .
@prefix a: <https://w3id.org/qagraph/id/example/award/> .
"""


@pytest.fixture
def scenario(store, tmp_path: Path):
    """Load the concept schemes and a Turtle scenario; return a checker."""
    schemes = [i for i in bundled_inputs() if i.source.startswith("scheme-")]
    load(store, schemes, base_iri=DEFAULT_BASE, validate=False)

    def put(text: str) -> Checker:
        path = tmp_path / "scenario.ttl"
        path.write_text(PREFIXES + text, encoding="utf-8")
        load(store, [LoadInput(path, "scenario", loaders.get("turtle"))], base_iri=DEFAULT_BASE,
             validate=False)
        return Checker(store)

    return put


def test_an_f_award_without_identity_check_does_not_meet_a_demand_for_identity(scenario):
    checker = scenario("""
        c:talk a qa:Credential ; qa:hasRoute r:talk . r:talk qa:assuranceLevel lvl:F .
        a:x a qa:Award ; qa:awardedCredential c:talk ; qa:viaRoute r:talk ;
            qa:issued "2026-01-01"^^xsd:date ; qa:identityVerification idv:None .
        q:talk a qa:Requirement ; qa:requiresCredential c:talk ;
            qa:requiresMinimumIdentityVerification idv:NameCheck .
    """)
    answer = checker.check(DEFAULT_BASE + "example/award/x", REQ + "talk", on="2026-06-01")
    assert answer.value == "no"
    assert answer.identity is not None
    assert (answer.identity.required, answer.identity.held, answer.identity.held_from) == (
        IDV + "NameCheck", IDV + "None", "award")
    assert answer.path[-1].kind == "identity-weaker"
    assert explanation.step(answer.path[-1], "en") == \
        "the identity verification None is weaker than the requirement's minimum, NameCheck"


def test_an_e_award_without_identity_check_does_not_meet_at_least_e_with_identity_assurance(scenario):
    checker = scenario("""
        c:course a qa:Credential ; qa:hasRoute r:course . r:course qa:assuranceLevel lvl:E .
        a:e a qa:Award ; qa:awardedCredential c:course ; qa:viaRoute r:course ;
            qa:issued "2026-01-01"^^xsd:date ; qa:identityVerification idv:None .
        q:e a qa:Requirement ; qa:requiresMinimumLevel lvl:E ; qa:requiresIdentityAssurance true .
    """)
    answer = checker.check(DEFAULT_BASE + "example/award/e", REQ + "e", on="2026-06-01")
    assert answer.value == "no"
    # the deprecated boolean reads as "at least a name check"
    assert answer.identity.required == IDV + "NameCheck"


def test_a_credential_is_judged_by_what_its_routes_require_and_an_award_by_its_own_check(scenario):
    checker = scenario("""
        c:cert a qa:Credential ; qa:hasRoute r:strict , r:loose .
        r:strict qa:assuranceLevel lvl:C1 .
        r:loose qa:assuranceLevel lvl:C1 ; qa:requiredIdentityVerification idv:ElectronicId .
        q:eid a qa:Requirement ; qa:requiresCredential c:cert ;
            qa:requiresMinimumIdentityVerification idv:ElectronicId .
        a:bankid a qa:Award ; qa:awardedCredential c:cert ; qa:issued "2026-01-01"^^xsd:date ;
            qa:identityVerification idv:ElectronicId .
    """)
    credential = checker.check(CRED + "cert", REQ + "eid", on="2026-06-01")
    # C1 needs photo ID, one route e-ID: it depends on the route
    assert credential.value == "unknown"
    assert credential.missing[0].name == "route"
    assert credential.missing[0].options == (DEFAULT_BASE + "route/loose",)
    award = checker.check(DEFAULT_BASE + "example/award/bankid", REQ + "eid", on="2026-06-01")
    assert award.value == "yes" and award.identity.held_from == "award"


def test_a_level_requirement_met_by_only_one_route_depends_on_the_route(scenario):
    checker = scenario("""
        c:bas a qa:Credential ; qa:hasRoute r:course , r:cert .
        r:course qa:assuranceLevel lvl:E . r:cert qa:assuranceLevel lvl:C1 .
        q:c1 a qa:Requirement ; qa:requiresMinimumLevel lvl:C1 .
        a:course a qa:Award ; qa:awardedCredential c:bas ; qa:viaRoute r:course ;
            qa:issued "2026-01-01"^^xsd:date .
    """)
    answer = checker.check(CRED + "bas", REQ + "c1", on="2026-06-01")
    assert answer.value == "unknown" and answer.missing[0].options == (DEFAULT_BASE + "route/cert",)
    assert checker.check(DEFAULT_BASE + "example/award/course", REQ + "c1", on="2026-06-01").value == "no"


def test_a_requirement_outside_its_validity_window_is_not_met(scenario):
    checker = scenario("""
        c:x a qa:Credential ; qa:hasRoute r:x . r:x qa:assuranceLevel lvl:D .
        q:window a qa:Requirement ; qa:requiresCredential c:x ;
            qa:validFrom "2024-01-01"^^xsd:date ; qa:validUntil "2025-12-31"^^xsd:date .
    """)
    for on, value in (("2023-12-31", "no"), ("2024-01-01", "yes"), ("2025-12-31", "yes"), ("2026-01-01", "no")):
        answer = checker.check(CRED + "x", REQ + "window", on=on)
        assert answer.value == value, on
        if value == "no":
            assert [n.kind for n in answer.notes] == ["requirement-not-in-force"]


def test_a_recognition_that_has_ended_or_is_not_yet_valid_does_not_count(scenario):
    checker = scenario("""
        c:home a qa:Credential ; qa:hasRoute r:home . r:home qa:assuranceLevel lvl:D .
        c:abroad a qa:Credential ; qa:hasRoute r:abroad . r:abroad qa:assuranceLevel lvl:D .
        q:home a qa:Requirement ; qa:requiresCredential c:home ; qa:country "SE" .
        rec:abroad a qa:Recognition ; qa:recognisedBy o:authority ; qa:recognisedCredential c:abroad ;
            qa:recognisedFor q:home ;
            qa:validFrom "2024-01-01"^^xsd:date ; qa:validUntil "2025-12-31"^^xsd:date .
    """)
    before = checker.check(CRED + "abroad", REQ + "home", on="2023-06-01")
    assert before.value == "no" and before.path[-1].kind == "recognition-not-yet-valid"
    during = checker.check(CRED + "abroad", REQ + "home", on="2025-06-01")
    assert during.value == "yes" and during.valid_until == date(2025, 12, 31)
    after = checker.check(CRED + "abroad", REQ + "home", on="2026-01-01")
    assert after.value == "no" and after.path[-1].kind == "recognition-ended"
    assert explanation.summary(after, "sv") == "godtas inte: erkännandet upphörde 2025-12-31"


def _exact_mapping(store, tmp_path, subject: str, obj: str) -> None:
    sssom = tmp_path / "m.sssom.tsv"
    sssom.write_text(
        "# curie_map:\n#   c: https://w3id.org/qagraph/id/credential/\n#   skos: http://www.w3.org/2004/02/skos/core#\n"
        "#   semapv: https://w3id.org/semapv/vocab/\n# mapping_set_id: https://w3id.org/qagraph/id/mappingset/t\n"
        "# license: https://creativecommons.org/licenses/by/4.0/\n"
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
        f"c:{subject}\tskos:exactMatch\tc:{obj}\tsemapv:ManualMappingCuration\n", encoding="utf-8")
    load(store, [LoadInput(sssom, "t", loaders.get("sssom"))], base_iri=DEFAULT_BASE, validate=False)


def test_an_equivalence_answers_where_the_jurisdiction_has_not_decided(scenario, store, tmp_path):
    scenario("""
        c:home a qa:Credential ; qa:hasRoute r:home . r:home qa:assuranceLevel lvl:D .
        c:abroad a qa:Credential ; qa:hasRoute r:abroad . r:abroad qa:assuranceLevel lvl:D .
        q:home a qa:Requirement ; qa:requiresCredential c:home ; qa:country "SE" .
    """)
    _exact_mapping(store, tmp_path, "abroad", "home")
    answer = Checker(store).check(CRED + "abroad", REQ + "home", on="2026-06-01")
    assert answer.value == "yes" and answer.via == "equivalence"
    assert [r.kind for r in answer.path] == ["equivalence", "direct-credential"]
    assert answer.steps and answer.steps[0].kind == "exact"


def test_an_ended_recognition_is_not_overridden_by_an_equivalence(scenario, store, tmp_path):
    scenario("""
        c:home a qa:Credential ; qa:hasRoute r:home . r:home qa:assuranceLevel lvl:D .
        c:abroad a qa:Credential ; qa:hasRoute r:abroad . r:abroad qa:assuranceLevel lvl:D .
        q:home a qa:Requirement ; qa:requiresCredential c:home ; qa:country "SE" .
        rec:abroad a qa:Recognition ; qa:recognisedBy o:authority ; qa:recognisedCredential c:abroad ;
            qa:recognisedFor q:home ; qa:validUntil "2025-12-31"^^xsd:date .
    """)
    _exact_mapping(store, tmp_path, "abroad", "home")
    answer = Checker(store).check(CRED + "abroad", REQ + "home", on="2026-06-01")
    assert answer.value == "no" and answer.via == ""
    assert "equivalence-not-consulted" in {r.kind for r in answer.path}


def test_a_requirement_s_maximum_age_applies_whatever_the_credential_s_validity(scenario):
    checker = scenario("""
        c:long a qa:Credential ; qa:hasRoute r:long ; qa:validityPeriod "P5Y"^^xsd:duration . r:long qa:assuranceLevel lvl:D .
        q:recent a qa:Requirement ; qa:requiresCredential c:long ; qa:maximumAge "P3Y"^^xsd:duration .
        a:old a qa:Award ; qa:awardedCredential c:long ; qa:issued "2022-01-01"^^xsd:date .
    """)
    answer = checker.check(DEFAULT_BASE + "example/award/old", REQ + "recent", on="2026-01-01")
    assert answer.value == "no" and answer.path[-1].kind == "too-old"
    assert checker.check(CRED + "long", REQ + "recent", on="2026-01-01", issued="2023-06-01").value == "yes"


def test_validity_that_differs_by_country_is_used_for_requirements_in_that_country(scenario):
    checker = scenario("""
        c:pal a qa:Credential ; qa:hasRoute r:pal ; qa:validityPeriod "P5Y"^^xsd:duration ;
            qa:countryValidity [ a qa:CountryValidity ; qa:country "NO" ; qa:validityPeriod "P3Y"^^xsd:duration ] .
        r:pal qa:assuranceLevel lvl:C2 .
        q:no a qa:Requirement ; qa:requiresCredential c:pal ; qa:country "NO" .
        q:se a qa:Requirement ; qa:requiresCredential c:pal ; qa:country "SE" .
    """)
    norway = checker.check(CRED + "pal", REQ + "no", on="2026-06-01", issued="2022-06-01")
    assert norway.value == "no" and norway.expires == date(2025, 6, 1)
    sweden = checker.check(CRED + "pal", REQ + "se", on="2026-06-01", issued="2022-06-01")
    assert sweden.value == "yes" and sweden.expires == date(2027, 6, 1)


def test_conditions_of_the_requirement_itself_make_a_yes_conditional(scenario):
    checker = scenario("""
        c:truck a qa:Credential ; qa:hasRoute r:truck . r:truck qa:assuranceLevel lvl:E .
        q:truck a qa:Requirement ; qa:requiresCredential c:truck ;
            qa:hasCondition [ a qa:Condition ; qa:conditionKind cnd:EmployerAssessment ;
                              rdfs:label "Arbetsgivarens skriftliga körtillstånd."@sv ] .
    """)
    answer = checker.check(CRED + "truck", REQ + "truck", on="2026-06-01")
    assert answer.value == "conditional"
    assert [c.kind for c in answer.conditions] == [CND + "EmployerAssessment"]
    assert explanation.summary(answer, "sv") == \
        "godtas på villkor: EmployerAssessment: Arbetsgivarens skriftliga körtillstånd."


# The requirements a credential may be asked against, as one query asked them before the
# minimum-level requirements were read once per state of the store.
EVERY_REQUIREMENT = """PREFIX qa: <https://w3id.org/qagraph/ontology#>
SELECT DISTINCT ?requirement WHERE {
  { ?requirement qa:requiresCredential ?c . }
  UNION { ?recognition qa:recognisedCredential ?c ; qa:recognisedFor ?requirement . }
  UNION { ?recognition qa:recognisedCredential ?c ; qa:recognisedAs ?other .
          ?requirement qa:requiresCredential ?other . }
  UNION { ?requirement a qa:Requirement ; qa:requiresMinimumLevel ?level . ?c qa:hasRoute ?route . }
}"""


def _credentials(store):
    result = store.query("SELECT ?c WHERE { ?c a <https://w3id.org/qagraph/ontology#Credential> } ORDER BY ?c")
    return [row["c"].value for row in result]


def test_answers_for_every_credential_are_those_of_a_checker_that_keeps_nothing(sample, monkeypatch):
    """What a credential page lists (answers read once per state of the store and shared)
    is what a checker answers that reads everything afresh, for every requirement the
    credential may be asked against, for every credential of the sample data."""
    from graph_app.core import queries, satisfaction
    from graph_app.core.derived import PerState

    store = sample[0]
    credentials = _credentials(store)
    assert len(credentials) > 10
    kept = {c: answers_for(store, c, on="2026-11-30") for c in credentials}
    answers_for(store, credentials[0], on="2026-11-30")  # again, from what is kept
    monkeypatch.setattr(satisfaction, "_READ", PerState(0))  # nothing kept from here on
    asked = 0
    for credential, answers in kept.items():
        component = [ox.NamedNode(c) for c in [credential, *Checker(store)._component(credential)
                                                .exact_equivalents(credential)]]
        result = store.query(queries.with_values(EVERY_REQUIREMENT, "c", component))
        assert sorted(a.requirement for a in answers) == sorted({r["requirement"].value for r in result})
        fresh = Checker(store)
        for answer in answers:
            assert answer == fresh.check(credential, answer.requirement, on="2026-11-30")
            asked += 1
    assert asked > 20


def test_the_cards_rows_are_the_checkers_answers(sample):
    """Each row of a credential page's "where it is accepted" card is the answer the
    checker gives to that question."""
    from graph_app import create_app
    from graph_app.web.acceptance import rows_for_credential

    store = sample[0]
    app = create_app({**sample[1], "TESTING": True, "STORE_OBJECT": store})
    rows = 0
    with app.test_request_context("/"):
        for credential in _credentials(store):
            for row in rows_for_credential(credential, date(2026, 11, 30)):
                assert row.subject == credential
                assert row.answer == Checker(store).check(credential, row.requirement, on="2026-11-30")
                rows += 1
    assert rows > 20
