"""The SPARQL endpoint, the example queries as APIs, dumps, VoID and the guide, against a
real server on 127.0.0.1 with the ontology, the schemes and the sample data loaded."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

from graph_app.core import sparql_examples
from graph_app.core.namespaces import QA
from graph_app.core.sparql import source_graph_iri
from graph_app.core.sparql_guard import ServiceRefused, check_query

from .conftest import ROOT, store_settings_for
from .w3c.live import Live, load_source, start

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
EN = {"Accept-Language": "en"}
STORE_KINDS = ("embedded", "remote")
COUNT_CREDENTIALS = f"PREFIX qa: <{QA}> SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a qa:Credential }}"
CONSTRUCT_CREDENTIALS = f"PREFIX qa: <{QA}> CONSTRUCT {{ ?c a qa:Credential }} WHERE {{ ?c a qa:Credential }}"


def load_sample(store) -> None:  # type: ignore[no-untyped-def]
    files = sorted((ROOT / "ontology").glob("*.ttl")) + sorted((ROOT / "ontology" / "schemes").glob("*.ttl"))
    files += sorted((ROOT / "data").glob("*.ttl"))
    for path in files:
        load_source(store, path.stem if path.parent.name != "schemes" else "scheme-" + path.stem,
                    path, ox.RdfFormat.TURTLE)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, store_kind: str,
         request: pytest.FixtureRequest) -> Iterator[Live]:
    settings = store_settings_for(store_kind, tmp_path_factory.mktemp("sparql"), request)
    server = start(settings, QUERY_TIMEOUT=20, ROW_LIMIT=50)
    load_sample(server.store)
    yield server
    server.stop()


def sparql(live: Live, query: str, accept: str = "application/sparql-results+json", **params: str):  # type: ignore[no-untyped-def]
    return requests.get(live.url + "/sparql", params={"query": query, **params},
                        headers={"Accept": accept, **EN}, timeout=30)


# -- protocol ------------------------------------------------------------------------


def test_select_json_counts_credentials(live: Live) -> None:
    response = sparql(live, COUNT_CREDENTIALS)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers["Vary"]


def test_post_form_and_direct_give_the_same_answer(live: Live) -> None:
    form = requests.post(live.url + "/sparql", data={"query": COUNT_CREDENTIALS}, timeout=30)
    direct = requests.post(live.url + "/sparql", data=COUNT_CREDENTIALS.encode(),
                           headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/sparql-results+xml;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
        ("application/json", "application/sparql-results+json"),
    ],
)
def test_negotiation_honours_q_values(live: Live, accept: str, expected: str) -> None:
    response = sparql(live, COUNT_CREDENTIALS, accept=accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected


def test_format_parameter_overrides_accept(live: Live) -> None:
    response = sparql(live, COUNT_CREDENTIALS, accept="application/sparql-results+xml", format="csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.text.splitlines()[0] == "n"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
     ("application/ld+json", "application/ld+json"), ("application/rdf+xml", "application/rdf+xml")],
)
def test_construct_formats(live: Live, accept: str, expected: str) -> None:
    response = sparql(live, CONSTRUCT_CREDENTIALS, accept=accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected
    fmt = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
           "application/rdf+xml": "xml"}[expected]
    parsed = Graph().parse(data=response.content, format=fmt)
    assert len(parsed) == int(response.headers["X-Result-Rows"]) > 0


def test_not_acceptable_format(live: Live) -> None:
    response = sparql(live, COUNT_CREDENTIALS, accept="image/png")
    assert response.status_code == 406


def test_malformed_query_gets_400_with_the_parser_message(live: Live) -> None:
    response = sparql(live, "SELECT ?x WHERE { ?x ")
    assert response.status_code == 400
    assert "syntax error" in response.text and "1:" in response.text


def test_two_query_parameters_get_400(live: Live) -> None:
    response = requests.get(live.url + "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", headers=EN, timeout=10)
    assert response.status_code == 400
    assert "exactly one" in response.text


def test_unsupported_media_type_gets_415(live: Live) -> None:
    response = requests.post(live.url + "/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert response.status_code == 415


def test_other_methods_get_405_with_allow(live: Live) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        response = requests.request(method, live.url + "/sparql", timeout=10)
        assert response.status_code == 405
        assert "POST" in response.headers["Allow"] and "GET" in response.headers["Allow"]


def test_service_is_refused(live: Live) -> None:
    response = sparql(live, "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert response.status_code == 400
    assert "SERVICE" in response.text


def test_the_word_service_in_a_string_or_iri_is_no_service_call(live: Live) -> None:
    response = sparql(live, 'SELECT ?x WHERE { BIND("SERVICE" AS ?x) FILTER(?x != <http://x/SERVICE>) } # SERVICE')
    assert response.status_code == 200
    assert check_query("SELECT * { ?s <http://ex/service> ?o }").kind == "SelectQuery"
    with pytest.raises(ServiceRefused):
        check_query("select * { service <http://ex/> { } }")


def test_unknown_graph_is_empty_and_source_graphs_can_be_named(live: Live) -> None:
    empty = sparql(live, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **{"default-graph-uri": "http://example.org/nothing"})
    assert empty.json()["results"]["bindings"][0]["n"]["value"] == "0"
    organisations = source_graph_iri("organisations")
    by_param = sparql(live, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **{"default-graph-uri": organisations})
    by_from = sparql(live, f"SELECT (COUNT(*) AS ?n) FROM <{organisations}> {{ ?s ?p ?o }}")  # noqa: S608
    size = live.store.graph_size(live.store.current_graphs()["organisations"])
    assert int(by_param.json()["results"]["bindings"][0]["n"]["value"]) == size > 0
    assert by_from.json() == by_param.json()


def test_row_cap_truncates_and_says_so(live: Live) -> None:
    response = sparql(live, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    body = response.json()
    assert len(body["results"]["bindings"]) == 50
    assert body["truncated"] is True
    assert response.headers["X-SPARQL-Truncated"] == "true"
    small = sparql(live, COUNT_CREDENTIALS)
    assert "X-SPARQL-Truncated" not in small.headers and "truncated" not in small.json()
    as_csv = sparql(live, "SELECT ?s WHERE { ?s ?p ?o }", accept="text/csv")
    assert len(as_csv.text.strip().splitlines()) == 51
    as_xml = sparql(live, "SELECT ?s WHERE { ?s ?p ?o }", accept="application/sparql-results+xml")
    assert as_xml.headers["X-SPARQL-Truncated"] == "true"
    assert as_xml.text.count("<result>") == 50 and "https://w3id.org/qagraph/sparql#truncated" in as_xml.text


def test_service_description_endpoint_is_the_url_used(live: Live) -> None:
    for path in ("/sparql", "/sparql/"):
        response = requests.get(live.url + path, headers={"Accept": "text/turtle"}, timeout=10)
        described = Graph().parse(data=response.text, format="turtle")
        service = next(described.subjects(RDF_TYPE, SD.Service))
        assert described.value(service, SD.endpoint) == URIRef(live.url + path)
        assert SD.SPARQL11Update not in set(described.objects(service, SD.supportedLanguage))


def test_browser_gets_the_editor(live: Live) -> None:
    response = requests.get(live.url + "/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", **EN}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "/vendor/yasgui/yasgui.min.js" in response.text
    assert '"qa": "https://w3id.org/qagraph/ontology#"' in response.text
    swedish = requests.get(live.url + "/sparql?lang=sv", headers={"Accept": "text/html"}, timeout=10)
    assert "SPARQL-frågeredigerare" in swedish.text


def test_editor_escapes_and_opens_examples(live: Live) -> None:
    response = requests.get(live.url + "/sparql", params={"example": "collaboration-network"},
                            headers={"Accept": "text/html", **EN}, timeout=10)
    assert response.status_code == 200
    assert "The collaboration network" in response.text
    missing = requests.get(live.url + "/sparql", params={"example": "<script>"},
                           headers={"Accept": "text/html"}, timeout=10)
    assert missing.status_code == 404 and "<script>" not in missing.text


# -- outside clients --------------------------------------------------------------------


def test_sparqlwrapper_select_json_and_xml_and_construct_turtle(live: Live) -> None:
    client = SPARQLWrapper(live.url + "/sparql")
    client.setQuery(COUNT_CREDENTIALS)
    client.setReturnFormat(JSON)
    as_json = client.query().convert()
    n = int(as_json["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]
    assert n > 0
    client.setReturnFormat(XML)
    as_xml = client.query().convert()
    assert as_xml.getElementsByTagName("literal")[0].firstChild.data == str(n)  # type: ignore[union-attr]
    client.setQuery(CONSTRUCT_CREDENTIALS)
    client.setReturnFormat(TURTLE)
    turtle = client.query().convert()
    assert len(Graph().parse(data=turtle, format="turtle")) == n


def test_rdflib_sparqlstore(live: Live) -> None:
    store = SPARQLStore(live.url + "/sparql", returnFormat="xml")
    graph = Graph(store=store)
    rows = list(graph.query(COUNT_CREDENTIALS))
    assert int(rows[0][0]) > 0
    assert (None, RDF_TYPE, URIRef(QA + "Credential")) in graph


# -- example queries ----------------------------------------------------------------------


def test_library_has_at_least_twelve_documented_examples() -> None:
    examples = sparql_examples.all_examples()
    assert len(examples) >= 12
    for example in examples:
        assert example.title != example.name and example.description
        assert "SELECT" in example.text or "CONSTRUCT" in example.text


def test_every_example_is_described_in_swedish_and_english() -> None:
    for sv, en in zip(sparql_examples.all_examples("sv"), sparql_examples.all_examples("en"), strict=True):
        assert sv.query.titles.keys() == {"sv", "en"}, sv.name
        assert sv.query.descriptions.keys() == {"sv", "en"}, sv.name
        assert sv.title != en.title and sv.description != en.description, sv.name
        for p_sv, p_en in zip(sv.params, en.params, strict=True):
            assert p_sv.texts.keys() == {"sv", "en"} and p_sv.text != p_en.text, (sv.name, p_sv.name)


def test_example_pages_speak_the_interface_language(live: Live) -> None:
    name = "equivalence-chains"
    sv = requests.get(f"{live.url}/queries/{name}", params={"lang": "sv"}, timeout=10).text
    en = requests.get(f"{live.url}/queries/{name}", params={"lang": "en"}, timeout=10).text
    assert "<h1>Kedjor av likvärdighet</h1>" in sv and "<dd>där kedjan börjar</dd>" in sv
    assert "<h1>Chains of equivalence</h1>" in en and "<dd>where the chain starts</dd>" in en
    picker = requests.get(f"{live.url}/sparql", params={"lang": "sv"}, headers={"Accept": "text/html"},
                          timeout=10).text
    assert ">Utfärdare per land</option>" in picker and ">Issuers by country</option>" not in picker


@pytest.mark.parametrize("name", [e.name for e in sparql_examples.all_examples()])
def test_every_example_runs_as_json_and_csv(live: Live, name: str) -> None:
    as_json = requests.get(f"{live.url}/queries/{name}.json", timeout=30)
    assert as_json.status_code == 200, as_json.text
    variables = as_json.json()["head"]["vars"]
    as_csv = requests.get(f"{live.url}/queries/{name}.csv", timeout=30)
    assert as_csv.status_code == 200
    assert next(csv.reader(io.StringIO(as_csv.text))) == variables
    page = requests.get(f"{live.url}/queries/{name}", headers=EN, timeout=10)
    assert page.status_code == 200 and f"/queries/{name}.json" in page.text


def test_research_examples_find_sample_facts(live: Live) -> None:
    levels = requests.get(f"{live.url}/queries/credentials-per-level-by-sector.json", timeout=30).json()
    assert levels["results"]["bindings"], "credentials per level by sector is empty"
    standards = requests.get(f"{live.url}/queries/standards-most-referred.json", timeout=30).json()
    counts = [int(b["credentials"]["value"]) for b in standards["results"]["bindings"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0


def test_parameters_are_bound_as_terms(live: Live) -> None:
    organisation = live.store.query(
        f"PREFIX qa: <{QA}> SELECT ?o WHERE {{ ?r qa:issuer ?o }} LIMIT 1")
    iri = next(iter(organisation))["o"].value  # type: ignore[index]
    bound = requests.get(f"{live.url}/queries/credentials-of-organisation.json",
                         params={"organisation": iri}, timeout=30).json()
    rows = bound["results"]["bindings"]
    assert rows and all(r["organisation"]["value"] == iri for r in rows)
    # prefixed names work too
    short = iri.replace("https://w3id.org/qagraph/id/", "id:")
    again = requests.get(f"{live.url}/queries/credentials-of-organisation.json",
                         params={"organisation": short}, timeout=30).json()
    assert again == bound
    # text that tries to change the query is an invalid IRI, not query text
    evil = requests.get(f"{live.url}/queries/credentials-of-organisation.json",
                        params={"organisation": "http://x/> } UNION { ?s ?p ?o"}, headers=EN, timeout=30)
    assert evil.status_code == 400 and "organisation" in evil.text
    unknown = requests.get(f"{live.url}/queries/collaboration-network.json", params={"x": "1"},
                           headers=EN, timeout=30)
    assert unknown.status_code == 400 and "unknown parameter" in unknown.text
    dated = requests.get(f"{live.url}/queries/awards-expiring.json", params={"today": "2000-01-01"}, timeout=30)
    assert dated.status_code == 200
    bad_date = requests.get(f"{live.url}/queries/awards-expiring.json", params={"today": "yesterday"}, timeout=30)
    assert bad_date.status_code == 400


def test_unknown_example_is_404(live: Live) -> None:
    assert requests.get(f"{live.url}/queries/nope.json", timeout=10).status_code == 404
    assert requests.get(f"{live.url}/queries/nope", timeout=10).status_code == 404


# -- dumps, VoID, guide ---------------------------------------------------------------------


def test_dumps_have_checksums_and_hold_the_data(live: Live) -> None:
    index = requests.get(live.url + "/dumps/", headers=EN, timeout=60)
    assert index.status_code == 200 and "qagraph.nq.gz" in index.text
    dump = requests.get(live.url + "/dumps/qagraph.nq.gz", timeout=60)
    checksum = requests.get(live.url + "/dumps/qagraph.nq.gz.sha256", timeout=10).text.split()[0]
    assert hashlib.sha256(dump.content).hexdigest() == checksum
    quads = list(ox.parse(gzip.decompress(dump.content), ox.RdfFormat.N_QUADS))
    assert len(quads) == live.store.triple_count()
    turtle = requests.get(live.url + "/dumps/qagraph.ttl.gz", timeout=60)
    assert len(Graph().parse(data=gzip.decompress(turtle.content), format="turtle")) > 0
    assert requests.get(live.url + "/dumps/other.gz", timeout=10).status_code == 404


def test_void_describes_endpoint_dumps_counts_classes(live: Live) -> None:
    response = requests.get(live.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    void = Graph().parse(data=response.text, format="turtle")
    dataset = next(void.subjects(RDF_TYPE, VOID.Dataset))
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(live.url + "/sparql")
    assert URIRef(live.url + "/dumps/qagraph.nq.gz") in set(void.objects(dataset, VOID.dataDump))
    assert int(void.value(dataset, VOID.triples)) == live.store.triple_count()
    classes = {void.value(p, VOID["class"]) for p in void.objects(dataset, VOID.classPartition)}
    assert URIRef(QA + "Credential") in classes
    assert list(void.objects(dataset, VOID.exampleResource))


def test_guide_has_diagram_prefixes_and_examples(live: Live) -> None:
    response = requests.get(live.url + "/sparql/guide", headers=EN, timeout=10)
    assert response.status_code == 200
    assert "<svg" in response.text and "qa:IssuanceRoute" in response.text
    assert "https://w3id.org/qagraph/vocab/level/" in response.text
    for example in sparql_examples.all_examples():
        assert f"/queries/{example.name}" in response.text
    swedish = requests.get(live.url + "/sparql/guide?lang=sv", timeout=10)
    assert "Exempelfrågor" in swedish.text


def test_updates_are_off_without_token(live: Live) -> None:
    response = requests.post(live.url + "/sparql", data={"update": "CLEAR ALL"}, headers=EN, timeout=10)
    assert response.status_code == 403
    assert live.store.triple_count() > 0
    get = requests.get(live.url + "/sparql", params={"update": "CLEAR ALL"}, timeout=10)
    assert get.status_code == 400


def test_new_source_after_commit_regenerates_dumps_and_is_queried(live: Live, tmp_path: Path) -> None:
    before = requests.get(live.url + "/dumps/qagraph.nq.gz.sha256", timeout=60).text
    extra = tmp_path / "extra.nt"
    extra.write_text("<https://w3id.org/qagraph/id/thing/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n")
    load_source(live.store, "extra", extra, ox.RdfFormat.N_TRIPLES)
    try:
        after = requests.get(live.url + "/dumps/qagraph.nq.gz.sha256", timeout=60).text
        assert after != before
        ask = sparql(live, "ASK { <https://w3id.org/qagraph/id/thing/x> ?p \"x\" }")
        assert ask.json()["boolean"] is True
    finally:
        live.store.drop("extra")
    ask = sparql(live, "ASK { <https://w3id.org/qagraph/id/thing/x> ?p \"x\" }")
    assert ask.json()["boolean"] is False


def test_plain_get_without_html_gets_the_service_description(live: Live) -> None:
    response = requests.get(live.url + "/sparql", headers={"Accept": "*/*"}, timeout=10)
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "sd:endpoint" in response.text
    as_json_ld = requests.get(live.url + "/sparql", headers={"Accept": "application/ld+json"}, timeout=10)
    assert as_json_ld.headers["Content-Type"].startswith("application/ld+json")
    assert live.url + "/sparql" in as_json_ld.text


def test_void_lists_each_mapping_set_as_a_linkset(live: Live, tmp_path: Path) -> None:
    mapping_set = "https://w3id.org/qagraph/id/mappingset/void-test"
    extra = tmp_path / "maps.nt"
    extra.write_text(f"<{mapping_set}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/sssom/MappingSet> .\n")
    load_source(live.store, "void-test-maps", extra, ox.RdfFormat.N_TRIPLES)
    try:
        response = requests.get(live.url + "/.well-known/void", headers={"Accept": "text/turtle"}, timeout=30)
        void = Graph().parse(data=response.text, format="turtle")
        dataset = next(void.subjects(RDF_TYPE, VOID.Dataset))
        assert (URIRef(mapping_set), RDF_TYPE, VOID.Linkset) in void
        assert URIRef(mapping_set) in set(void.objects(dataset, VOID.subset))
    finally:
        live.store.drop("void-test-maps")


def test_cors_preflight_and_head(live: Live) -> None:
    preflight = requests.options(live.url + "/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST"}, timeout=10)
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    head = requests.head(live.url + "/sparql", params={"query": COUNT_CREDENTIALS}, timeout=30)
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("application/sparql-results+json")


def test_from_and_graph_reach_no_graph_that_is_not_published(live: Live) -> None:
    """A load's pending graph, and a server's graphs of its own, stay out of reach of FROM,
    FROM NAMED and GRAPH, however the query spells them (on a server that adds FROM graphs
    to the protocol's dataset too)."""
    staged = live.store.stage("hidden", "hidden.ttl", "0" * 64)
    live.store.write_staged(staged, [ox.Triple(ox.NamedNode("http://example.org/h"),
                                               ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                                               ox.Literal("hidden"))])
    graph = staged.graph.value
    system = "http://www.openlinksw.com/schemas/virtrdf#"
    try:
        for text in (
            f"SELECT ?o FROM <{graph}> WHERE {{ ?s ?p ?o }}",  # noqa: S608
            f"SELECT ?o FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",  # noqa: S608
            f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            f"SELECT ?o #x\rFROM <{graph}>\nWHERE {{ ?s ?p ?o }}",
            f"SELECT ?o \\u0046ROM <{graph}> WHERE {{ ?s ?p ?o }}",
            f"SELECT ?o FROM <{system}> WHERE {{ ?s ?p ?o }}",  # noqa: S608
        ):
            for accept in ("application/sparql-results+json", "application/sparql-results+xml"):
                response = sparql(live, text, accept=accept)
                assert response.status_code in (200, 400), (text, response.text)
                assert "hidden" not in response.text and "virtrdf" not in response.text, text
    finally:
        live.store.discard([staged])
