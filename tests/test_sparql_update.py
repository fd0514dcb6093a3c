"""SPARQL Update with the curator token: stage -> validate -> commit, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from graph_app.core.namespaces import QA
from graph_app.core.sparql import source_graph_iri

from .conftest import ROOT
from .w3c.live import Live, load_source, start

TOKEN = "curator-secret"
EN = {"Accept-Language": "en"}
ORG = "https://w3id.org/qagraph/id/organisation/"
PREFIXES = f"PREFIX qa: <{QA}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


STORE_KINDS = ("embedded", "remote")


@pytest.fixture
def live(store_settings, tmp_path) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    server = start(store_settings, CURATOR_TOKEN=TOKEN)
    for path in sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "ontology" / "schemes").glob("*.ttl")):
        load_source(server.store, path.stem, path, ox.RdfFormat.TURTLE)
    mini = tmp_path / "mini.ttl"
    mini.write_text(
        f"@prefix qa: <{QA}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f'<{ORG}alpha> a qa:Organisation ; rdfs:label "Alfa"@sv , "Alpha"@en ; qa:country "SE" .\n'
    )
    load_source(server.store, "mini", mini, ox.RdfFormat.TURTLE)
    yield server
    server.stop()


def update(live: Live, text: str, token: str | None = TOKEN) -> requests.Response:
    headers = {"Content-Type": "application/sparql-update", **EN}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(live.url + "/sparql", data=text.encode(), headers=headers, timeout=60)


def ask(live: Live, query: str) -> bool:
    response = requests.get(live.url + "/sparql", params={"query": PREFIXES + query}, timeout=30)
    return bool(response.json()["boolean"])


def test_wrong_or_missing_token_is_401_and_nothing_changes(live: Live) -> None:
    before = live.store.current_graphs()
    text = PREFIXES + f'INSERT DATA {{ GRAPH <{source_graph_iri("mini")}> {{ <{ORG}alpha> rdfs:comment "x" }} }}'
    assert update(live, text, token=None).status_code == 401
    response = update(live, text, token="wrong")
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
    assert live.store.current_graphs() == before


def test_valid_update_is_committed_as_a_new_version_of_the_source(live: Live) -> None:
    old = live.store.current_graphs()["mini"]
    text = PREFIXES + f'INSERT DATA {{ GRAPH <{source_graph_iri("mini")}> {{ <{ORG}alpha> rdfs:comment "checked" }} }}'
    response = update(live, text)
    assert response.status_code == 200, response.text
    assert "1 triples added" in response.text
    assert live.store.current_graphs()["mini"] != old
    assert ask(live, f'ASK {{ <{ORG}alpha> rdfs:comment "checked" }}')
    sources = {s.name: s for s in live.store.sources()}
    assert "SPARQL Update" in sources["mini"].agent or sources["mini"].file == "SPARQL Update"


def test_update_breaking_a_shape_is_refused_with_violations(live: Live) -> None:
    before = live.store.current_graphs()
    # An issuance route with no credential, no level and no issuer breaks the route shape.
    text = PREFIXES + (
        f"INSERT DATA {{ GRAPH <{source_graph_iri('mini')}> {{ "
        f"<https://w3id.org/qagraph/id/route/broken> a qa:IssuanceRoute }} }}"
    )
    response = update(live, text)
    assert response.status_code == 422, response.text
    assert "route/broken" in response.text
    assert live.store.current_graphs() == before
    assert not ask(live, "ASK { <https://w3id.org/qagraph/id/route/broken> ?p ?o }")


def test_writes_outside_source_graphs_are_refused(live: Live) -> None:
    before = live.store.current_graphs()
    response = update(live, PREFIXES + f'INSERT DATA {{ <{ORG}alpha> rdfs:comment "x" }}')
    assert response.status_code == 400 and "source graphs" in response.text
    response = update(live, PREFIXES + 'INSERT DATA { GRAPH <http://example.org/g> { <http://x/a> <http://x/b> "c" } }')
    assert response.status_code == 400 and "http://example.org/g" in response.text
    assert live.store.current_graphs() == before


def test_malformed_update_is_400(live: Live) -> None:
    response = update(live, "INSERT DATA { <x")
    assert response.status_code == 400 and "syntax error" in response.text


def test_service_description_lists_update_with_token(live: Live) -> None:
    response = requests.get(live.url + "/sparql", headers={"Accept": "application/n-triples"}, timeout=10)
    assert "http://www.w3.org/ns/sparql-service-description#SPARQL11Update" in response.text


def test_graph_store_protocol_put_get_post_delete(live: Live) -> None:
    url = live.url + "/graph-store"
    graph = source_graph_iri("curated")
    auth = {"Authorization": f"Bearer {TOKEN}", **EN}
    body = f'<{ORG}beta> a <{QA}Organisation> ; <http://www.w3.org/2000/01/rdf-schema#label> "Beta"@en ; <{QA}country> "NO" .'
    created = requests.put(url, params={"graph": graph}, data=body.encode(),
                           headers={"Content-Type": "text/turtle", **auth}, timeout=60)
    assert created.status_code == 201, created.text
    got = requests.get(url, params={"graph": graph}, headers={"Accept": "application/n-triples"}, timeout=10)
    assert got.status_code == 200 and f"<{ORG}beta>" in got.text
    merged = requests.post(url, params={"graph": graph},
                           data=f'<{ORG}beta> <http://www.w3.org/2000/01/rdf-schema#comment> "c" .'.encode(),
                           headers={"Content-Type": "application/n-triples", **auth}, timeout=60)
    assert merged.status_code == 204
    assert ask(live, f'ASK {{ <{ORG}beta> rdfs:comment "c" ; rdfs:label "Beta"@en }}')
    broken = requests.post(url, params={"graph": graph},
                           data=b"<https://w3id.org/qagraph/id/route/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/qagraph/ontology#IssuanceRoute> .",
                           headers={"Content-Type": "application/n-triples", **auth}, timeout=60)
    assert broken.status_code == 422 and "route/x" in broken.text
    assert not ask(live, "ASK { <https://w3id.org/qagraph/id/route/x> ?p ?o }")
    assert requests.delete(url, params={"graph": graph}, headers=EN, timeout=10).status_code == 401
    assert requests.delete(url, params={"graph": graph}, headers=auth, timeout=10).status_code == 204
    assert requests.get(url, params={"graph": graph}, timeout=10).status_code == 404
    assert requests.put(url, params={"graph": "http://example.org/other"}, data=body.encode(),
                        headers={"Content-Type": "text/turtle", **auth}, timeout=10).status_code == 400
    bad = requests.put(url, params={"graph": graph}, data=b"<x> <y",
                       headers={"Content-Type": "text/turtle", **auth}, timeout=10)
    assert bad.status_code == 400 and "could not be read" in bad.text


def test_graph_store_is_off_without_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = start(tmp_path / "store")
    try:
        response = requests.get(server.url + "/graph-store", params={"default": ""}, timeout=10)
        assert response.status_code == 403
    finally:
        server.stop()
