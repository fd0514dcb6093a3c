"""What only a SPARQL server does: answers it cuts short at a limit of its own, and the
dataset qagraph sends it with each query (tested against the Virtuoso of the test run)."""

from __future__ import annotations

import io
import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import Graph

from graph_app.cli import bundled_inputs, main
from graph_app.core.errors import RemoteIncomplete
from graph_app.core.loading import load
from graph_app.core.namespaces import DEFAULT_BASE, GRAPH_BASE
from graph_app.core.remote import RemoteStore, StreamedAnswer, solutions_at_most, uses_graph
from graph_app.core.settings import load_settings
from graph_app.core.sparql import Negotiated, SolutionsDocument, render
from graph_app.core.stores import open_configured
from graph_app.core.validation import memory_view, run_validation
from graph_app.web.app import create_app

from .conftest import ROOT, cli_env
from .test_bench_generate import generate
from .virtuoso import Virtuoso

BASE = f"{GRAPH_BASE}test-remote/"
# Every pair of literals of the sample data compared as text: millions of comparisons,
# seconds of work on any engine.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?x . ?b ?q ?y FILTER(isLiteral(?x) && STR(?x) < STR(?y)) }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?class }"


@pytest.fixture(scope="module")
def loaded(virtuoso: Virtuoso) -> Iterator[dict[str, object]]:
    """Settings of a remote store holding the sample data, for stores opened on it."""
    settings = virtuoso.settings(BASE)
    store = open_configured(load_settings(settings))
    load(store, bundled_inputs(), base_iri=DEFAULT_BASE, validate=False)
    store.close()
    yield settings


def test_an_answer_the_server_cut_short_is_refused_not_shown(loaded: dict[str, object]) -> None:
    """An administrator may give the server a time limit of its own; Virtuoso then answers
    what it found so far as if it were all ("anytime" answers, marked only by a header).
    qagraph refuses such an answer, on the store and on its SPARQL endpoint."""
    limited = {**loaded, "STORE_URL": f"{loaded['STORE_URL']}?timeout=200"}
    store = open_configured(load_settings(limited))
    assert isinstance(store, RemoteStore)
    try:
        result = store.query(COUNT)
        assert isinstance(result, ox.QuerySolutions) and int(next(iter(result))["n"].value) > 100
        with pytest.raises(RemoteIncomplete) as raised:
            store.query(SLOW)
        assert "part of the answer" in raised.value.text("en")
        assert "del av svaret" in raised.value.text("sv")
    finally:
        store.close()
    app = create_app({**limited, "TESTING": True})
    try:
        answer = app.test_client().post("/sparql", data={"query": SLOW},
                                        headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 503
        assert "part of the answer" in answer.get_data(as_text=True) or \
            "del av svaret" in answer.get_data(as_text=True)
    finally:
        app.extensions["qagraph.store"].close()


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("select * where { graph <urn:g> { ?s ?p ?o } }", True),
    ("ASK { ?s ?p ?o FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }", True),
    ("SELECT ?graph WHERE { ?graph a <urn:GRAPH> }", False),
    ('SELECT * WHERE { ?s ?p "GRAPH" } # GRAPH ?g { }', False),
    ("SELECT * WHERE { ?s <urn:x#graph> ?o ; rdfs:label ?graph }", False),
])
def test_named_graphs_are_sent_only_to_queries_that_name_a_graph(text: str, expected: bool) -> None:
    assert uses_graph(text) is expected


def test_queries_without_graph_see_the_data_and_queries_with_graph_see_the_sources(
        loaded: dict[str, object]) -> None:
    store = open_configured(load_settings(loaded))
    try:
        result = store.query(COUNT)
        assert isinstance(result, ox.QuerySolutions) and int(next(iter(result))["n"].value) > 100
        named = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(named, ox.QuerySolutions)
        expected = set(store.current_graphs().values()) | {ox.NamedNode(store.meta_graph)}
        assert {row["g"] for row in named} == expected
    finally:
        store.close()


