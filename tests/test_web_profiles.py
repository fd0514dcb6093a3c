"""Entity pages in the registers' models: the ELM and CTDL forms among the downloads, content
negotiation by profile (Accept-Profile and ?_profile=, answered with Content-Profile, a Link
list of representations, and 406 for a profile a node has no form in), hostile values,
and the dumps of both forms."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from werkzeug.serving import make_server

from graph_app.core.interchange import elm

from . import web_browse_data
from .web_browse_data import HETA

bclient = web_browse_data.bclient
browse_app = web_browse_data.browse_app

ROOT = Path(__file__).resolve().parents[1]
EU = (ROOT / ".." / "shared" / "elm").resolve()
ELM = Namespace(str(elm.ELM))
ELM_URI = "http://data.europa.eu/snb/model/elm/"
LOQ = "http://data.europa.eu/snb/model/ap/loq-constraints"
AMS = "http://data.europa.eu/snb/model/ap/ams-constraints"
CTDL_URI = "https://purl.org/ctdl/terms/"
QAGRAPH = "https://w3id.org/qagraph/ontology"
HETA_PATH = "/id/credential/heta-arbeten"
NO_OUTCOME = "/id/credential/arbete-pa-vag-steg-1"  # left out of ELM: no public learning outcome


def _links(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The Link header as a list of {target, rel, type, profile, token, anchor}."""
    out = []
    for match in re.finditer(r'<([^>]*)>((?:\s*;\s*[a-z]+=(?:"[^"]*"|<[^>]*>))*)', response.headers.get("Link", "")):
        item = {"target": match.group(1)}
        for key, quoted, bracketed in re.findall(r';\s*([a-z]+)=(?:"([^"]*)"|<([^>]*)>)', match.group(2)):
            item[key] = quoted or bracketed
        out.append(item)
    return out


def _content_profile(response) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r"<([^>]+)>", response.headers.get("Content-Profile", ""))


# -- downloads on the page ---------------------------------------------------------------


def test_a_credential_page_offers_its_elm_and_ctdl_forms_in_both_languages(bclient):
    sv = bclient.get(HETA_PATH + "?lang=sv").text
    en = bclient.get(HETA_PATH + "?lang=en").text
    for text, word in ((sv, " i "), (en, " in ")):
        assert f"ELM (Europass){word}Turtle</a>" in text
        assert f"ELM (Europass){word}JSON-LD</a>" in text
        assert f"CTDL (Credential Engine){word}JSON-LD</a>" in text
    assert 'href="/id/credential/heta-arbeten?_profile=elm&amp;_mediatype=text/turtle"' in en
    assert 'href="/id/credential/heta-arbeten?_profile=ctdl&amp;_mediatype=application/ld%2Bjson"' in en


def test_a_credential_without_an_elm_form_says_why_and_offers_ctdl_only(bclient):
    en = bclient.get(NO_OUTCOME + "?lang=en").text
    sv = bclient.get(NO_OUTCOME + "?lang=sv").text
    assert "ELM (Europass) in" not in en and "CTDL (Credential Engine) in JSON-LD" in en
    assert "No ELM form: the node lacks a learning outcome (elm:learningOutcome)." in en
    assert "Ingen ELM-form: noden saknar läranderesultat (elm:learningOutcome)." in sv


def test_nodes_outside_the_registers_models_offer_no_register_form(bclient):
    page = bclient.get("/id/requirement/heta-arbeten-forsakringsvillkor?lang=en")
    assert page.status_code == 200
    assert "ELM (Europass)" not in page.text and "CTDL (Credential Engine)" not in page.text
    assert {link.get("profile") for link in _links(page)} == {None, QAGRAPH}


# -- negotiation ---------------------------------------------------------------------------


def _parse(response, fmt: str) -> Graph:  # type: ignore[no-untyped-def]
    return Graph().parse(data=response.data, format=fmt)


def _plain(graph: Graph) -> Graph:
    """The graph with xsd:string literals written plain (the same literal in RDF 1.1; rdflib
    keeps the difference between what the syntaxes write)."""
    out = Graph()
    for s, p, o in graph:
        out.add((s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string else o))
    return out


