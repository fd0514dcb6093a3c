"""Mappings in the web app: curation with review, refusals without login, public pages,
credential equivalents, requirement checks and the crosswalk (real store, test client)."""

from __future__ import annotations

import base64
import csv
import io
import re

import pytest
from werkzeug.security import generate_password_hash

from graph_app import create_app
from graph_app.cli import bundled_inputs
from graph_app.core.loading import load
from graph_app.core.namespaces import CST, DEFAULT_BASE, QA

PASSWORDS = {"alva": "alva-secret", "bo": "bo-secret"}


def curators_setting() -> str:
    return ";".join(f"{n}:{generate_password_hash(p, method='pbkdf2:sha256:1000')}" for n, p in PASSWORDS.items())


STORE_KINDS = ("embedded", "remote")


@pytest.fixture
def sample_app(store):
    load(store, bundled_inputs(), base_iri=DEFAULT_BASE, validate=False)
    application = create_app({"STORE_OBJECT": store, "TESTING": True, "CURATORS": curators_setting(),
                              "SECRET_KEY": "test-key"})
    return application


@pytest.fixture
def web(sample_app):
    return sample_app.test_client()


def csrf(client, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def login(client, name: str) -> None:
    token = csrf(client, "/mappings/login")
    response = client.post("/mappings/login", data={"csrf_token": token, "name": name,
                                                    "password": PASSWORDS[name]})
    assert response.status_code == 302


def propose(client) -> str:
    token = csrf(client, "/mappings/propose")
    response = client.post("/mappings/propose", data={
        "csrf_token": token, "subject": "esa", "predicate": "closeMatch", "object": "fse",
        "justification": "Both rest on EN 50110-1."})
    assert response.status_code == 302, response.text
    return response.headers["Location"].rsplit("/", 1)[-1]


def logout(client) -> None:
    token = csrf(client, "/mappings")
    assert client.post("/mappings/logout", data={"csrf_token": token}).status_code == 302


def review(client, slug: str, action: str, comment: str = "Checked against the sources."):
    token = csrf(client, "/mappings/propose")  # one CSRF token per session
    return client.post(f"/mappings/record/{slug}/review",
                       data={"csrf_token": token, "action": action, "comment": comment})


def curation_source(app) -> str | None:
    graphs = app.extensions["qagraph.store"].current_graphs()
    return graphs["curation"].value if "curation" in graphs else None


def test_propose_then_another_curator_accepts_and_history_is_recorded(sample_app, web):
    login(web, "alva")
    slug = propose(web)
    assert "föreslagen" in web.get(f"/mappings/record/{slug}?lang=sv").text
    # the proposer may not review her own mapping
    assert review(web, slug, "accept").status_code == 403
    logout(web)
    login(web, "bo")
    assert review(web, slug, "accept", "Agreed by the council.").status_code == 302
    data = web.get(f"/mappings/record/{slug}.json").get_json()
    assert data["status"] == "accepted" and data["reviewer"] == "bo"
    assert data["status_iri"] == CST + "accepted"
    assert [(c["action"], c["curator"]) for c in data["history"]] == [("propose", "alva"), ("accept", "bo")]
    assert data["history"][1]["comment"] == "Agreed by the council."
    store = sample_app.extensions["qagraph.store"]
    ask = (f"ASK {{ <{DEFAULT_BASE}credential/esa> <http://www.w3.org/2004/02/skos/core#closeMatch> "
           f"<{DEFAULT_BASE}credential/fse> . ?a a <http://www.w3.org/ns/prov#Activity> ; "
           f"<http://www.w3.org/ns/prov#wasAssociatedWith> <{DEFAULT_BASE}curator/bo> }}")
    assert bool(store.query(ask))
    # status and action are stored as the concepts of the curation schemes, never as strings
    record_iri = f"<{DEFAULT_BASE}mapping/{slug}>"
    assert bool(store.query(f"ASK {{ {record_iri} <{QA}curationStatus> <{CST}accepted> . "
                            f"?a <http://www.w3.org/ns/prov#used> {record_iri} ; "
                            f"<{QA}curationAction> <{CST}accept> ; <{QA}curationStatus> <{CST}accepted> }}"))
    assert not bool(store.query(f"ASK {{ ?x <{QA}curationStatus>|<{QA}curationAction> ?v FILTER isLiteral(?v) }}"))
    swedish = web.get(f"/mappings/record/{slug}?lang=sv").text
    # the status and the history's actions show the concepts' Swedish skos:prefLabel
    assert '<dd class="status">godkänd</dd>' in swedish
    assert "<td>förslag</td>" in swedish and "<td>godkännande</td>" in swedish
    page = web.get("/mappings/record/" + slug + "?lang=en").text
    assert "Agreed by the council." in page and "accepted" in page
    # deprecate: accepted -> deprecated, and the SKOS triple is withdrawn
    assert review(web, slug, "deprecate", "Superseded.").status_code == 302
    assert web.get(f"/mappings/record/{slug}.json").get_json()["status"] == "deprecated"
    assert '<dd class="status">avvecklad</dd>' in web.get(f"/mappings/record/{slug}?lang=sv").text
    assert '<dd class="status">deprecated</dd>' in web.get(f"/mappings/record/{slug}?lang=en").text
    assert review(web, slug, "accept").status_code == 400  # no way back from deprecated


def test_a_proposed_mapping_is_not_used_in_reasoning_until_accepted(sample_app, web):
    login(web, "alva")
    token = csrf(web, "/mappings/propose")
    web.post("/mappings/propose", data={"csrf_token": token, "subject": "heta-arbeten",
                                        "predicate": "exactMatch", "object": "varme-arbeider",
                                        "justification": "Test."})
    eq = web.get("/mappings/credential/heta-arbeten.json").get_json()
    assert "varme-arbeider" not in {e["credential"].rsplit("/", 1)[-1] for e in eq["equivalents"]}


def test_without_login_forms_and_api_refuse_and_nothing_changes(sample_app, web):
    before = curation_source(sample_app)
    assert web.get("/mappings/propose").status_code == 401
    assert web.post("/mappings/propose", data={"subject": "esa", "predicate": "closeMatch",
                                               "object": "fse", "justification": "x"}).status_code == 401
    assert web.post("/mappings/record/anything/review", data={"action": "accept", "comment": "x"}).status_code == 401
    assert web.post("/api/mappings", json={"subject": "esa", "predicate": "closeMatch", "object": "fse",
                                           "justification": "x"}).status_code == 401
    wrong = base64.b64encode(b"alva:wrong").decode()
    assert web.post("/api/mappings", json={}, headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    # a logged-in form without its CSRF token is refused too
    login(web, "alva")
    assert web.post("/mappings/propose", data={"subject": "esa", "predicate": "closeMatch", "object": "fse",
                                               "justification": "x"}).status_code == 400
    assert curation_source(sample_app) == before is None


def test_api_propose_and_review_with_basic_authentication(sample_app, web):
    def auth(name):
        raw = f"{name}:{PASSWORDS[name]}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    created = web.post("/api/mappings", headers=auth("alva"), json={
        "subject": "esa", "predicate": "skos:relatedMatch", "object": "fse", "justification": "Topic."})
    assert created.status_code == 201
    slug = created.get_json()["record"].rsplit("/", 1)[-1]
    assert web.post(f"/api/mappings/{slug}/accept", headers=auth("alva"), json={"comment": "mine"}).status_code == 403
    done = web.post(f"/api/mappings/{slug}/reject", headers=auth("bo"), json={"comment": "Too loose."})
    assert done.get_json()["status"] == "rejected"
    bad = web.post("/api/mappings", headers=auth("bo"), json={
        "subject": "esa", "predicate": "closeMatch", "object": "no-such-thing", "justification": "x"})
    assert bad.status_code == 400 and "no-such-thing" in bad.get_json()["error"]


