"""The first screen of each page: answers in words, readable values, names that resolve."""

from __future__ import annotations

from pathlib import Path

import loaders
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE

from . import web_browse_data

bclient = web_browse_data.bclient
browse_app = web_browse_data.browse_app

VARMT = "/id/credential/varmt-arbejde"


def card(text: str) -> str:
    """The answer card of a page (what comes before the folded statements)."""
    return text.split('<details class="all"')[0]


def test_credential_card_answers_in_words_before_the_statements(bclient):
    sv = card(bclient.get(VARMT + "?lang=sv").text)
    # level with the facts behind it
    assert 'class="badge level-B large"' in sv and "Sektorscertifikat" in sv
    assert "Lärandemålen examineras." in sv
    # where it is accepted: computed, in words, with the way to the path
    assert "Sverige" in sv and "godtas om det utfärdades senast 2023-06-30, till giltighetens slut" in sv
    assert "Det beror på" in sv and 'href="/check?credential=' in sv
    # roles, equivalents with strength, validity in words
    assert "Utfärdar" in sv and "DBI" in sv
    assert "exakt likvärdigt" in sv and "manuellt bedömd av en expert" in sv
    assert "5 år" in sv and "P5Y" not in sv
    # the check form with autocomplete on requirement names
    assert 'data-kind="requirement"' in sv and 'action="/check"' in sv
    en = card(bclient.get(VARMT + "?lang=en").text)
    assert "accepted if it was issued by 30 June 2023, until it expires" in en and "5 years" in en


def test_statements_are_readable_and_folded(bclient):
    page = bclient.get(VARMT + "?lang=en").text
    statements = page.split('<details class="all"')[1]
    assert "<summary>All statements</summary>" in page
    assert "Denmark" in statements and ">DK<" not in statements      # country names
    assert "5 years" in statements and "P5Y" not in statements       # durations in words
    assert ">no<" in statements and ">false<" not in statements      # booleans in words
    assert "skos:" not in page and "qa:" not in page                 # labels, not CURIEs
    # the other languages of a text are behind a toggle
    assert "Other languages (" in statements


