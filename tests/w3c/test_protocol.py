"""The W3C SPARQL 1.1 Protocol and Service Description tests, run against the endpoint
served on 127.0.0.1.

The manifests are read from ``../shared/w3c-sparql11/`` beside the project root. Each
test's requests are sent as the manifest describes them, with one adaptation: the store
names each source's graph itself, so the test's graph IRIs in ``default-graph-uri``,
``named-graph-uri`` and ``FROM`` are replaced by the stable IRIs of the sources the test
data is loaded as (``…/graph/source/data1`` for data1.nt, …). The update tests run with
the curator token configured.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection

from graph_app.core.sparql import source_graph_iri

from ..conftest import store_settings_for
from .live import Live, load_source, start

ROOT = Path(__file__).resolve().parents[2]
SUITE = (ROOT / ".." / "shared" / "w3c-sparql11").resolve()
PROTOCOL = SUITE / "protocol" / "manifest.ttl"
SD_MANIFEST = SUITE / "service-description" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SDNS = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
TOKEN = "test-curator-token"
KASEI = "http://kasei.us/2009/09/sparql/data/"
STORE_KINDS = ("embedded", "remote")

# Update tests whose updates write to graphs that are not source graphs, or use
# using-graph-uri: the store keeps every graph as a versioned source graph, so these
# updates are refused with 400 by design (see docs/sparql.md).
REFUSED_BY_DESIGN = {
    "update_dataset_default_graph",
    "update_dataset_default_graphs",
    "update_dataset_named_graphs",
    "update_dataset_full",
    "update_base_uri",
}


def _manifest(path: Path) -> tuple[Graph, list[URIRef]]:
    graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, graph.value(manifest, MF.entries))
    return graph, list(entries)  # type: ignore[arg-type]


PROTOCOL_GRAPH, PROTOCOL_TESTS = _manifest(PROTOCOL)


def _name(test: URIRef) -> str:
    return str(test).rsplit("#", 1)[-1]


def _graph_iri(iri: str) -> str:
    match = re.fullmatch(re.escape(KASEI) + r"(data\d)\.rdf", iri)
    return source_graph_iri(match.group(1)) if match else iri


def _rewrite_path(path: str) -> str:
    """Path prefix /sparql/ kept; graph parameters mapped to source graph IRIs."""
    base, _, query = path.partition("?")
    if not query:
        return base
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    out = [(k, _graph_iri(v) if k.endswith("graph-uri") else v) for k, v in pairs]
    return base + "?" + urllib.parse.urlencode(out, quote_via=urllib.parse.quote)


def _rewrite_body(body: str) -> str:
    return re.sub(r"(FROM\s+(?:NAMED\s+)?<)([^>]*)(>)",
                  lambda m: m.group(1) + _graph_iri(m.group(2)) + m.group(3), body)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, store_kind: str,
         request: pytest.FixtureRequest) -> Iterator[Live]:
    settings = store_settings_for(store_kind, tmp_path_factory.mktemp("w3c"), request)
    server = start(settings, CURATOR_TOKEN=TOKEN, QUERY_TIMEOUT=10)
    yield server
    server.stop()


def _reset(live: Live) -> None:
    for name in list(live.store.current_graphs()):
        live.store.drop(name)
    for n in (1, 2, 3):
        load_source(live.store, f"data{n}", SUITE / "protocol" / f"data{n}.nt", ox.RdfFormat.N_TRIPLES)


def _status_ok(status: int, expected: set[str]) -> bool:
    return any(str(e).endswith(f"StatusCode{status // 100}xx") for e in expected)


@pytest.mark.parametrize("test", PROTOCOL_TESTS, ids=_name)
def test_protocol(live: Live, test: URIRef) -> None:
    g = PROTOCOL_GRAPH
    name = _name(test)
    _reset(live)
    action = g.value(test, MF.action)
    requests_list = list(Collection(g, g.value(action, HT.requests)))
    if name in REFUSED_BY_DESIGN:
        requests_list = requests_list[:1]
    for req in requests_list:
        method = str(g.value(req, HT.methodName))
        path = _rewrite_path(str(g.value(req, HT.absolutePath)))
        headers = {"Authorization": f"Bearer {TOKEN}", "Accept-Language": "en"}
        headers_node = g.value(req, HT.headers)
        if headers_node is not None:
            for h in Collection(g, headers_node):
                headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
        body_node = g.value(req, HT.body)
        data = None
        if body_node is not None:
            text = _rewrite_body(str(g.value(body_node, CNT.chars)))
            charset = re.search(r"charset=([\w-]+)", headers.get("content-type", ""))
            data = text.encode(charset.group(1) if charset else "utf-8")
        before = live.store.current_graphs()
        response = requests.request(method, live.url + path, data=data, headers=headers, timeout=30)
        if name in REFUSED_BY_DESIGN:
            # Refused with a clear message, and nothing changed.
            assert response.status_code == 400, response.text
            assert "source graphs" in response.text or "using-graph-uri" in response.text
            assert live.store.current_graphs() == before
            return
        resp = g.value(req, HT.resp)
        expected_status = {str(s) for s in g.objects(resp, MF.expectedStatus)}
        assert _status_ok(response.status_code, expected_status), (name, response.status_code, response.text)
        fmt = g.value(resp, MF.expectedFormat)
        content_type = response.headers.get("Content-Type", "").split(";")[0]
        if fmt is not None:
            allowed = {
                "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
                "tabular": {"application/sparql-results+json", "application/sparql-results+xml",
                            "text/csv", "text/tab-separated-values"},
                "RDF": {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"},
            }[str(fmt)]
            assert content_type in allowed, (name, content_type)
        expected_boolean = g.value(resp, MF.expectedBoolean)
        if expected_boolean is not None:
            assert content_type == "application/sparql-results+json", content_type
            assert response.json()["boolean"] is expected_boolean.toPython(), (name, response.text)


def test_protocol_manifest_is_complete() -> None:
    assert len(PROTOCOL_TESTS) == 34


SD_GRAPH, SD_TESTS = _manifest(SD_MANIFEST)


@pytest.mark.parametrize("test", SD_TESTS, ids=_name)
def test_service_description(live: Live, test: URIRef) -> None:
    url = live.url + "/sparql/"
    response = requests.get(url, headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    described = Graph().parse(data=response.text, format="turtle")
    services = list(described.subjects(RDF.type, SDNS.Service))
    name = _name(test)
    if name == "returns-rdf":
        assert len(described) > 0
    elif name == "has-endpoint-triple":
        assert (services[0], SDNS.endpoint, URIRef(url)) in described
    elif name == "conforms-to-schema":
        assert len(services) == 1
        service = services[0]
        assert set(described.objects(service, SDNS.supportedLanguage)) >= {SDNS.SPARQL11Query, SDNS.SPARQL11Update}
        for fmt in described.objects(service, SDNS.resultFormat):
            assert str(fmt).startswith("http://www.w3.org/ns/formats/")
        dataset = described.value(service, SDNS.defaultDataset)
        assert (dataset, RDF.type, SDNS.Dataset) in described
        assert (described.value(dataset, SDNS.defaultGraph), RDF.type, SDNS.Graph) in described
        for named in described.objects(dataset, SDNS.namedGraph):
            assert isinstance(described.value(named, SDNS.name), URIRef)
    else:
        pytest.fail(f"unknown service-description test {name}")
