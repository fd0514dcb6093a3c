"""The graph view and its JSON data, and the levels overview."""

from __future__ import annotations

from . import web_browse_data
from .web_browse_data import BRANDSKYDD, HETA

STORE_KINDS = ("embedded", "remote")

bclient = web_browse_data.bclient
browse_app = web_browse_data.browse_app


def test_graph_json_has_the_neighbourhood_with_kinds_and_levels(bclient):
    data = bclient.get("/graph.json", query_string={"iri": HETA, "lang": "en"}).get_json()
    ids = {n["id"]: n for n in data["nodes"]}
    assert ids[HETA]["kind"] == "credential" and ids[HETA]["level"] == "B"
    route = "https://w3id.org/qagraph/id/route/heta-arbeten"
    assert ids[route]["kind"] == "route"
    assert any(e["source"] == HETA and e["target"] == route and e["relation"] == "qa:hasRoute" for e in data["edges"])
    assert not any(n["id"].startswith("https://www.hetaarbeten.se") for n in data["nodes"])
    assert all(n["kind_name"] for n in data["nodes"])


def test_graph_json_of_a_neighbour_expands_it(bclient):
    route = "https://w3id.org/qagraph/id/route/heta-arbeten"
    data = bclient.get("/graph.json", query_string={"iri": route}).get_json()
    assert BRANDSKYDD in {n["id"] for n in data["nodes"]}


def test_graph_page_works_without_javascript(bclient):
    page = bclient.get("/graph", query_string={"iri": HETA, "lang": "en"})
    assert page.status_code == 200
    assert '<table class="graph-edges">' in page.text and "/id/route/heta-arbeten" in page.text
    assert "/vendor/cytoscape/cytoscape.min.js" in page.text
    assert 'name="relation" value="qa:hasRoute"' in page.text and "Legend" in page.text


def test_graph_of_an_unknown_node_is_404(bclient):
    assert bclient.get("/graph?iri=https://w3id.org/qagraph/id/none").status_code == 404
    assert bclient.get("/graph.json?iri=bad iri").status_code == 404
    assert bclient.get("/graph.json").get_json()["ok"] is False


def test_big_neighbourhoods_are_capped_and_say_so(bclient):
    data = bclient.get("/graph.json", query_string={"iri": "https://w3id.org/qagraph/id/organisation/paging-test"}).get_json()
    assert len(data["nodes"]) <= 20
    assert data["more"][0]["count"] == 45


def test_levels_overview_has_the_ladder_and_charts(bclient):
    page = bclient.get("/levels?lang=en")
    assert page.status_code == 200
    for notation in ("B", "C1", "C2", "D", "E", "F"):
        assert f'id="level-{notation}"' in page.text
    assert page.text.index('id="level-B"') < page.text.index('id="level-F"')
    assert "Credentials per level by sector" in page.text and "Credentials per level by country" in page.text
    assert "<svg" in page.text and "The learning outcomes are examined" in page.text
    sv = bclient.get("/levels?lang=sv").text
    assert "Meriter per nivå och sektor" in sv


def test_levels_json(bclient):
    data = bclient.get("/levels.json").get_json()
    assert [lv["notation"] for lv in data["levels"]] == ["B", "C1", "C2", "D", "E", "F"]
    b = data["levels"][0]
    assert b["requires"]["requiresSectorQualityAssurer"] is True and b["definition"]
    se = next(r for r in data["charts"]["country"] if r["value"] == "SE")
    assert se["counts"].get("B", 0) >= 1


def test_level_links_go_to_the_overview(bclient):
    page = bclient.get("/id/route/heta-arbeten?lang=en").text
    assert 'href="/levels#level-B"' in page


def test_graph_filters_by_relation_kind_without_javascript(bclient):
    route = "https://w3id.org/qagraph/id/route/heta-arbeten"
    page = bclient.get("/graph", query_string={"iri": route, "relation": "qa:issuer", "lang": "en"})
    assert page.status_code == 200
    assert 'value="qa:issuer" checked' in page.text and 'value="qa:trainingProvider">' in page.text
    data = bclient.get("/graph.json", query_string={"iri": route, "relation": "qa:issuer"}).get_json()
    assert {e["relation"] for e in data["edges"]} == {"qa:issuer"}
    assert {n["id"] for n in data["nodes"]} == {route, BRANDSKYDD}


def test_the_ladder_follows_each_load(app, client, tmp_path):
    """The ladder's texts are read once per state of the store: a load that changes a
    level's definition shows on the next request."""
    import loaders
    from graph_app.core.loading import LoadInput, load
    from graph_app.core.namespaces import DEFAULT_BASE

    store = app.extensions["qagraph.store"]
    path = tmp_path / "ladder.ttl"
    for text in ("Först", "Sedan"):
        path.write_text(
            "@prefix qa: <https://w3id.org/qagraph/ontology#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            '<https://w3id.org/qagraph/vocab/level/B> a qa:AssuranceLevel ; qa:rank 1 ; skos:notation "B" ;\n'
            f'  skos:definition "{text}"@sv .\n', encoding="utf-8")
        load(store, [LoadInput(path, "ladder", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
        levels = client.get("/levels.json?lang=sv").get_json()["levels"]
        assert [lv["definition"] for lv in levels] == [text]