def test_profile_by_query_string_gives_the_elm_form_with_its_profiles(bclient):
    turtle = bclient.get(HETA_PATH + "?_profile=elm")
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    assert _content_profile(turtle) == [ELM_URI, LOQ]
    graph = _parse(turtle, "turtle")
    assert (URIRef(HETA), RDF.type, ELM.LearningAchievementSpecification) in graph
    assert not any(str(p).startswith("https://w3id.org/qagraph/ontology#") for p in graph.predicates())
    jsonld = bclient.get(HETA_PATH + "?_profile=elm&_mediatype=application/ld%2Bjson")
    assert jsonld.mimetype == "application/ld+json"
    assert isomorphic(_plain(_parse(jsonld, "json-ld")), _plain(graph))


def test_accept_profile_with_quality_values_picks_the_best_form_the_node_has(bclient):
    ctdl = bclient.get(HETA_PATH, headers={"Accept-Profile": f"<{CTDL_URI}>", "Accept": "application/ld+json"})
    assert ctdl.status_code == 200 and _content_profile(ctdl) == [CTDL_URI]
    doc = json.loads(ctdl.data)
    assert [n["@id"] for n in doc["@graph"]] == [HETA] and doc["@graph"][0]["ceterms:ctid"].startswith("ce-")
    # an unknown profile preferred, ELM acceptable: ELM; the narrower LOQ profile names ELM too
    best = bclient.get(HETA_PATH, headers={"Accept-Profile": f"<urn:x:unknown>;q=1, <{ELM_URI}>;q=0.5",
                                           "Accept": "text/turtle"})
    assert best.status_code == 200 and _content_profile(best)[0] == ELM_URI
    narrower = bclient.get(HETA_PATH, headers={"Accept-Profile": f"<{LOQ}>", "Accept": "text/turtle"})
    assert _content_profile(narrower)[0] == ELM_URI
    token = bclient.get(HETA_PATH, headers={"Accept-Profile": "ctdl"})
    assert _content_profile(token) == [CTDL_URI]
    # q=0 refuses a profile
    refused = bclient.get(HETA_PATH, headers={"Accept-Profile": f"<{CTDL_URI}>;q=0"})
    assert refused.status_code == 406


def test_the_query_string_takes_precedence_over_the_header(bclient):
    response = bclient.get(HETA_PATH + "?_profile=ctdl", headers={"Accept-Profile": f"<{ELM_URI}>"})
    assert _content_profile(response) == [CTDL_URI]


def test_our_own_model_is_a_profile_too_and_the_twins_name_it(bclient):
    twin = bclient.get(HETA_PATH + ".ttl")
    assert _content_profile(twin) == [QAGRAPH]
    asked = bclient.get(HETA_PATH, headers={"Accept-Profile": f"<{QAGRAPH}>", "Accept": "application/n-triples"})
    assert asked.mimetype == "application/n-triples" and _content_profile(asked) == [QAGRAPH]
    # a suffix twin with a profile: ELM in Turtle
    elm_twin = bclient.get(HETA_PATH + ".ttl?_profile=elm")
    assert _content_profile(elm_twin)[0] == ELM_URI and elm_twin.mimetype == "text/turtle"


def test_every_answer_lists_the_representations_and_varies_on_both_headers(bclient):
    page = bclient.get(HETA_PATH)
    assert {"Accept", "Accept-Profile"} <= set(page.vary)
    assert "Content-Profile" not in page.headers  # a web page conforms to no data profile
    links = _links(page)
    self_links = [link for link in links if link.get("rel") == "self"]
    assert self_links == [{"target": HETA_PATH, "rel": "self", "type": "text/html"}]
    offered = {(link.get("profile"), link["type"]) for link in links if link.get("rel") == "alternate"}
    assert (ELM_URI, "text/turtle") in offered and (CTDL_URI, "application/ld+json") in offered
    assert (QAGRAPH, "application/rdf+xml") in offered
    tokens = {link["token"]: link["anchor"] for link in links if link.get("rel") == "type"}
    assert tokens == {"qagraph": QAGRAPH, "elm": ELM_URI, "ctdl": CTDL_URI}
    elm_form = bclient.get(HETA_PATH + "?_profile=elm")
    assert {"Accept", "Accept-Profile"} <= set(elm_form.vary)
    chosen = [link for link in _links(elm_form) if link.get("rel") == "self"]
    assert chosen == [{"target": HETA_PATH + "?_profile=elm&_mediatype=text/turtle", "rel": "self",
                       "type": "text/turtle", "profile": ELM_URI}]
    head = bclient.head(HETA_PATH)
    assert head.status_code == 200 and _links(head) == links


