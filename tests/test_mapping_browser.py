"""Curation of a mapping in real Chromium: one curator proposes, another accepts, and the
mapping shows on both credentials' pages. Screenshots go to test-artifacts/."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from graph_app import create_app
from graph_app.cli import bundled_inputs
from graph_app.core.loading import load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.store import OxigraphStore

from .test_mapping_web import PASSWORDS, curators_setting

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

@pytest.fixture
def server(tmp_path) -> Iterator[tuple[str, OxigraphStore]]:
    store = OxigraphStore(tmp_path / "store")
    load(store, bundled_inputs(), base_iri=DEFAULT_BASE, validate=False)
    app = create_app({"STORE_OBJECT": store, "CURATORS": curators_setting(), "SECRET_KEY": "browser-test"})
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}", store
    http.shutdown()
    thread.join(5)
    store.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mappings-{name}.png"), full_page=True)


def log_in(page: Page, name: str) -> None:
    page.goto("/mappings/login?lang=en")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".curator")).to_have_text(name)


def test_propose_accept_and_see_on_both_credentials(chromium, server):
    url, store = server
    context = chromium.new_context(base_url=url, locale="en-GB")
    page = context.new_page()
    log_in(page, "alva")
    page.get_by_role("link", name="Propose a mapping").click()
    page.get_by_label("Credential (IRI or id, e.g. esa)").fill("heta-arbeten")
    page.get_by_label("Mapping").select_option("closeMatch")
    page.get_by_label("Other credential (IRI or id)").fill("varme-arbeider")
    page.get_by_label("Justification", exact=True).fill("Same three roles; five-year validity in both.")
    shot(page, "1-propose")
    page.get_by_role("button", name="Propose").click()
    expect(page.locator(".status")).to_have_text("proposed")
    record_url = page.url
    # the proposer sees no way to accept her own proposal through the API either
    page.get_by_role("button", name="Log out").click()
    context.close()

    context = chromium.new_context(base_url=url, locale="en-GB")
    page = context.new_page()
    log_in(page, "bo")
    page.goto(record_url)
    page.get_by_label("Decision").select_option("accept")
    page.get_by_label("Comment").fill("Agreed at the council meeting.")
    shot(page, "2-review")
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".status")).to_have_text("accepted")
    history = page.locator("table.history tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("bo")
    shot(page, "3-accepted")

    for own, other in (("heta-arbeten", "Varme arbeider"), ("varme-arbeider", "Heta Arbeten")):
        page.goto(f"/mappings/credential/{own}?lang=en")
        row = page.locator("section.equivalents tr.direct", has_text=other)
        expect(row).to_contain_text("close match")
        shot(page, f"4-{own}")
    context.close()


def test_without_login_the_form_refuses_and_nothing_changes(chromium, server):
    url, store = server
    before = store.current_graphs()
    context = chromium.new_context(base_url=url, locale="en-GB")
    page = context.new_page()
    response = page.goto("/mappings/propose?lang=en")
    assert response is not None and response.status == 401
    shot(page, "5-refused")
    context.close()
    assert store.current_graphs() == before