def test_a_large_answer_is_read_whole_and_repaired_across_the_chunks_it_comes_in(
        loaded: dict[str, object]) -> None:
    """Solutions are read from the server as they are iterated, and the repairs of its
    terms (durations it writes as numbers) apply to every one of them, wherever the
    chunks of the answer were cut."""
    store = open_configured(load_settings(loaded))
    pattern = ("?c <https://w3id.org/qagraph/ontology#validityPeriod> ?d . "
               "?x ?p ?y FILTER(isLiteral(?y))")
    try:
        counted = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        assert isinstance(counted, ox.QuerySolutions)
        expected = int(next(iter(counted))["n"].value)
        assert expected > 50_000  # megabytes of XML: many chunks
        answer = store.query(f"SELECT ?c ?d ?y WHERE {{ {pattern} }}")
        assert isinstance(answer, ox.QuerySolutions)
        periods = [row["d"] for row in answer]
        assert len(periods) == expected
        assert all(isinstance(p, ox.Literal) and p.value.startswith("P") for p in periods)
        # the connection is free again: the next query is answered
        assert isinstance(store.query(COUNT), ox.QuerySolutions)
    finally:
        store.close()


def large_answer(loaded: dict[str, object]) -> dict[str, object]:
    """The form of a query of 40,000 solutions (megabytes of XML) over the sample data."""
    store = open_configured(load_settings(loaded))
    graphs = [g.value for g in store.current_graphs().values()]
    store.close()
    text = "SELECT ?s ?y WHERE { ?s ?p ?o . ?x ?q ?y FILTER(isLiteral(?y)) } LIMIT 40000"
    return {"query": text, "default-graph-uri": graphs}


def test_a_streamed_answer_is_downloaded_only_as_far_as_it_is_read(
        loaded: dict[str, object], virtuoso: Virtuoso) -> None:
    """What the endpoint's row limit relies on: the first rows of a large answer are read
    without downloading the rest."""
    data = large_answer(loaded)
    headers = {"Accept": "application/sparql-results+xml"}
    with httpx.Client(timeout=120) as client:
        whole = len(client.post(virtuoso.query_url, data=data, headers=headers).content)
        assert whole > 4_000_000
        with client.stream("POST", virtuoso.query_url, data=data, headers=headers) as response:
            answer = StreamedAnswer(response)
            solutions = ox.parse_query_results(io.BufferedReader(answer), ox.QueryResultsFormat.XML)
            assert isinstance(solutions, ox.QuerySolutions)
            first = list(itertools.islice(solutions, 100))
            assert len(first) == 100
            assert response.num_bytes_downloaded < whole / 10
            answer.close()
            assert response.is_closed


def test_the_plain_forms_a_server_is_given_find_what_the_forms_for_oxigraph_find(tmp_path: Path) -> None:
    """A whole validation asks an engine that plans by statistics each check as written,
    not in the hash-join forms written for Oxigraph's planner (Virtuoso 7 answered one of
    those wrongly, depending on what the server held before). Both forms, run on one
    in-memory Oxigraph store with synthetic data full of violations, find the same."""
    out = tmp_path / "data.nt"
    generate(out, "--triples", "3000", "--violations", "0.2", "--awards-per-org", "2")
    data = Graph().parse(out, format="nt")
    shaped = memory_view(data)
    planned = memory_view(data)
    planned.plans_by_statistics = True
    expected = Counter(r.comparable for r in run_validation(shaped).results)
    assert expected
    assert Counter(r.comparable for r in run_validation(planned).results) == expected


def test_a_refused_load_elsewhere_on_the_server_does_not_change_what_init_finds(virtuoso: Virtuoso) -> None:
    """The sequence that showed Virtuoso's wrong answers: a load refused in one store of the
    server, then `init` of another, which must load and validate the sample data."""
    def run(*args: str) -> Result:
        settings = virtuoso.settings(f"{GRAPH_BASE}test-{uuid.uuid4().hex[:12]}/")
        return CliRunner(env=cli_env(settings)).invoke(main, ["--lang", "en", *args])

    example = ROOT / "tests" / "shapes" / "AwardIdentityVerificationShape-invalid-c2-without-verification.ttl"
    assert run("load", str(example)).exit_code == 1
    result = run("init")
    assert result.exit_code == 0, result.output


# -- the endpoint's answers from a server: sent on as the server wrote them, within the limit --

XML = "application/sparql-results+xml"
FORMATS = (XML, "application/sparql-results+json", "text/csv", "text/tab-separated-values")
LABELS = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          "SELECT ?c ?label WHERE { ?c a <https://w3id.org/qagraph/ontology#Credential> ; rdfs:label ?label } "
          "ORDER BY ?c ?label LIMIT 8")
EVERYTHING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"


def endpoint_answer(loaded: dict[str, object], text: str, accept: str, row_limit: int) -> tuple[bytes, dict[str, str]]:
    app = create_app({**loaded, "TESTING": True, "ROW_LIMIT": row_limit})
    try:
        response = app.test_client().post("/sparql", data={"query": text}, headers={"Accept": accept})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.data, dict(response.headers)
    finally:
        app.extensions["qagraph.store"].close()