def test_public_list_and_credential_page_show_imported_mappings(web):
    listing = web.get("/mappings?lang=en")
    assert listing.status_code == 200 and "Mappings from published mapping sets" in listing.text
    page = web.get("/mappings/credential/varme-arbeider?lang=en")
    assert page.status_code == 200
    assert "Tulityökortti" in page.text or "Hot work card" in page.text
    data = web.get("/mappings/credential/varme-arbeider.json").get_json()
    kinds = {(e["credential"].rsplit("/", 1)[-1], e["kind"], e["implied"]) for e in data["equivalents"]}
    assert ("varmt-arbejde", "exact", False) in kinds and ("tulityokortti", "exact", True) in kinds


def test_api_satisfies_answers_the_hot_work_cases(web):
    base = "/api/satisfies?credential=varmt-arbejde&requirement=heta-arbeten-forsakringsvillkor&on=2025-01-01"
    yes = web.get(base + "&issued=2023-06-30").get_json()
    assert yes["value"] == "yes" and yes["satisfied"] is True and yes["via"] == "recognition"
    assert yes["recognitions"][0]["covers_issued_until"] == "2023-06-30"
    no = web.get(base + "&issued=2023-07-01").get_json()
    assert no["value"] == "no" and no["satisfied"] is False
    unknown = web.get(base).get_json()
    assert unknown["value"] == "unknown"
    assert unknown["missing"] == [{"input": "issued", "earliest": None, "latest": "2023-06-30", "options": []}]
    assert web.get("/api/satisfies?credential=esa").status_code == 400
    assert web.get(base + "&issued=someday").status_code == 400


