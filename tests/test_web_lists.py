"""Faceted lists: every list, its .json and .csv twins, facets with counts, filtering,
sorting, paging, bad parameters, and statistics kept up to date on load."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import loaders
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE

from . import web_browse_data
from .web_browse_data import HETA

STORE_KINDS = ("embedded", "remote")

bclient = web_browse_data.bclient
browse_app = web_browse_data.browse_app

LISTS = ["organisations", "credentials", "schemes", "standards", "requirements", "collaborations"]
LVL = "https://w3id.org/qagraph/vocab/level/"


@pytest.mark.parametrize("name", LISTS)
def test_every_list_and_its_twins(bclient, name):
    html = bclient.get(f"/{name}?lang=en")
    assert html.status_code == 200 and "<table>" in html.text
    data = bclient.get(f"/{name}.json").get_json()
    assert data["ok"] is True and data["total"] >= 1 and data["items"]
    assert all(item["href"].startswith("/id/") for item in data["items"])
    table = list(csv.reader(io.StringIO(bclient.get(f"/{name}.csv").text)))
    assert table[0][:2] == ["label", "iri"] and len(table) == len(data["items"]) + 1
    # every facet has its names and, apart, its IRIs (or codes)
    assert {"level", "level_iri", "country", "country_code", "issuer", "issuer_iri"} <= set(table[0])


def test_credential_facets_have_counts_in_both_html_and_json(bclient):
    data = bclient.get("/credentials.json").get_json()
    facets = {f["facet"]: {v["value"]: v["count"] for v in f["values"]} for f in data["facets"]}
    assert set(facets) >= {"level", "country", "sector", "issuer", "standard"}
    assert facets["level"][LVL + "B"] >= 1
    level_order = [v["value"] for f in data["facets"] if f["facet"] == "level" for v in f["values"]]
    ladder = [LVL + n for n in ("B", "C1", "C2", "D", "E", "F")]
    assert level_order == [lv for lv in ladder if lv in level_order]
    assert sum(facets["country"].values()) >= data["total"] - 1
    html = bclient.get("/credentials?lang=en").text
    # facets are links that apply on click, and level values wear their /levels colour
    assert 'href="/credentials?lang=en&amp;level=https://w3id.org/qagraph/vocab/level/B"' in html
    assert '<span class="badge level-B">B</span>' in html
    assert "Assurance level" in html and "Country" in html


def test_filtering_by_facets_narrows_the_list_and_the_counts(bclient):
    all_items = bclient.get("/credentials.json").get_json()
    only_b = bclient.get("/credentials.json", query_string={"level": LVL + "B"}).get_json()
    assert 0 < only_b["total"] < all_items["total"]
    assert all(LVL + "B" in i["facets"]["level"] for i in only_b["items"])
    assert HETA in {i["iri"] for i in only_b["items"]}
    both = bclient.get("/credentials.json", query_string={"level": LVL + "B", "country": "SE"}).get_json()
    assert all("SE" in i["facets"]["country"] for i in both["items"])
    assert both["total"] <= only_b["total"]
    roles = bclient.get("/organisations.json", query_string={"type": "https://w3id.org/qagraph/ontology#issuer"}).get_json()
    assert roles["total"] >= 1
    assert "https://w3id.org/qagraph/id/organisation/brandskyddsforeningen" in {i["iri"] for i in roles["items"]}


def test_sorting_and_paging_give_stable_urls(bclient):
    page1 = bclient.get("/credentials.json?per_page=5&page=1&sort=label").get_json()
    page2 = bclient.get("/credentials.json?per_page=5&page=2&sort=label").get_json()
    assert len(page1["items"]) == 5 and page1["pages"] >= 2
    assert not {i["iri"] for i in page1["items"]} & {i["iri"] for i in page2["items"]}
    assert bclient.get("/credentials.json?per_page=5&page=1&sort=label").get_json() == page1
    desc = bclient.get("/credentials.json?per_page=500&sort=-label").get_json()["items"]
    asc = bclient.get("/credentials.json?per_page=500&sort=label").get_json()["items"]
    assert [i["iri"] for i in desc] == [i["iri"] for i in asc][::-1]
    by_level = bclient.get("/credentials.json?per_page=500&sort=level").get_json()["items"]
    assert by_level[0]["facets"]["level"] == [LVL + "B"] or LVL + "B" in by_level[0]["facets"]["level"]
    html = bclient.get("/credentials?per_page=5&page=1&lang=en").text
    assert 'rel="next"' in html and "page=2" in html


def test_bad_parameters_are_400_not_500(bclient):
    assert bclient.get("/credentials?sort=nonsense").status_code == 400
    assert bclient.get("/credentials.json?page=x").status_code == 400
    assert bclient.get("/credentials.json?page=x").get_json()["ok"] is False


def test_no_matches_says_so(bclient):
    page = bclient.get("/credentials?country=XX&lang=en")
    assert page.status_code == 200 and "Nothing matches these filters." in page.text


def test_statistics_follow_each_load(app, client, tmp_path: Path):
    assert client.get("/credentials.json").get_json()["total"] == 0
    path = tmp_path / "c.ttl"
    path.write_text(
        "@prefix qa: <https://w3id.org/qagraph/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/qagraph/id/credential/new> a qa:Credential ; rdfs:label "Nytt"@sv ; qa:country "NO" .\n',
        encoding="utf-8")
    store = app.extensions["qagraph.store"]
    load(store, [LoadInput(path, "c", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    data = client.get("/credentials.json").get_json()
    assert data["total"] == 1 and data["facets"][0]["values"][0]["value"] == "NO"
    assert client.get("/search.json?q=nytt").get_json()["count"] == 1
    store.drop("c")
    assert client.get("/credentials.json").get_json()["total"] == 0
    assert client.get("/search.json?q=nytt").get_json()["count"] == 0


def test_facets_show_the_most_frequent_values_and_can_show_all(bclient):
    few = bclient.get("/credentials.json?facet_size=2").get_json()
    issuers = next(f for f in few["facets"] if f["facet"] == "issuer")
    assert len(issuers["values"]) == 2 and issuers["truncated"] and issuers["distinct"] > 2
    counts = [v["count"] for v in issuers["values"]]
    assert counts == sorted(counts, reverse=True)
    everything = bclient.get("/credentials.json?facet_size=2000").get_json()
    assert len(next(f for f in everything["facets"] if f["facet"] == "issuer")["values"]) == issuers["distinct"]
    rare = next(f for f in everything["facets"] if f["facet"] == "issuer")["values"][-1]["value"]
    chosen = bclient.get("/credentials.json", query_string={"facet_size": 2, "issuer": rare}).get_json()
    assert rare in {v["value"] for f in chosen["facets"] for v in f["values"]}
    assert "facet_size=2000" in bclient.get("/credentials?facet_size=2&lang=en").text


def test_a_failing_commit_hook_does_not_undo_the_load(store, tmp_path: Path):
    def broken() -> None:
        raise RuntimeError("cache trouble")

    store.add_commit_hook(broken)
    path = tmp_path / "a.ttl"
    path.write_text('<https://w3id.org/qagraph/id/organisation/a> <http://www.w3.org/2000/01/rdf-schema#label> "A"@sv .\n',
                    encoding="utf-8")
    load(store, [LoadInput(path, "a", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    assert store.triple_count() == 1 and store.generation == 1
