"""The home page: counts, both languages, data twin, errors."""

from __future__ import annotations

from pathlib import Path

import loaders
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE

STORE_KINDS = ("embedded", "remote")


def test_home_page_shows_counts_in_both_languages(app, client, tmp_path: Path):
    path = tmp_path / "org.ttl"
    path.write_text(
        "@prefix qa: <https://w3id.org/qagraph/ontology#> .\n"
        '<https://w3id.org/qagraph/id/organisation/a> a qa:Organisation .\n', encoding="utf-8")
    load(app.extensions["qagraph.store"], [LoadInput(path, "org", loaders.get("turtle"))],
         base_iri=DEFAULT_BASE, validate=False)
    sv = client.get("/?lang=sv")
    assert sv.status_code == 200 and "Vad grafen innehåller" in sv.text
    # the count has a human class name and links to its list
    assert '<a href="/organisations"><strong>1</strong> organisation</a>' in sv.text
    assert "lang=sv" in sv.headers.get("Set-Cookie", "")
    en = client.get("/?lang=en")
    assert "What the graph holds" in en.text and "<strong>1</strong> organisation</a>" in en.text
    for task in ("/check", "/crosswalk", "/levels", "/sparql", "/mappings"):
        assert f'href="{task}"' in en.text
    data = client.get("/index.json").get_json()
    assert data["classes"] == [{"class": "qa:Organisation", "iri": "https://w3id.org/qagraph/ontology#Organisation", "count": 1}]


def test_home_counts_read_naturally_in_both_languages(app, client, tmp_path: Path):
    """A count is followed by the class's name in the singular or plural its number asks
    for, never the class's label ("21 Person"), and written as the language writes
    numbers; a class the ontology does not define is named before its count."""
    qa = "https://w3id.org/qagraph/ontology#"
    people = "".join(f"<https://w3id.org/qagraph/id/example/person/p{i}> a <{qa}Person> .\n" for i in range(1200))
    path = tmp_path / "counts.ttl"
    path.write_text(people + f"<https://w3id.org/qagraph/id/example/award/a1> a <{qa}Award> .\n"
                    f"<https://w3id.org/qagraph/id/credential/c1> a <{qa}Credential> .\n"
                    f"<https://w3id.org/qagraph/id/credential/c2> a <{qa}Credential> .\n"
                    f"<https://example.org/w1> a <{qa}Widget> .\n", encoding="utf-8")
    load(app.extensions["qagraph.store"], [LoadInput(path, "counts", loaders.get("turtle"))],
         base_iri=DEFAULT_BASE, validate=False)
    sv = client.get("/?lang=sv").text
    assert "<strong>1\u00a0200</strong> personer</li>" in sv
    assert "<strong>1</strong> utfärdat kompetensbevis</li>" in sv
    assert '<a href="/credentials"><strong>2</strong> meriter</a>' in sv
    assert "Widget: <strong>1</strong>" in sv
    assert "1\u00a0204 påståenden (tripler) i lagret." in sv
    en = client.get("/?lang=en").text
    assert "<strong>1,200</strong> people</li>" in en
    assert "<strong>1</strong> award</li>" in en
    assert '<a href="/credentials"><strong>2</strong> credentials</a>' in en
    assert "1,204 statements (triples) in the store." in en
    for page in (sv, en):
        assert " Person</li>" not in page and " Award</li>" not in page


def test_unknown_page_is_404_in_html_and_json(client):
    page = client.get("/no-such-page?lang=sv")
    assert page.status_code == 404 and "Sidan finns inte" in page.text
    assert client.get("/no-such-page.json").get_json()["ok"] is False


def test_vendor_assets_are_served_and_others_are_not(client):
    assert client.get("/vendor/cytoscape/cytoscape.min.js").status_code == 200
    assert client.get("/vendor/../package.json").status_code == 404
    assert client.get("/vendor/cytoscape/package.json").status_code == 404


def test_home_counts_follow_each_commit(app, client, tmp_path: Path):
    store = app.extensions["qagraph.store"]
    assert client.get("/index.json").get_json()["triples"] == 0
    path = tmp_path / "org.ttl"
    path.write_text('<https://w3id.org/qagraph/id/organisation/b> a <https://w3id.org/qagraph/ontology#Organisation> .\n', encoding="utf-8")
    load(store, [LoadInput(path, "org", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    assert client.get("/index.json").get_json()["triples"] == 1
    store.drop("org")
    assert client.get("/index.json").get_json()["triples"] == 0