def test_an_answer_within_the_row_limit_is_the_servers_document_and_converts_as_before(
        loaded: dict[str, object]) -> None:
    """A client asking for SPARQL XML results gets the server's own document (the
    solutions pyoxigraph counted in it); JSON, CSV and TSV are byte for byte what the
    endpoint wrote from parsed solutions before."""
    store = open_configured(load_settings(loaded))
    assert isinstance(store, RemoteStore)
    try:
        document = store.select_document(LABELS, row_limit=10)
        assert isinstance(document, SolutionsDocument) and document.rows == 8
        parsed = ox.parse_query_results(document.document, ox.QueryResultsFormat.XML)
        expected = store.query(LABELS)
        assert isinstance(parsed, ox.QuerySolutions) and isinstance(expected, ox.QuerySolutions)
        assert [tuple(row) for row in parsed] == [tuple(row) for row in expected]
        # the server's formatting, not pyoxigraph's
        written = render(ox.parse_query_results(document.document, ox.QueryResultsFormat.XML),
                         Negotiated(XML, None, None), 10)
        assert written.body != document.document
        for accept in FORMATS:
            body, headers = endpoint_answer(loaded, LABELS, accept, 10)
            assert headers["X-Result-Rows"] == "8" and "X-SPARQL-Truncated" not in headers
            if accept == XML:
                assert body == document.document
            else:
                before = store.query(LABELS)
                assert isinstance(before, ox.QuerySolutions)
                assert body == render(before, Negotiated(accept, None, None), 10).body, accept
    finally:
        store.close()


def test_an_answer_over_the_row_limit_is_cut_and_flagged_in_every_format(loaded: dict[str, object]) -> None:
    """The row limit holds on the server's answers as on the embedded store's: the
    solutions are counted as they are parsed, and an answer with more than the limit is
    cut to the limit and flagged, whatever format the client asked for; the cut answer's
    first solutions are the answer's first ones (read again from the start)."""
    store = open_configured(load_settings(loaded))
    assert isinstance(store, RemoteStore)
    try:
        answer = store.select_document(EVERYTHING, row_limit=10)
        assert isinstance(answer, ox.QuerySolutions)  # no document: over the limit
        first = [tuple(row) for row in itertools.islice(answer, 10)]
        whole = store.query(EVERYTHING)
        assert isinstance(whole, ox.QuerySolutions)
        assert first == [tuple(row) for row in itertools.islice(whole, 10)]
    finally:
        store.close()
    for accept in FORMATS:
        body, headers = endpoint_answer(loaded, EVERYTHING, accept, 10)
        assert headers["X-SPARQL-Truncated"] == "true" and headers["X-Result-Rows"] == "10", accept
        if accept == XML:
            parsed = ox.parse_query_results(body, ox.QueryResultsFormat.XML)
            assert isinstance(parsed, ox.QuerySolutions) and len(list(parsed)) == 10
            assert b"https://w3id.org/qagraph/sparql#truncated" in body
        elif accept == "application/sparql-results+json":
            assert len(json.loads(body)["results"]["bindings"]) == 10
        else:
            assert len(body.decode().strip().splitlines()) == 11, accept


def test_hidden_graph_variables_stay_hidden_in_the_servers_document(loaded: dict[str, object]) -> None:
    """GRAPH ?g is rewritten with a variable of qagraph's own (see sparql_dataset);
    SELECT * must not show it, also when the answer is the server's XML document."""
    text = "SELECT * WHERE { GRAPH ?g { ?s a ?class } } LIMIT 3"
    for accept in (XML, "application/sparql-results+json"):
        body, _headers = endpoint_answer(loaded, text, accept, 10)
        assert b"qagraph_graph" not in body, accept
        if accept == XML:
            parsed = ox.parse_query_results(body, ox.QueryResultsFormat.XML)
            assert isinstance(parsed, ox.QuerySolutions)
            assert sorted(v.value for v in parsed.variables) == ["class", "g", "s"]