def test_each_advertised_representation_is_what_its_link_says(bclient):
    for link in _links(bclient.get("/id/organisation/swedac")):
        if link.get("rel") != "alternate" or "profile" not in link:
            continue
        got = bclient.get(link["target"])
        assert got.status_code == 200 and got.mimetype == link["type"], link
        assert _content_profile(got)[0] == link["profile"]


def test_a_profile_the_node_has_no_form_in_is_not_acceptable_with_the_list(bclient):
    missing = bclient.get(NO_OUTCOME + "?_profile=elm&lang=en", headers={"Accept": "text/html"})
    assert missing.status_code == 406 and "Content-Profile" not in missing.headers
    assert "No ELM form: the node lacks a learning outcome" in missing.text
    assert 'href="/id/credential/arbete-pa-vag-steg-1?_profile=ctdl&amp;_mediatype=application/ld%2Bjson"' \
        in missing.text
    assert ELM_URI not in {link.get("profile") for link in _links(missing)}
    unknown = bclient.get(HETA_PATH, headers={"Accept-Profile": "<urn:x:nothing>", "Accept": "application/json"})
    assert unknown.status_code == 406 and unknown.mimetype == "application/json"
    listed = json.loads(unknown.data)["representations"]
    assert {(r["token"], r["mediaType"]) for r in listed} >= {("elm", "text/turtle"), ("ctdl", "application/ld+json")}
    # a media type the profile is not written in
    assert bclient.get(HETA_PATH + "?_profile=ctdl&_mediatype=text/turtle").status_code == 406
    assert bclient.get(HETA_PATH + "?_mediatype=application/json").status_code == 406


def test_profile_alt_lists_the_representations(bclient):
    sv = bclient.get(HETA_PATH + "?_profile=alt&lang=sv")
    assert sv.status_code == 200 and "Former av den här beskrivningen" in sv.text and "qagraphs egen modell" in sv.text
    en = bclient.get(HETA_PATH + "?_profile=alt&lang=en")
    assert "Forms of this description" in en.text and "qagraph&#39;s own model" in en.text


def test_nodes_outside_the_base_negotiate_too(bclient):
    iri = "https://w3id.org/qagraph/ontology#Credential"
    assert bclient.get("/resource", query_string={"iri": iri, "_profile": "elm"}).status_code == 406
    ours = bclient.get("/resource", query_string={"iri": iri, "_profile": "qagraph"})
    assert ours.status_code == 200 and _content_profile(ours) == [QAGRAPH]


# -- the forms conform to what Content-Profile says -------------------------------------


def test_each_elm_form_conforms_to_the_application_profiles_it_names(bclient):
    shapes = {LOQ: elm.load_shapes([EU / "LOQ-constraints.ttl"]), AMS: elm.load_shapes([EU / "AMS-constraints.ttl"])}
    for path in (HETA_PATH, "/id/organisation/swedac", "/id/organisation/incert", "/id/accreditation/swedac-dekra"):
        response = bclient.get(path + "?_profile=elm")
        assert response.status_code == 200, path
        named = _content_profile(response)
        assert named[0] == ELM_URI and len(named) > 1
        for profile in named[1:]:
            assert elm.conformance(_parse(response, "turtle"), shapes[profile]) == [], (path, profile)


# -- hostile values ------------------------------------------------------------------------


