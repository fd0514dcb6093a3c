"""Security of the web app: headers on every route, every write route refused with wrong
credentials, log-in redirects, rate limits, equal timing, cookies and logout (real store,
Flask's test client; routes enumerated from the URL map)."""

from __future__ import annotations

import base64
import re
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from graph_app import create_app
from graph_app.core.store import OxigraphStore
from graph_app.web.security import CSP, CSP_INLINE_STYLE, INLINE_STYLE_ENDPOINTS, local_path

from .test_mapping_web import PASSWORDS, csrf, curators_setting, login

TOKEN = "security-token"
WRITE_METHODS = {"POST", "PUT", "DELETE", "PATCH"}
# Values for the URL converters of each route, when building a URL from its rule.
SAMPLE = {"path": "credential/heta-arbeten", "filename": "qagraph.css", "name": "collaboration-network",
          "ext": "json", "slug": "no-such-record", "action": "accept", "tail": "heta-arbeten"}


@pytest.fixture
def app(store_path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    store = OxigraphStore(store_path)
    application = create_app({"STORE_OBJECT": store, "TESTING": True, "CURATORS": curators_setting(),
                              "SECRET_KEY": "test-key", "CURATOR_TOKEN": TOKEN})
    yield application
    store.close()


@pytest.fixture
def web(app):  # type: ignore[no-untyped-def]
    return app.test_client()


def rules(app) -> list[Any]:  # type: ignore[no-untyped-def]
    return [r for r in app.url_map.iter_rules()]


def url_of(rule: Any) -> str:
    return rule.build({k: SAMPLE[k] for k in rule.arguments}, append_unknown=False)[1]


def assert_security_headers(response: Any, where: str, endpoint: str = "") -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp == (CSP_INLINE_STYLE if endpoint in INLINE_STYLE_ENDPOINTS else CSP), where
    script = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert script == "script-src 'self'" and "'unsafe-eval'" not in csp, where
    assert "frame-ancestors 'none'" in csp and headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy"), where


def test_security_headers_on_every_route(app, web) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for rule in rules(app):
        url = url_of(rule)
        for method in sorted(rule.methods - {"HEAD"}):
            response = web.open(url, method=method)
            assert_security_headers(response, f"{method} {url} -> {response.status_code}", rule.endpoint)
            checked += 1
    assert checked > 60
    assert_security_headers(web.get("/no/such/page"), "404")
    assert_security_headers(web.delete("/mappings"), "405")


# -- writes with wrong credentials ----------------------------------------------------


def _wrong_basic() -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(b"alva:wrong").decode()}


WRONG: dict[str, Callable[[Any, str, str], Any]] = {
    # each write route, sent with wrong credentials (a wrong token or password, a forged
    # or missing session); the test below fails for a write route missing here
    "sparql.endpoint": lambda web, url, m: web.open(url, method=m, data=b"CLEAR ALL", headers={
        "Content-Type": "application/sparql-update", "Authorization": "Bearer wrong"}),
    "sparql.graph_store": lambda web, url, m: web.open(url + "?graph=https://w3id.org/qagraph/graph/source/x",
                                                       method=m, data=b"<http://a> <http://b> <http://c> .",
                                                       headers={"Content-Type": "application/n-triples",
                                                                "Authorization": "Bearer wrong"}),
    "mappings.login": lambda web, url, m: web.open(url, method=m, data={
        "csrf_token": csrf(web, "/mappings/login"), "name": "alva", "password": "wrong"}),
    "mappings.logout": lambda web, url, m: web.open(url, method=m, data={"csrf_token": "forged"}),
    "mappings.propose": lambda web, url, m: web.open(url, method=m, data={
        "csrf_token": "forged", "subject": "esa", "predicate": "closeMatch", "object": "fse",
        "justification": "x"}),
    "mappings.review": lambda web, url, m: web.open(url, method=m, data={
        "csrf_token": "forged", "action": "accept", "comment": "x"}),
    "mappings.api_propose": lambda web, url, m: web.open(url, method=m, headers=_wrong_basic(), json={
        "subject": "esa", "predicate": "closeMatch", "object": "fse", "justification": "x"}),
    "mappings.api_transition": lambda web, url, m: web.open(url, method=m, headers=_wrong_basic(),
                                                            json={"comment": "x"}),
}


def test_every_write_route_refuses_wrong_credentials(app, web) -> None:  # type: ignore[no-untyped-def]
    store = app.extensions["qagraph.store"]
    before = store.current_graphs()
    writes = [r for r in rules(app) if r.methods & WRITE_METHODS and r.endpoint != "static"]
    assert {r.endpoint for r in writes} == set(WRONG), "a write route has no wrong-credentials case"
    for rule in writes:
        for method in sorted(rule.methods & WRITE_METHODS):
            response = WRONG[rule.endpoint](web, url_of(rule), method)
            assert response.status_code in {400, 401, 403, 405}, (rule.endpoint, method, response.status_code)
    assert store.current_graphs() == before
    assert web.get("/mappings/propose").status_code == 401  # no session was made


def test_graph_store_with_a_wrong_token_is_401_for_each_write(web) -> None:  # type: ignore[no-untyped-def]
    url = "/graph-store?graph=https://w3id.org/qagraph/graph/source/x"
    for method in ("PUT", "POST", "DELETE"):
        response = web.open(url, method=method, data=b"<http://a> <http://b> <http://c> .",
                            headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {TOKEN}x"})
        assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]


