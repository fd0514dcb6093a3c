"""Search: labels and alternative labels in every language, case and diacritics
ignored, results grouped by kind; the JSON twin feeds the autocomplete."""

from __future__ import annotations

from . import web_browse_data
from .web_browse_data import HETA

STORE_KINDS = ("embedded", "remote")

bclient = web_browse_data.bclient
browse_app = web_browse_data.browse_app


def _iris(data):
    return [i["iri"] for g in data["groups"] for i in g["items"]]


def test_heta_finds_heta_arbeten_first_among_credentials(bclient):
    data = bclient.get("/search.json?q=heta").get_json()
    credentials = next(g for g in data["groups"] if g["kind"] == "credential")
    assert credentials["items"][0]["iri"] == HETA
    assert credentials["items"][0]["href"] == "/id/credential/heta-arbeten"


def test_diacritics_and_case_are_ignored(bclient):
    for q in ("tulityokortti", "TULITYÖKORTTI", "Tulityökortti", "tulityökortti"):
        assert "https://w3id.org/qagraph/id/credential/tulityokortti" in _iris(bclient.get("/search.json", query_string={"q": q}).get_json())


def test_alternative_labels_and_other_languages_are_searched(bclient):
    assert HETA in _iris(bclient.get("/search.json?q=certifikat heta").get_json())  # skos:altLabel
    assert HETA in _iris(bclient.get("/search.json?q=hot work certificate").get_json())  # English label
    assert "https://w3id.org/qagraph/id/organisation/xss" in _iris(bclient.get("/search.json?q=XSS-ORGANISATION").get_json())


def test_results_are_grouped_by_kind_with_translated_names(bclient):
    data = bclient.get("/search.json?q=heta&lang=en").get_json()
    kinds = [g["kind"] for g in data["groups"]]
    assert kinds[0] == "organisation" or "credential" in kinds
    assert len(kinds) == len(set(kinds)) and len(kinds) >= 3
    page = bclient.get("/search?q=heta&lang=sv")
    assert page.status_code == 200 and "Meriter" in page.text and "Heta Arbeten" in page.text
    assert "Credentials" in bclient.get("/search?q=heta&lang=en").text


def test_empty_and_unmatched_queries(bclient):
    assert bclient.get("/search.json?q=").get_json()["count"] == 0
    assert "Inget hittades." in bclient.get("/search?q=zzzqqq&lang=sv").text
    assert bclient.get("/search?lang=en").status_code == 200


def test_search_box_is_on_every_page(bclient):
    for path in ("/", "/credentials", "/levels", "/search", "/id/credential/heta-arbeten"):
        page = bclient.get(path + "?lang=en").text
        assert 'role="search"' in page and 'id="site-search"' in page and 'role="combobox"' in page
        assert '<label for="site-search"' in page


def test_the_group_with_the_best_match_comes_first(bclient):
    # "Heta Arbeten" starts with the words; organisations only contain them further in
    data = bclient.get("/search.json?q=heta").get_json()
    assert data["groups"][0]["kind"] == "credential"
    assert data["groups"][0]["items"][0]["iri"].endswith("/credential/heta-arbeten")