def test_overlong_profile_values_are_refused_before_they_are_read(bclient):
    header = bclient.get(HETA_PATH + "?lang=en", headers={"Accept-Profile": "<urn:x>," * 400})
    assert header.status_code == 400 and "Accept-Profile header is too long" in header.text
    arg = bclient.get(HETA_PATH, query_string={"_profile": "e" * 600, "lang": "en"})
    assert arg.status_code == 400 and "_profile argument is too long" in arg.text
    media = bclient.get(HETA_PATH, query_string={"_profile": "elm", "_mediatype": "t" * 200, "lang": "en"})
    assert media.status_code == 400


@pytest.mark.parametrize("value", [
    "<<<>>>;q=abc,,,", ";;;", "<urn:x>;q=2", "<", ">", "<script>alert(1)</script>",
    "elm;q=-1", "\u00e5\u00e4\u00f6", "* / *", "<http://data.europa.eu/snb/model/elm/",
])
def test_malformed_accept_profile_headers_are_not_acceptable_never_an_error(bclient, value):
    response = bclient.get(HETA_PATH, headers={"Accept-Profile": value.encode("utf-8").decode("latin-1")})
    assert response.status_code == 406
    assert b"<script>alert" not in response.data and b"Traceback" not in response.data


def test_a_hostile_profile_argument_is_neither_echoed_nor_injected(bclient):
    for value in ("<script>alert(1)</script>", "elm\r\nSet-Cookie: x=1", "elm\x00", "../../etc/passwd"):
        response = bclient.get(HETA_PATH, query_string={"_profile": value})
        assert response.status_code == 406, value
        assert b"<script>alert" not in response.data
        assert "Set-Cookie" not in response.headers
        assert "\n" not in response.headers.get("Link", "")


@pytest.fixture(scope="module")
def server(browse_app) -> Iterator[tuple[str, int]]:
    http = make_server("127.0.0.1", 0, browse_app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield "127.0.0.1", http.server_port
    http.shutdown()
    thread.join(5)


def _raw(server: tuple[str, int], header: bytes) -> bytes:
    with socket.create_connection(server, timeout=30) as sock:
        sock.sendall(b"GET " + HETA_PATH.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     + header + b"\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_raw_bytes_in_accept_profile_over_real_http_keep_the_server_up(server):
    for header in (b"Accept-Profile: \xff\xfe<\x80>;q=1", b"Accept-Profile: " + b"<a>," * 2000,
                   b"Accept-Profile: <http://data.europa.eu/snb/model/elm/>\x00"):
        status = _raw(server, header).split(b"\r\n", 1)[0]
        assert status.split()[1] in (b"400", b"406"), (header[:40], status)
    ok = _raw(server, b"Accept-Profile: <http://data.europa.eu/snb/model/elm/>")
    assert ok.split()[1] == b"200" and b"Content-Profile: <http://data.europa.eu/snb/model/elm/>" in ok


# -- dumps ---------------------------------------------------------------------------------


def test_dumps_include_the_elm_and_ctdl_forms_with_their_sha256(bclient):
    index = bclient.get("/dumps/?lang=en").text
    for name in ("qagraph-elm.ttl.gz", "qagraph-ctdl.jsonld.gz"):
        assert f'href="/dumps/{name}"' in index
        body = bclient.get(f"/dumps/{name}").data
        line = bclient.get(f"/dumps/{name}.sha256").text
        assert line == f"{hashlib.sha256(body).hexdigest()}  {name}\n"
        assert hashlib.sha256(body).hexdigest() in index
    graph = Graph().parse(data=gzip.decompress(bclient.get("/dumps/qagraph-elm.ttl.gz").data), format="turtle")
    specifications = set(graph.subjects(RDF.type, ELM.Qualification)) | set(
        graph.subjects(RDF.type, ELM.LearningAchievementSpecification))
    assert len(specifications) >= 10 and (URIRef(HETA), None, None) in graph
    assert not any(str(p).startswith("https://w3id.org/qagraph/") for p in graph.predicates())
    doc = json.loads(gzip.decompress(bclient.get("/dumps/qagraph-ctdl.jsonld.gz").data))
    assert set(doc) == {"@context", "@graph"} and any(n["@id"] == HETA for n in doc["@graph"])
    assert bclient.get("/dumps/qagraph-owl.ttl.gz").status_code == 404
