"""The endpoint's dataset (SPARQL 1.1 Query §13, Protocol §2.1.4), the row cap that
limits the work, the pool that never makes a request wait, and protocol details that
real clients hit (real server on 127.0.0.1)."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from SPARQLWrapper import N3, RDFXML, SPARQLWrapper

from graph_app.core.namespaces import META_GRAPH
from graph_app.core.sparql import TRUNCATED_LINK, source_graph_iri

from .w3c.live import Live, load_source, start

EN = {"Accept-Language": "en"}
TOKEN = "semantics-token"
EX = "http://example.org/"
ROWS = 5300  # a cross product of this many triples has 28,090,000 rows


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("semantics")
    server = start(folder / "store", CURATOR_TOKEN=TOKEN, ROW_LIMIT=100, QUERY_TIMEOUT=20)
    for name, subjects in (("alpha", ["a1", "a2"]), ("beta", ["b1"])):
        path = folder / f"{name}.nt"
        path.write_text("".join(f"<{EX}{s}> <{EX}p> \"{name}\" .\n" for s in subjects))
        load_source(server.store, name, path, ox.RdfFormat.N_TRIPLES)
    big = folder / "big.nt"
    big.write_text("".join(f"<{EX}n{i}> <{EX}q> \"{i}\" .\n" for i in range(ROWS)))
    load_source(server.store, "big", big, ox.RdfFormat.N_TRIPLES)
    yield server
    server.stop()


def select(live: Live, query: str, **params: str) -> list[dict[str, str]]:
    response = requests.get(live.url + "/sparql", params={"query": query, **params},
                            headers={"Accept": "application/sparql-results+json", **EN}, timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


# -- dataset ---------------------------------------------------------------------------


def test_graph_with_a_stable_iri_matches_that_source(live: Live) -> None:
    alpha = source_graph_iri("alpha")
    rows = select(live, f"SELECT ?s WHERE {{ GRAPH <{alpha}> {{ ?s <{EX}p> ?o }} }} ORDER BY ?s")
    assert [r["s"] for r in rows] == [EX + "a1", EX + "a2"]
    named = select(live, f"SELECT ?s FROM NAMED <{alpha}> WHERE {{ GRAPH <{alpha}> {{ ?s ?p ?o }} }}")  # noqa: S608 - test data, not user text
    assert len(named) == 2
    prefixed = select(live, f"PREFIX src: <{source_graph_iri('')}> SELECT ?s WHERE {{ GRAPH src:beta {{ ?s ?p ?o }} }}")
    assert [r["s"] for r in prefixed] == [EX + "b1"]
    by_protocol = select(live, f"SELECT ?s WHERE {{ GRAPH <{alpha}> {{ ?s ?p ?o }} }}",
                         **{"named-graph-uri": source_graph_iri("beta")})
    assert by_protocol == []  # the protocol's dataset has only beta as a named graph


def test_graph_variable_binds_stable_iris_only(live: Live) -> None:
    rows = select(live, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} }} ORDER BY ?g")
    assert [r["g"] for r in rows] == [source_graph_iri("alpha"), source_graph_iri("beta")]
    assert all(set(r) == {"g"} for r in rows)  # no helper variable leaks
    every = select(live, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    versioned = {g.value for g in live.store.current_graphs().values()}
    assert {r["g"] for r in every} == {source_graph_iri(n) for n in ("alpha", "beta", "big")} | {META_GRAPH}
    assert not versioned & {r["g"] for r in every}
    # inside the query too: a filter on the stable IRI, a string function on it
    filtered = select(live, f"SELECT ?s WHERE {{ GRAPH ?g {{ ?s <{EX}p> ?o }} "
                            f"FILTER(?g = <{source_graph_iri('beta')}> && STRSTARTS(STR(?g), \"{source_graph_iri('')}\")) }}")
    assert [r["s"] for r in filtered] == [EX + "b1"]
    star = select(live, f"SELECT * WHERE {{ GRAPH ?g {{ <{EX}b1> ?p ?o }} }}")
    assert set(star[0]) == {"g", "p", "o"}
    # versioned IRIs are no graph names of the dataset
    some = next(iter(versioned))
    assert select(live, f"SELECT * WHERE {{ GRAPH <{some}> {{ ?s ?p ?o }} }}") == []


def test_the_metadata_graph_is_outside_the_default_graph_but_named(live: Live) -> None:
    prov = "http://www.w3.org/ns/prov#"
    assert select(live, f"SELECT ?a WHERE {{ ?a a <{prov}Activity> }}") == []
    assert select(live, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] == str(3 + ROWS)
    named = select(live, f"SELECT ?a WHERE {{ GRAPH <{META_GRAPH}> {{ ?a a <{prov}Activity> }} }}")
    assert len(named) == 3
    as_default = select(live, f"SELECT ?a FROM <{META_GRAPH}> WHERE {{ ?a a <{prov}Activity> }}")  # noqa: S608 - test data, not user text
    assert len(as_default) == 3


def test_from_names_the_default_graph_and_unknown_graphs_are_empty(live: Live) -> None:
    rows = select(live, f"SELECT ?s FROM <{source_graph_iri('beta')}> WHERE {{ ?s <{EX}p> ?o }}")  # noqa: S608 - test data, not user text
    assert [r["s"] for r in rows] == [EX + "b1"]
    assert select(live, f"SELECT * FROM <{EX}nothing> WHERE {{ ?s ?p ?o }}") == []  # noqa: S608 - test data, not user text
    both = select(live, f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}",
                  **{"default-graph-uri": source_graph_iri("alpha")})
    assert len(both) == 2


# -- the row cap -----------------------------------------------------------------------


@pytest.mark.parametrize(("accept", "count"), [
    ("application/sparql-results+json", lambda b: len(json.loads(b)["results"]["bindings"])),
    ("application/sparql-results+xml", lambda b: b.count(b"<result>")),
    ("text/csv", lambda b: len(list(csv.reader(io.StringIO(b.decode())))) - 1),
    ("text/tab-separated-values", lambda b: len(b.decode().splitlines()) - 1),
])
def test_a_28_million_row_select_returns_the_cap_and_the_flag(live: Live, accept: str, count) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # (ROWS + 3)^2 rows
    started = time.monotonic()
    response = requests.get(live.url + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=60)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.headers["X-SPARQL-Truncated"] == "true" and response.headers["X-SPARQL-Row-Limit"] == "100"
    assert count(response.content) == 100
    # the cap limits the work: the whole cross product would take minutes to write out
    assert elapsed < 10, elapsed
    if accept.endswith("json"):
        body = response.json()
        assert body["truncated"] is True and body["head"]["link"] == [TRUNCATED_LINK]
    if accept.endswith("xml"):
        assert f'<link href="{TRUNCATED_LINK}"/>'.encode() in response.content


# -- the pool ----------------------------------------------------------------------------


def test_a_full_pool_answers_503_with_retry_after_at_once(tmp_path: Path) -> None:
    server = start(tmp_path / "store", QUERY_TIMEOUT=6, QUERY_WORKERS=1, QUERY_CLIENT_LIMIT=1)
    try:
        data = tmp_path / "d.nt"
        data.write_text("".join(f"<{EX}s{i}> <{EX}p> \"{i}\" .\n" for i in range(2000)))
        load_source(server.store, "d", data, ox.RdfFormat.N_TRIPLES)
        assert requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?o2 . ?c ?r ?o3 }"
        thread = threading.Thread(target=lambda: requests.get(server.url + "/sparql", params={"query": slow},
                                                              timeout=30))
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        # the same client: over its share
        mine = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, headers=EN, timeout=30)
        assert mine.status_code == 503 and int(mine.headers["Retry-After"]) >= 1
        assert "queries running" in mine.text
        # at once: waiting for the worker would take up to the 6 s the slow query may run;
        # half of that is a generous bound on a loaded machine
        assert time.monotonic() - started < 3.0
        # a page never waits on the pool
        page = requests.get(server.url + "/levels", timeout=30)
        assert page.status_code == 200 and time.monotonic() - started < 3.0
        thread.join(30)
    finally:
        server.stop()


# -- protocol details ----------------------------------------------------------------------


def test_sparqlwrapper_construct_as_rdf_xml_and_n3(live: Live) -> None:
    client = SPARQLWrapper(live.url + "/sparql")
    client.setQuery(f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}")
    client.setReturnFormat(RDFXML)
    as_xml = client.query().convert()
    assert len(as_xml) == 3  # type: ignore[arg-type]
    client.setReturnFormat(N3)
    as_n3 = client.query().convert()
    assert len(Graph().parse(data=as_n3, format="n3")) == 3


def test_format_names_and_fallback_to_accept(live: Live) -> None:
    construct = f"CONSTRUCT {{ ?s <{EX}p> ?o }} WHERE {{ ?s <{EX}p> ?o }}"
    for name, media in (("rdf+xml", "application/rdf+xml"), ("n3", "text/turtle")):
        response = requests.get(live.url + "/sparql", params={"query": construct, "format": name}, timeout=30)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(media)
    unknown = requests.get(live.url + "/sparql", params={"query": construct, "format": "weird"},
                           headers={"Accept": "application/n-triples"}, timeout=30)
    assert unknown.status_code == 200 and unknown.headers["Content-Type"].startswith("application/n-triples")


def test_ask_with_only_csv_acceptable_is_406(live: Live) -> None:
    ask = requests.get(live.url + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"}, timeout=30)
    assert ask.status_code == 406
    fallback = requests.get(live.url + "/sparql", params={"query": "ASK {}"},
                            headers={"Accept": "text/csv, */*;q=0.1"}, timeout=30)
    assert fallback.status_code == 200 and fallback.json()["boolean"] is True


def test_graph_store_preflight_lists_its_methods(live: Live) -> None:
    preflight = requests.options(live.url + "/graph-store", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "PUT"}, timeout=10)
    methods = preflight.headers["Access-Control-Allow-Methods"]
    assert "PUT" in methods and "DELETE" in methods


def test_an_empty_graph_store_put_is_refused(live: Live) -> None:
    before = live.store.current_graphs()
    response = requests.put(live.url + "/graph-store", params={"graph": source_graph_iri("alpha")}, data=b"",
                            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}", **EN},
                            timeout=30)
    assert response.status_code == 400 and "no triples" in response.text
    assert live.store.current_graphs() == before
    assert requests.get(live.url + "/graph-store", params={"graph": source_graph_iri("alpha")},
                        timeout=30).status_code == 200


def test_graph_store_put_accepts_json_ld(live: Live) -> None:
    body = json.dumps({"@id": EX + "j1", EX + "p": "json"}).encode()
    graph = source_graph_iri("jsonld")
    response = requests.put(live.url + "/graph-store", params={"graph": graph}, data=body,
                            headers={"Content-Type": "application/ld+json", "Authorization": f"Bearer {TOKEN}"},
                            timeout=60)
    assert response.status_code == 201, response.text
    assert select(live, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <{EX}j1> ?p ?o }} }}") == [{"o": "json"}]
    live.store.drop("jsonld")


def test_cli_query_csv_and_json_write_full_iris(qagraph, store_path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "one.ttl"
    data.write_text("<https://w3id.org/qagraph/id/credential/x> a <https://w3id.org/qagraph/ontology#Credential> .\n")
    from graph_app.core.store import OxigraphStore

    store = OxigraphStore(store_path)
    load_source(store, "one", data, ox.RdfFormat.TURTLE)
    store.close()
    query = "SELECT ?c WHERE { ?c a qa:Credential }"
    as_csv = qagraph("query", query, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    assert as_csv.output.splitlines() == ["c", "https://w3id.org/qagraph/id/credential/x"]
    as_json = qagraph("query", query, "--format", "json")
    assert json.loads(as_json.output)["results"]["bindings"][0]["c"]["value"] == "https://w3id.org/qagraph/id/credential/x"
    table = qagraph("query", query)
    assert "id:credential/x" in table.output or "credential/x" in table.output


def test_the_service_description_names_the_graphs_of_the_dataset(live: Live) -> None:
    response = requests.get(live.url + "/sparql", headers={"Accept": "application/n-triples"}, timeout=30)
    names = {line.split()[2].strip("<>") for line in response.text.splitlines()
             if "sparql-service-description#name>" in line}
    assert names == {source_graph_iri(n) for n in ("alpha", "beta", "big")} | {META_GRAPH}