def test_a_kept_answer_is_read_again_from_its_start_and_then_on(
        loaded: dict[str, object], virtuoso: Virtuoso) -> None:
    """What the row limit on a server's answer relies on: counting the first solutions
    keeps what was read, and reading again starts at the first solution and goes on
    into the rest, still downloading only as far as it is read."""
    data = large_answer(loaded)
    with httpx.Client(timeout=120) as client:
        whole = client.post(virtuoso.query_url, data=data, headers={"Accept": XML}).content
        with client.stream("POST", virtuoso.query_url, data=data, headers={"Accept": XML}) as response:
            answer = StreamedAnswer(response, keep=True)
            counted = ox.parse_query_results(io.BufferedReader(answer), ox.QueryResultsFormat.XML)
            assert isinstance(counted, ox.QuerySolutions)
            first = [tuple(row) for row in itertools.islice(counted, 101)]
            again = ox.parse_query_results(io.BufferedReader(answer.replayed()), ox.QueryResultsFormat.XML)
            assert isinstance(again, ox.QuerySolutions)
            assert [tuple(row) for row in itertools.islice(again, 101)] == first
            assert response.num_bytes_downloaded < len(whole) / 10
            rest = sum(1 for _ in again)
            assert 101 + rest == 40000
            assert response.is_closed


def test_the_state_of_the_graphs_is_read_again_in_the_background_and_never_used_too_old(
        loaded: dict[str, object]) -> None:
    """Past `refresh` seconds a request goes on with the state it has while a thread
    reads it again; past `stale` seconds the state is read before it is used. So a load
    by another process shows within `stale` seconds, and no request waits for the state
    in between."""
    reader = open_configured(load_settings({**loaded, "STORE_REFRESH": 2.0}))
    writer = open_configured(load_settings(loaded))
    assert isinstance(reader, RemoteStore) and isinstance(writer, RemoteStore)
    assert (reader.refresh, reader.stale) == (2.0, 3.0)
    name = f"state-{uuid.uuid4().hex[:8]}"
    triple = ox.Triple(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                       ox.Literal("o"))
    try:
        for _attempt in range(3):  # a commit slower than `refresh` (a busy machine): again
            read_at = time.monotonic()
            assert name not in reader.current_graphs()
            staged = writer.stage(name, "state.ttl", "0" * 64)
            writer.write_staged(staged, [triple])
            writer.commit([staged])
            if time.monotonic() - read_at < 1.8:
                break
            writer.drop(name)
            reader._snapshot(fresh=True)
        time.sleep(max(0.0, read_at + 2.2 - time.monotonic()))  # past refresh, short of stale
        assert name not in reader.current_graphs()  # the state it had, at once
        deadline = time.monotonic() + 5
        while name not in reader.current_graphs():  # then the one read in the background
            assert time.monotonic() < deadline
            time.sleep(0.02)
        writer.drop(name)
        time.sleep(3.1)  # past stale: read before it is used
        assert name not in reader.current_graphs()
    finally:
        if name in writer.current_graphs():
            writer.drop(name)
        reader.close()
        writer.close()


RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


@pytest.mark.parametrize(("document", "exact"), [
    # as Virtuoso and pyoxigraph write them
    (f'<sparql xmlns="{RESULTS_NS}"><head><variable name="x"/></head><results>'
     '<result><binding name="x"><literal>a</literal></binding></result>\n'
     '<result><binding name="x"><literal>&lt;result&gt;</literal></binding></result></results></sparql>', True),
    # an empty solution, attributes and line breaks inside start tags
    (f'<sparql xmlns="{RESULTS_NS}"><head/><results distinct="false">\n<result/>\n<result\n>'
     '</result><result  ></result></results></sparql>', True),
    # the results namespace under a prefix (its end tags are counted too)
    (f'<s:sparql xmlns:s="{RESULTS_NS}"><s:head><s:variable name="x"/></s:head><s:results>'
     '<s:result><s:binding name="x"><s:uri>http://example.org/a</s:uri></s:binding></s:result>'
     '<s:result/></s:results></s:sparql>', False),
    # comments and IRIs that hold the word: counted too, never too few
    (f'<sparql xmlns="{RESULTS_NS}"><head><variable name="x"/></head><!-- <result> --><results>'
     '<result><binding name="x"><uri>urn:x:result</uri></binding></result></results></sparql>', False),
])
def test_the_count_of_a_servers_solutions_is_never_too_low(document: str, exact: bool) -> None:
    """What the row limit on a server's document rests on: the bound is at least the
    number of solutions pyoxigraph's parser reads, however the XML is written."""
    solutions = ox.parse_query_results(document.encode(), ox.QueryResultsFormat.XML)
    assert isinstance(solutions, ox.QuerySolutions)
    found = len(list(solutions))
    bound = solutions_at_most(document.encode())
    assert bound == found if exact else bound > found
