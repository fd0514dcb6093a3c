"""Entity pages: labels and fallback, level badges, relations both ways with paging,
equivalents with SSSOM metadata, validation panel, provenance, content negotiation."""

from __future__ import annotations

import json
import re
import time

import pytest
from rdflib import Graph, Literal, URIRef

from . import web_browse_data
from .web_browse_data import AWARDS, HETA

STORE_KINDS = ("embedded", "remote")

bclient = web_browse_data.bclient
browse_app = web_browse_data.browse_app

HETA_PATH = "/id/credential/heta-arbeten"
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def test_credential_page_shows_label_types_badge_and_issuer_in_both_languages(bclient):
    sv = bclient.get(HETA_PATH + "?lang=sv")
    assert sv.status_code == 200
    assert "Accept" in sv.vary
    assert "<h1 lang=\"sv\">Heta Arbeten</h1>" in sv.text
    assert 'class="badge level-B' in sv.text
    assert "Assurance level" not in sv.text and "Kompetenssäkringsgrad" in sv.text
    assert 'href="/id/route/heta-arbeten"' in sv.text
    en = bclient.get(HETA_PATH + "?lang=en")
    assert "Hot work certificate (Heta Arbeten)" in en.text and "Assurance level" in en.text


def test_label_falls_back_to_swedish_then_local_name(bclient):
    # the paging organisation has sv and en; a node without any label shows its local name
    page = bclient.get("/id/example/award/p000?lang=en")
    assert page.status_code == 200 and "<h1" in page.text and "p000</h1>" in page.text


def test_route_page_links_the_issuer(bclient):
    page = bclient.get("/id/route/heta-arbeten?lang=sv")
    assert page.status_code == 200
    assert 'href="/id/organisation/brandskyddsforeningen"' in page.text
    assert "Brandskyddsföreningen" in page.text


def test_incoming_relations_are_counted_and_paged(bclient):
    award_prop = "https://w3id.org/qagraph/ontology#awardedBy"
    first = bclient.get("/id/organisation/paging-test?lang=en")
    assert first.status_code == 200
    assert f"({AWARDS})" in first.text
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    seen: list[set[str]] = []
    for offset in (0, 20, 40):
        page = bclient.get("/id/organisation/paging-test",
                           query_string={"lang": "en", "in": award_prop, "offset": offset}).text
        seen.append(set(re.findall(r'href="(/id/example/award/p\d+)"', page)))
        if offset == 20:
            assert "21–40 of 45" in page and 'rel="prev"' in page and 'rel="next"' in page
    assert [len(s) for s in seen] == [20, 20, 5]
    assert len(seen[0] | seen[1] | seen[2]) == AWARDS
    # the same page twice is the same page (stable URLs)
    again = bclient.get("/id/organisation/paging-test", query_string={"lang": "en", "in": award_prop, "offset": 20}).text
    assert set(re.findall(r'href="(/id/example/award/p\d+)"', again)) == seen[1]


def test_equivalents_show_both_directions_with_sssom_metadata(bclient):
    here = bclient.get(HETA_PATH + "?lang=en").text
    # in words: the strength, the justification, who and when (a locale date), no CURIEs
    assert "closely equivalent" in here and "/id/credential/tulityokortti" in here
    assert "curated by hand by an expert" in here and "Test Curator" in here and "1 May 2025" in here
    assert "skos:closeMatch" not in here and "semapv:" not in here
    sv = bclient.get(HETA_PATH + "?lang=sv").text
    assert "nära likvärdigt" in sv and "2025-05-01" in sv
    there = bclient.get("/id/credential/tulityokortti?lang=en").text
    assert "closely equivalent" in there and HETA_PATH in there


def test_negated_and_unaccepted_mapping_records_are_not_shown_as_equivalents(bclient):
    # a `Not` record and a merely proposed record annotate Heta Arbeten in the test data
    negated = bclient.get("/id/credential/bas-p?lang=en").text
    proposed = bclient.get("/id/credential/fse?lang=en").text
    for page in (negated, proposed):
        assert HETA_PATH + '"' not in page.split("Equivalents", 1)[-1].split("Validation", 1)[0]


def test_validation_panel_lists_the_nodes_violations(bclient):
    # the test's own credential has no scheme, no standard, and its route lacks facts
    page = bclient.get("/id/route/xss?lang=en").text
    assert "Validation" in page
    assert "severity-violation" in page
    clean = bclient.get("/id/organisation/brandskyddsforeningen?lang=en").text
    assert "No violations of the shapes." in clean


def test_provenance_names_the_sources(bclient):
    page = bclient.get(HETA_PATH + "?lang=en").text
    assert "<td>hot-work</td>" in page and "<td>test-mapping</td>" in page


