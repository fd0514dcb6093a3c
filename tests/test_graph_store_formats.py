"""The Graph Store protocol accepts every format its own message lists, and a hostile body
is refused with a message like a hostile file, while the server stays up."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from graph_app.core.namespaces import QA
from graph_app.core.sparql import source_graph_iri

from .conftest import ROOT
from .hostile import nested_jsonld, nested_turtle_list
from .w3c.live import Live, load_source, start

TOKEN = "curator-secret"
ORG = "https://w3id.org/qagraph/id/organisation/"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Accept-Language": "en"}


@pytest.fixture
def live(tmp_path) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    server = start(tmp_path / "store", CURATOR_TOKEN=TOKEN)
    for path in sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "ontology" / "schemes").glob("*.ttl")):
        load_source(server.store, path.stem, path, ox.RdfFormat.TURTLE)
    yield server
    server.stop()


def put(live: Live, body: bytes, media_type: str) -> requests.Response:
    return requests.put(live.url + "/graph-store", params={"graph": source_graph_iri("curated")}, data=body,
                        headers={"Content-Type": media_type, **AUTH}, timeout=60)


def test_a_put_accepts_json_ld_as_its_message_offers(live: Live) -> None:
    refused = put(live, b"x", "application/trig")
    assert refused.status_code == 415 and "JSON-LD" in refused.text
    body = json.dumps({
        "@id": f"{ORG}gamma", "@type": f"{QA}Organisation", f"{QA}country": "FI",
        "http://www.w3.org/2000/01/rdf-schema#label": {"@value": "Gamma", "@language": "en"},
    }).encode()
    created = put(live, body, "application/ld+json")
    assert created.status_code == 201, created.text
    got = requests.get(live.url + "/graph-store", params={"graph": source_graph_iri("curated")},
                       headers={"Accept": "application/n-triples"}, timeout=10)
    assert f'<{ORG}gamma> <http://www.w3.org/2000/01/rdf-schema#label> "Gamma"@en' in got.text


@pytest.mark.parametrize(("body", "media_type"), [
    (nested_jsonld(10_000), "application/ld+json"),
    (nested_turtle_list(100_000), "text/turtle"),
])
def test_a_deeply_nested_body_is_refused_and_the_server_stays_up(live: Live, body: bytes, media_type: str) -> None:
    response = put(live, body, media_type)
    assert response.status_code == 400
    assert "could not be read: body:1:" in response.text and "nested deeper than 100 levels" in response.text
    assert requests.get(live.url + "/sparql", params={"query": "ASK {}"}, timeout=10).status_code == 200
