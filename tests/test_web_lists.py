"""Faceted lists: every list, its .json and .csv twins, facets with counts, filtering,
sorting, paging, bad parameters, and statistics kept up to date on load."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import loaders
from graph_app import create_app
from graph_app.cli import bundled_inputs
from graph_app.core.catalogue import FACETS, LISTED, Entry
from graph_app.core.catalogue import catalogue as catalogue_of
from graph_app.core.labels import fold
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.web.lists import LISTS as WEB_LISTS

from . import web_browse_data
from .conftest import store_settings_for
from .test_bench_generate import generate
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


# -- the listing's sets give what a plain count over the catalogue gives ------------------------


@pytest.fixture(scope="module")
def generated_app(tmp_path_factory: pytest.TempPathFactory, store_kind: str,
                  request: pytest.FixtureRequest) -> Iterator[object]:
    """The sample data and a generated store (bench/generate.py: 465 organisations, 279
    credentials), loaded once for the module."""
    tmp = tmp_path_factory.mktemp("generated-lists")
    data = tmp / "generated.nt"
    generate(data, "--triples", "20000", "--awards-per-org", "2")
    app = create_app({**store_settings_for(store_kind, tmp, request), "TESTING": True})
    store = app.extensions["qagraph.store"]
    load(store, [*bundled_inputs(), LoadInput(data, "generated", loaders.get("ntriples"))],
         base_iri=DEFAULT_BASE, validate=False)
    yield app
    store.close()


def _plain_listing(entries: list[Entry], chosen: dict[str, list[str]], sort: str, language: str,
                   ranks: dict[str, int]) -> tuple[list[Entry], dict[str, Counter[str]]]:
    """What a list shows, by reading every entry: the matching ones in the sort order,
    and for each facet how many of them have each value."""
    matching = [e for e in entries if all(e.facets.get(f, set()) & set(vs) for f, vs in chosen.items())]
    ordered = sorted(matching, key=lambda e: (fold(e.label(language)), e.iri))
    if sort == "-label":
        ordered.reverse()
    elif sort == "country":
        ordered.sort(key=lambda e: min(e.facets.get("country") or {"~"}))
    elif sort == "level":
        ordered.sort(key=lambda e: min((ranks.get(v, 99) for v in e.facets.get("level", ())), default=99))
    counts = {f: Counter(v for e in matching for v in e.facets.get(f, ())) for f in FACETS}
    return ordered, counts


def _choices(entries: list[Entry]) -> list[dict[str, list[str]]]:
    """No choice; per facet its most and its least frequent value, and both; two facets at
    once; a value nothing has."""
    everything = {f: Counter(v for e in entries for v in e.facets.get(f, ())) for f in FACETS}
    out: list[dict[str, list[str]]] = [{}]
    for f, counts in everything.items():
        ranked = [v for v, _n in sorted(counts.items(), key=lambda vn: (-vn[1], vn[0]))]
        if ranked:
            out += [{f: [ranked[0]]}, {f: [ranked[-1]]}, {f: ranked[:1] + ranked[-1:]}]
    used = [f for f in FACETS if everything[f]]
    if len(used) >= 2:
        first, second = used[:2]
        top = everything[first].most_common(1)[0][0]
        among = Counter(v for e in entries if top in e.facets.get(first, ()) for v in e.facets.get(second, ()))
        if among:
            out.append({first: [top], second: [among.most_common(1)[0][0]]})
    out.append({"country": ["XX"]})
    return out


@pytest.mark.parametrize("data", ["sample", "generated"])
def test_list_counts_order_and_pages_are_those_of_a_plain_count_over_the_catalogue(
        data: str, store_kind: str, request: pytest.FixtureRequest) -> None:
    """Every list, for choices of facet values, every sort, two languages and two pages:
    the total, every facet's counts (all values), the values that show and the page's
    things are those of a count over every entry of the catalogue."""
    app = request.getfixturevalue("browse_app" if data == "sample" else "generated_app")
    client = app.test_client()  # type: ignore[attr-defined]
    catalogue = catalogue_of(app.extensions["qagraph.store"])  # type: ignore[attr-defined]
    checked = 0
    for name, kind in WEB_LISTS.items():
        entries = catalogue.of_kind(kind)
        for chosen in _choices(entries):
            for sort, language, page in (("label", "sv", 1), ("-label", "en", 2), ("country", "sv", 2),
                                         ("level", "en", 1)):
                query = {**chosen, "sort": sort, "lang": language, "page": page, "per_page": 7,
                         "facet_size": 2000}
                got = client.get(f"/{name}.json", query_string=query).get_json()
                ordered, counts = _plain_listing(entries, chosen, sort, language, catalogue.ranks)
                assert got["total"] == len(ordered), (name, query)
                assert [i["iri"] for i in got["items"]] == [e.iri for e in ordered[(page - 1) * 7:page * 7]], \
                    (name, query)
                shown = {f["facet"]: f for f in got["facets"]}
                for f in FACETS:
                    expected = dict(counts[f]) | {v: 0 for v in chosen.get(f, []) if v not in counts[f]}
                    if not expected:
                        assert f not in shown, (name, query, f)
                        continue
                    assert {v["value"]: v["count"] for v in shown[f]["values"]} == expected, (name, query, f)
                    assert shown[f]["distinct"] == len(counts[f])
                checked += 1
    assert checked > 200
    # a small facet size shows the most frequent values (ties by value), and a chosen one
    entries = catalogue.of_kind("credential")
    counts = Counter(v for e in entries for v in e.facets.get("issuer", ()))
    rare = min(counts, key=lambda v: (counts[v], v))
    got = client.get("/credentials.json", query_string={"facet_size": 1, "issuer": rare}).get_json()
    issuers = next(f for f in got["facets"] if f["facet"] == "issuer")
    plain = _plain_listing(entries, {"issuer": [rare]}, "label", "sv", catalogue.ranks)[1]["issuer"]
    top = sorted(plain.items(), key=lambda vn: (-vn[1], vn[0]))[:1]
    assert {v["value"] for v in issuers["values"]} == {v for v, _n in top} | {rare}


def test_every_list_page_has_its_listing_built_with_the_catalogue() -> None:
    assert set(WEB_LISTS.values()) == set(LISTED)