@pytest.mark.parametrize("suffix, mime", [
    (".ttl", "text/turtle"), (".jsonld", "application/ld+json"),
    (".nt", "application/n-triples"), (".rdf", "application/rdf+xml"),
])
def test_suffix_twins_carry_the_description(bclient, suffix, mime):
    response = bclient.get(HETA_PATH + suffix)
    assert response.status_code == 200
    assert response.mimetype == mime
    assert "Accept" in response.vary
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld",
           "application/n-triples": "nt", "application/rdf+xml": "xml"}[mime]
    graph = Graph().parse(data=response.data, format=fmt)
    assert (URIRef(HETA), RDFS_LABEL, Literal("Heta Arbeten", lang="sv")) in graph


@pytest.mark.parametrize("accept, mime", [
    ("text/html", "text/html"), ("text/turtle", "text/turtle"),
    ("application/ld+json", "application/ld+json"), ("application/n-triples", "application/n-triples"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("*/*", "text/html"),
])
def test_content_negotiation_on_the_same_url(bclient, accept, mime):
    response = bclient.get(HETA_PATH, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mime
    assert "Accept" in response.vary


def test_json_ld_twin_is_json(bclient):
    data = json.loads(bclient.get(HETA_PATH + ".jsonld").data)
    assert HETA in json.dumps(data)


def test_unknown_iri_is_a_404_page(bclient):
    for path in ("/id/credential/no-such-thing", "/id/credential/no-such-thing.ttl"):
        response = bclient.get(path + "?lang=en")
        assert response.status_code == 404
        assert "Nothing in the data has the IRI" in response.text
    sv = bclient.get("/id/credential/no-such-thing?lang=sv")
    assert sv.status_code == 404 and "Inget i data har IRI:n" in sv.text
    assert bclient.get("/id/credential/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404


def test_resource_page_for_nodes_outside_the_base(bclient):
    ok = bclient.get("/resource", query_string={"iri": "https://w3id.org/qagraph/vocab/sector/FireSafety", "lang": "en"})
    assert ok.status_code == 200 and "Fire safety" in ok.text
    ttl = bclient.get("/resource", query_string={"iri": "https://w3id.org/qagraph/vocab/sector/FireSafety", "format": "ttl"})
    assert ttl.mimetype == "text/turtle"
    assert bclient.get("/resource", query_string={"iri": "not an iri"}).status_code == 404
    assert bclient.get("/resource").status_code == 404


def test_a_kept_page_carries_none_of_its_first_visitors_other_parameters(bclient):
    # The page cache keeps an entity page by node, language and page of links; its links
    # must not repeat what the first visitor added, or everyone after sees it.
    award_prop = "https://w3id.org/qagraph/ontology#awardedBy"
    first = bclient.get("/id/organisation/paging-test",
                        query_string={"lang": "en", "in": award_prop, "offset": 20, "utm": "x<y", "q": "zzz"})
    later = bclient.get("/id/organisation/paging-test",
                        query_string={"lang": "en", "in": award_prop, "offset": 20})
    for page in (first.text, later.text):
        assert "utm" not in page and "zzz" not in page
        switch = re.search(r'class="lang-switch" href="([^"]+)"', page)
        assert switch is not None and "offset=20" in switch.group(1) and "lang=sv" in switch.group(1)
        assert re.search(r'rel="next" href="[^"]*offset=40[^"]*lang=en', page)
    assert first.text == later.text


def test_the_same_node_by_resource_and_by_id_links_to_its_own_address(bclient):
    by_id = bclient.get(HETA_PATH + "?lang=en").text
    iri = "https://w3id.org/qagraph/id/credential/heta-arbeten"
    by_resource = bclient.get("/resource", query_string={"iri": iri, "lang": "en"}).text
    assert re.search(r'class="lang-switch" href="/id/credential/heta-arbeten\?lang=sv"', by_id)
    switch = re.search(r'class="lang-switch" href="([^"]+)"', by_resource)
    assert switch is not None and switch.group(1).startswith("/resource?iri=")


def test_big_organisation_page_shows_only_a_page_of_awards(bclient):
    page = bclient.get("/id/organisation/paging-test").text
    assert page.count("/id/example/award/p0") == 20


def test_validation_that_takes_long_does_not_hold_the_page(browse_app, bclient):
    before = browse_app.config["VALIDATION_WAIT"]
    browse_app.config["VALIDATION_WAIT"] = 0
    try:
        page = bclient.get("/id/organisation/xss?lang=en").text
        assert page.count("<h1") == 1  # the page itself is complete
    finally:
        browse_app.config["VALIDATION_WAIT"] = before
    assert "The validation of this node is still running." in page
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = bclient.get("/id/organisation/xss?lang=en").text
        if "still running" not in page:
            break
        time.sleep(0.2)
    assert "severity-violation" in page or "No violations of the shapes." in page


def test_common_properties_of_other_vocabularies_have_translated_names(bclient):
    sv = bclient.get(HETA_PATH + "?lang=sv").text
    en = bclient.get(HETA_PATH + "?lang=en").text
    assert ">beskrivning</a>" in sv and ">description</a>" in en
    assert ">annat namn</a>" in sv and ">other name</a>" in en