def test_requirement_page_shows_yes_or_no_with_explanation(web):
    url = "/requirements/heta-arbeten-forsakringsvillkor/satisfies?lang=en&credential=varme-arbeider&on=2025-01-01"
    yes = web.get(url + "&issued=2023-01-15")
    assert yes.status_code == 200 and '<p class="headline">Yes (through a recognition)</p>' in yes.text
    assert "accepted, recognised by Insurance Sweden" in yes.text
    no = web.get(url + "&issued=2023-08-15")
    assert '<p class="headline">No</p>' in no.text
    assert "the recognition covers only awards issued by 30 June 2023, and this one was not" in no.text


def test_crosswalk_matrix_and_csv_with_labels(web):
    page = web.get("/crosswalk?lang=en&a=NO&b=FI")
    assert page.status_code == 200 and "exact match" in page.text and "(implied)" in page.text
    data = web.get("/crosswalk.json?a=DK&b=SE&lang=en").get_json()
    row = data["rows"].index(DEFAULT_BASE + "credential/varmt-arbejde")
    col = data["columns"].index(DEFAULT_BASE + "credential/heta-arbeten")
    assert data["cells"][row][col] == {"kind": "close", "implied": False, "negated": False, "text": "close match"}
    csv_text = web.get("/crosswalk.csv?a=NO&b=FI&lang=en").text
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert "Hot work card (Finland, Tulityökortti)" in rows[0]
    col = rows[1].index(DEFAULT_BASE + "credential/tulityokortti")
    norway = next(r for r in rows if r[1] == DEFAULT_BASE + "credential/varme-arbeider")
    assert norway[0] == "Hot work certificate (Norway, Varme arbeider)" and norway[col] == "exact match (implied)"
    # the CSV has the page's words, in the page's language
    assert "exact match (implied)" in page.text
    sv_rows = list(csv.reader(io.StringIO(web.get("/crosswalk.csv?a=NO&b=FI&lang=sv").text)))
    assert sv_rows[0][0] == "Norge" and "exakt motsvarighet (härledd)" in {c for r in sv_rows for c in r}


def test_entity_pages_link_to_equivalents_and_requirement_checks(web):
    credential = web.get("/id/credential/varmt-arbejde?lang=en")
    assert credential.status_code == 200
    assert 'href="/mappings/credential/varmt-arbejde"' in credential.text
    requirement = web.get("/id/requirement/heta-arbeten-forsakringsvillkor?lang=sv")
    assert 'action="/check"' in requirement.text and 'data-kind="credential"' in requirement.text
    assert "Pröva ett kompetensbevis eller ett utfärdat bevis" in requirement.text


def test_wrong_password_is_refused_and_no_session_is_made(web):
    token = csrf(web, "/mappings/login")
    refused = web.post("/mappings/login?lang=en", data={"csrf_token": token, "name": "alva", "password": "nope"})
    assert refused.status_code == 401 and "Wrong name or password." in refused.text
    assert web.get("/mappings/propose").status_code == 401


def test_crosswalk_by_scheme(web):
    data = web.get("/crosswalk.json?a=varmt-arbejde&b=tulityokortti&lang=en").get_json()
    assert data["rows"] == [DEFAULT_BASE + "credential/varmt-arbejde"]
    assert data["columns"] == [DEFAULT_BASE + "credential/tulityokortti"]
    assert data["cells"] == [[{"kind": "exact", "implied": False, "negated": False, "text": "exact match"}]]


def test_requirement_page_takes_an_award(web):
    award = DEFAULT_BASE + "example/award/soren-eksempel-varmt-arbejde"
    page = web.get(f"/requirements/heta-arbeten-forsakringsvillkor/satisfies?lang=sv&credential={award}&on=2025-01-01")
    assert page.status_code == 200 and '<p class="headline">Nej</p>' in page.text
    assert "erkännandet omfattar bara bevis utfärdade senast 2023-06-30, och detta utfärdades inte då" in page.text


def test_logout_without_its_csrf_token_is_refused(web):
    login(web, "alva")
    assert web.post("/mappings/logout").status_code == 400
    assert web.post("/mappings/logout", data={"csrf_token": "forged"}).status_code == 400
    assert web.get("/mappings/propose").status_code == 200  # still logged in
    logout(web)
    assert web.get("/mappings/propose").status_code == 401