def test_organisation_page_shows_what_it_does_and_its_dependencies_with_dates(browse_app, bclient, tmp_path: Path):
    path = tmp_path / "dep.ttl"
    path.write_text(
        "@prefix qa: <https://w3id.org/qagraph/ontology#> .\n"
        "@prefix dpk: <https://w3id.org/qagraph/vocab/dependency/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<{DEFAULT_BASE}organisation/ta> a qa:Organisation ; rdfs:label \"Tåg AB\"@sv .\n"
        f"<{DEFAULT_BASE}organisation/tb> a qa:Organisation ; rdfs:label \"Tåg Holding\"@sv .\n"
        f"<{DEFAULT_BASE}dependency/ta-tb> a qa:Dependency ; qa:dependentOrganisation <{DEFAULT_BASE}organisation/ta> ;\n"
        f"  qa:onOrganisation <{DEFAULT_BASE}organisation/tb> ; qa:dependencyKind dpk:Ownership ;\n"
        "  qa:ownershipShare 60.0 ; qa:startDate \"2020-01-01\"^^xsd:date .\n", encoding="utf-8")
    store = browse_app.extensions["qagraph.store"]
    load(store, [LoadInput(path, "deps", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    try:
        page = card(bclient.get("/id/organisation/ta?lang=sv").text)
        assert "Ägs av" in page and "Tåg Holding" in page and "(60 %, 2020-01-01–…)" in page and "2020-01-01–…" in page
        owner = card(bclient.get("/id/organisation/tb?lang=en").text)
        assert "Owns" in owner and "Tåg AB" in owner
    finally:
        store.drop("deps")
    dbi = card(bclient.get("/id/organisation/dbi?lang=en").text)
    assert "What it does" in dbi and "Issues" in dbi and "Its credentials by level" in dbi


def test_requirement_page_lists_what_satisfies_it_today(bclient):
    page = card(bclient.get("/id/requirement/heta-arbeten-forsakringsvillkor?lang=en").text)
    assert "What it requires" in page and "Set by" in page and "Insurance condition" in page
    assert "Credentials that satisfy it today" in page
    assert "Hot work certificate (Heta Arbeten)" in page
    assert "accepted if it was issued by 30 June 2023, until it expires" in page
    assert 'data-kind="credential"' in page


def _why(page: str) -> str:
    """The list of facts behind a route's level, as the card shows it."""
    return page.split('<ul class="plain why"', 1)[1].split("</ul>", 1)[0]


def test_route_page_answers_its_level_who_does_what_and_where_it_leads(bclient):
    """A route's page is answered in words like a credential's: its level and the facts
    behind it (the same as on its credential's card), the roles, and the credential it
    leads to; not a list of statements."""
    en = card(bclient.get("/id/route/f-gas-kategori-i?lang=en").text)
    assert 'class="badge level-C1 large"' in en and "Independent certificate (third party)" in en
    assert "Leads to" in en and 'href="/id/credential/f-gas-kategori-i"' in en
    assert "Issues" in en and "INCERT" in en and "Accredits" in en and "Swedac" in en
    assert "Examination method" in en and "About the route" in en
    credential = card(bclient.get("/id/credential/f-gas-kategori-i?lang=en").text)
    assert _why(en) == _why(credential)
    assert "Independent: issuer and examiners do not depend on the trainers" in _why(en)
    sv = card(bclient.get("/id/route/heta-arbeten?lang=sv").text)
    assert "Leder till" in sv and "Sektorscertifikat" in sv and "Om utfärdandevägen" in sv
    assert "Utbildar" in sv and "Examinationsform" in sv


EXAMPLE = "/id/example/"


def _row(page: str, where: str) -> str:
    """The "where it is accepted" row of a country or requirement."""
    return page.split(f'<span class="where">{where}</span>', 1)[1].split("</li>", 1)[0]


def test_award_page_answers_for_that_award_whether_valid_and_where_accepted(bclient):
    """Two invented awards of the same Danish certificate, one issued on the last day the
    Swedish recognition covers and one after it: each award's page answers for itself
    (valid today, and accepted in Sweden or not), where the credential's page can only
    say "it depends"."""
    on_time = card(bclient.get(EXAMPLE + "award/karen-eksempel-varmt-arbejde?lang=en").text)
    late = card(bclient.get(EXAMPLE + "award/soren-eksempel-varmt-arbejde?lang=en").text)
    for page in (on_time, late):
        assert "Valid today (" in page and "Where this award is accepted" in page
        assert 'class="badge level-B"' in page and "Hot work certificate (Denmark, Varmt arbejde)" in page
        # the check form asks for the requirement and the date, not an issue date
        assert 'name="credential" value="https://w3id.org/qagraph/id/example/award/' in page
        assert 'name="issued"' not in page and 'name="requirement"' in page
    assert "Valid, until 30 June 2028." in on_time and "Valid, until 15 August 2028." in late
    assert 'class="verdict yes"' in _row(on_time, "Sweden")
    assert 'class="verdict no"' in _row(late, "Sweden")
    credential = card(bclient.get(VARMT + "?lang=en").text)
    assert 'class="verdict depends"' in _row(credential, "Sweden")
    expired = card(bclient.get(EXAMPLE + "award/nils-exempel-heta-arbeten?lang=sv").text)
    assert "Upphörde att gälla 2024-11-11." in expired


def test_person_page_lists_the_awards_held_and_whether_each_is_valid_today(bclient):
    en = card(bclient.get(EXAMPLE + "person/anna-exempel?lang=en").text)
    assert "Credentials held, valid today" in en
    assert "ESA certificate (electrical safety instructions)" in en and "Valid, until 3 March 2028." in en
    assert 'href="/id/example/award/anna-exempel-esa"' in en
    nils = card(bclient.get(EXAMPLE + "person/nils-exempel?lang=sv").text)
    assert "✗ Upphörde att gälla 2024-11-11." in nils


def test_a_typed_name_resolves_offers_matches_or_says_what_is_wrong(bclient):
    answer = bclient.get("/check?lang=en&credential=Varmt arbejde&requirement=heta-arbeten-forsakringsvillkor"
                         "&issued=2023-07-15&on=2024-05-01")
    assert answer.status_code == 200 and '<p class="headline">No</p>' in answer.text
    several = bclient.get("/check?lang=en&credential=hot work&requirement=heta-arbeten-forsakringsvillkor")
    assert several.status_code == 400 and "Several credentials match “hot work”; pick one." in several.text
    matches = several.text.split('class="matches"')[1].split("</div>")[0]
    assert 'href="/check?lang=en&amp;credential=https://w3id.org/qagraph/id/credential/heta-arbeten' in matches
    unknown = bclient.get("/check?lang=sv&credential=zzqx&requirement=heta")
    assert unknown.status_code == 400 and "Inget kompetensbevis matchar ”zzqx”." in unknown.text
    bad_day = bclient.get("/check?lang=en&credential=varmt-arbejde&requirement=heta-arbeten-forsakringsvillkor&on=30/06/2023")
    assert bad_day.status_code == 400 and "“30/06/2023” is not a date; write it as YYYY-MM-DD" in bad_day.text
    # the JSON twin takes names too, and a bad one is a 400 with the reason, never a 500
    api = bclient.get("/api/satisfies?credential=Varmt arbejde&requirement=heta-arbeten-forsakringsvillkor&issued=2023-07-15")
    assert api.status_code == 200 and api.get_json()["value"] == "no"
    bad = bclient.get("/api/satisfies?credential=no such thing&requirement=heta")
    assert bad.status_code == 400 and bad.get_json()["errors"]


def test_a_mapping_record_is_titled_by_its_two_ends(bclient):
    page = bclient.get("/graph.json?iri=" + DEFAULT_BASE + "credential/heta-arbeten&lang=en").get_json()
    records = [n["label"] for n in page["nodes"] if "/mapping/" in n["id"]]
    assert records and all(" ≈ " in r for r in records), records


def test_lists_hide_always_empty_columns_and_offer_facets_as_links(bclient):
    page = bclient.get("/standards?lang=en").text
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert "Sector" not in head  # no standard has a sector in the data
    assert 'class="facet"' in page


def test_crosswalk_pickers_hold_the_countries_of_the_data(bclient):
    page = bclient.get("/crosswalk?lang=sv").text
    for code, name in (("SE", "Sverige"), ("NO", "Norge"), ("DK", "Danmark"), ("FI", "Finland")):
        assert f'<option value="{code}">{name}</option>' in page


def test_an_award_by_a_route_without_a_level_has_a_page(browse_app, bclient, tmp_path: Path):
    """The route an award came by may name no assurance level: the card then shows no
    level (the page failed with an error)."""
    path = tmp_path / "nolevel.ttl"
    path.write_text(
        "@prefix qa: <https://w3id.org/qagraph/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        f"<{DEFAULT_BASE}route/no-level> a qa:IssuanceRoute .\n"
        f"<{DEFAULT_BASE}credential/heta-arbeten> qa:hasRoute <{DEFAULT_BASE}route/no-level> .\n"
        f"<{DEFAULT_BASE}example/award/no-level> a qa:Award ; qa:awardedCredential <{DEFAULT_BASE}credential/heta-arbeten> ;\n"
        f"  qa:viaRoute <{DEFAULT_BASE}route/no-level> ; qa:issued \"2024-01-10\"^^xsd:date .\n", encoding="utf-8")
    store = browse_app.extensions["qagraph.store"]
    load(store, [LoadInput(path, "nolevel", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    try:
        for lang in ("sv", "en"):
            response = bclient.get(f"/id/example/award/no-level?lang={lang}")
            assert response.status_code == 200
            page = card(response.text)
            assert "/id/credential/heta-arbeten" in page and 'class="badge level-' not in page
    finally:
        store.drop("nolevel")