# -- log-in ----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "http:/evil.example", "javascript:alert(1)", "/\x00/x"])
def test_next_never_leaves_the_site(web, target: str) -> None:  # type: ignore[no-untyped-def]
    token = csrf(web, "/mappings/login")
    response = web.post("/mappings/login", query_string={"next": target},
                        data={"csrf_token": token, "name": "alva", "password": PASSWORDS["alva"]})
    assert response.status_code == 302
    assert response.headers["Location"] == "/mappings"
    assert local_path(target) is None


def test_next_to_a_local_path_is_kept(web) -> None:  # type: ignore[no-untyped-def]
    token = csrf(web, "/mappings/login")
    response = web.post("/mappings/login", query_string={"next": "/mappings/propose?subject=esa"},
                        data={"csrf_token": token, "name": "alva", "password": PASSWORDS["alva"]})
    assert response.headers["Location"] == "/mappings/propose?subject=esa"


def test_the_61st_wrong_login_in_a_minute_gets_429(web) -> None:  # type: ignore[no-untyped-def]
    token = csrf(web, "/mappings/login")
    for i in range(60):
        # different names, so that only the per-address limit counts
        response = web.post("/mappings/login", data={"csrf_token": token, "name": f"nobody{i}",
                                                     "password": "wrong"})
        assert response.status_code == 401, i
    refused = web.post("/mappings/login", data={"csrf_token": token, "name": "alva",
                                                "password": PASSWORDS["alva"]})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert web.get("/mappings/propose").status_code == 401


def test_wrong_passwords_for_one_account_are_limited_from_any_address(web) -> None:  # type: ignore[no-untyped-def]
    token = csrf(web, "/mappings/login")
    for i in range(20):
        address = f"10.0.0.{i}"
        response = web.post("/mappings/login", data={"csrf_token": token, "name": "bo", "password": "wrong"},
                            environ_base={"REMOTE_ADDR": address})
        assert response.status_code == 401
    refused = web.post("/mappings/login", data={"csrf_token": token, "name": "bo", "password": "wrong"},
                       environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_basic_and_bearer_failures_are_limited_too(store_path) -> None:  # type: ignore[no-untyped-def]
    store = OxigraphStore(store_path)
    app = create_app({"STORE_OBJECT": store, "TESTING": True, "CURATORS": curators_setting(),
                      "CURATOR_TOKEN": TOKEN, "AUTH_LIMIT_ADDRESS": "5 per minute"})
    try:
        web = app.test_client()
        for _ in range(5):
            assert web.post("/api/mappings", json={}, headers=_wrong_basic()).status_code == 401
        limited = web.post("/api/mappings", json={}, headers=_wrong_basic())
        assert limited.status_code == 429 and "Retry-After" in limited.headers
        other = {"REMOTE_ADDR": "192.0.2.7"}
        for _ in range(5):
            assert web.post("/sparql", data=b"CLEAR ALL", environ_base=other, headers={
                "Content-Type": "application/sparql-update", "Authorization": "Bearer no"}).status_code == 401
        bearer = web.post("/sparql", data=b"CLEAR ALL", environ_base=other, headers={
            "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 429 and "Retry-After" in bearer.headers
    finally:
        store.close()


def test_unknown_and_known_names_take_the_same_time(store_path) -> None:  # type: ignore[no-untyped-def]
    """A wrong password for a known name and any password for an unknown name both cost
    one hash check (a costly hash, so the difference would show)."""
    store = OxigraphStore(store_path)
    slow = "alva:" + generate_password_hash("alva-secret", method="pbkdf2:sha256:150000")
    app = create_app({"STORE_OBJECT": store, "TESTING": True, "CURATORS": slow,
                      "AUTH_LIMIT_ADDRESS": "1000 per minute", "AUTH_LIMIT_ACCOUNT": "1000 per minute"})
    try:
        web = app.test_client()

        def attempt(name: str) -> float:
            raw = base64.b64encode(f"{name}:wrong".encode()).decode()
            started = time.perf_counter()
            assert web.post("/api/mappings", json={}, headers={"Authorization": f"Basic {raw}"}).status_code == 401
            return time.perf_counter() - started

        attempt("alva")
        known, unknown = [], []
        for _ in range(7):  # interleaved, on a shared machine
            known.append(attempt("alva"))
            unknown.append(attempt("nobody"))
        ratio = statistics.median(unknown) / statistics.median(known)
        print(f"log-in check: known name {statistics.median(known) * 1000:.1f} ms, "
              f"unknown name {statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f}")
        assert 0.5 < ratio < 2.0
    finally:
        store.close()


def test_session_cookie_flags(store_path) -> None:  # type: ignore[no-untyped-def]
    for secure in (False, True):
        store = OxigraphStore(store_path)
        app = create_app({"STORE_OBJECT": store, "TESTING": True, "CURATORS": curators_setting(),
                          "COOKIE_SECURE": secure})
        try:
            web = app.test_client()
            token = csrf(web, "/mappings/login")
            response = web.post("/mappings/login", data={"csrf_token": token, "name": "alva",
                                                         "password": PASSWORDS["alva"]})
            cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
            assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
            assert ("Secure" in cookie) is secure
        finally:
            store.close()


def test_a_cookie_no_longer_works_after_logout(app, web) -> None:  # type: ignore[no-untyped-def]
    login(web, "alva")
    assert web.get("/mappings/propose").status_code == 200
    stolen = web.get_cookie("session").value
    token = csrf(web, "/mappings")
    assert web.post("/mappings/logout", data={"csrf_token": token}).status_code == 302
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/mappings/propose").status_code == 401
    assert not re.search(r"Logged in as|Inloggad som", other.get("/mappings?lang=en").text)
