"""Browser tests in real Chromium: the path a person takes through the site.

Search "heta", pick Heta Arbeten from the autocomplete, see its level badge and its
issuer, follow the issuer, open the graph view and expand a node, switch to English.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from . import web_browse_data

browse_app = web_browse_data.browse_app

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

@pytest.fixture(scope="module")
def server_url(browse_app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, browse_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page(chromium, server_url) -> Iterator[Page]:
    context = chromium.new_context(base_url=server_url, locale="sv-SE", viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda err: errors.append(str(err)))
    pg.on("dialog", lambda dialog: errors.append("dialog: " + dialog.message))
    yield pg
    context.close()
    assert not errors, errors


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browse-{name}.png"), full_page=True)


def test_search_pick_follow_issuer_graph_and_switch_language(page: Page):
    page.goto("/?lang=sv")
    box = page.get_by_role("combobox", name="Sök bland namn")
    box.click()
    box.press_sequentially("heta", delay=60)
    option = page.get_by_role("option", name="Heta Arbeten", exact=True)
    expect(option).to_be_visible()
    shot(page, "1-autocomplete")
    option.click()
    expect(page).to_have_url(re.compile(r"/id/credential/heta-arbeten$"))
    expect(page.locator("h1")).to_have_text("Heta Arbeten")

    badge = page.locator(".card-level .badge").first
    expect(badge).to_contain_text("B")
    issuer = page.locator(".card-roles a", has_text="Brandskyddsföreningen").first
    expect(issuer).to_be_visible()
    shot(page, "2-credential")
    issuer.click()
    expect(page.locator("h1")).to_have_text("Brandskyddsföreningen")
    shot(page, "3-issuer")

    page.get_by_role("link", name="Visa i grafvyn").click()
    graph = page.locator("#graph")
    expect(graph).to_have_attribute("data-ready", "true")
    cy_nodes = page.evaluate("window.qagraphGraph.nodes().length")
    assert cy_nodes > 1
    # click (for real, with the mouse) a node other than the centre: the route it issues
    route = "https://w3id.org/qagraph/id/route/heta-arbeten"
    pos = page.evaluate("(id) => window.qagraphGraph.getElementById(id).renderedPosition()", route)
    bbox = graph.bounding_box()
    assert bbox is not None
    page.mouse.click(bbox["x"] + pos["x"], bbox["y"] + pos["y"])
    expect(graph).to_have_attribute("data-expanded", "2")
    after = page.evaluate("window.qagraphGraph.nodes().length")
    assert after > cy_nodes
    assert page.evaluate("(id) => window.qagraphGraph.getElementById(id).hasClass('expanded')", route)
    shot(page, "4-graph-expanded")

    page.get_by_role("link", name="In English").click()
    expect(page.locator("h1")).to_contain_text("Swedish Fire Protection Association")
    expect(page.locator("#graph")).to_have_attribute("data-ready", "true")
    shot(page, "5-graph-english")
    page.goto("/id/credential/heta-arbeten")  # the choice is remembered
    expect(page.locator("h1")).to_have_text("Hot work certificate (Heta Arbeten)")
    expect(page.locator(".card-roles")).to_contain_text("Swedish Fire Protection Association")
    shot(page, "6-credential-english")


def test_autocomplete_works_by_keyboard_and_reading_needs_no_javascript(chromium, server_url):
    context = chromium.new_context(base_url=server_url, java_script_enabled=False)
    pg = context.new_page()
    pg.goto("/search?q=tulityokortti&lang=en")
    expect(pg.get_by_role("link", name="Hot work card (Finland, Tulityökortti)")).to_be_visible()
    pg.goto("/credentials?lang=en&level=https://w3id.org/qagraph/vocab/level/B")
    expect(pg.get_by_role("link", name="Hot work certificate (Heta Arbeten)")).to_be_visible()
    pg.goto("/graph?iri=https://w3id.org/qagraph/id/credential/heta-arbeten&lang=en")
    expect(pg.locator("table.graph-edges")).to_contain_text("Heta Arbeten")
    shot(pg, "7-no-javascript-graph")
    context.close()

    context = chromium.new_context(base_url=server_url)
    pg = context.new_page()
    pg.goto("/levels?lang=en")
    pg.keyboard.press("Tab")  # skip link
    pg.keyboard.press("Tab")
    box = pg.get_by_role("combobox")
    box.focus()
    box.press_sequentially("tulityo", delay=60)
    expect(pg.get_by_role("option").first).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    expect(pg).to_have_url(server_url + "/id/organisation/tulityotoimikunta")
    context.close()


def test_graph_nodes_can_be_expanded_by_keyboard(page: Page):
    page.goto("/graph?iri=https://w3id.org/qagraph/id/credential/heta-arbeten&lang=en")
    graph = page.locator("#graph")
    expect(graph).to_have_attribute("data-ready", "true")
    before = page.evaluate("window.qagraphGraph.nodes().length")
    link = page.locator("#graph-nodes a.expand[data-iri='https://w3id.org/qagraph/id/route/heta-arbeten']")
    link.focus()
    page.keyboard.press("Enter")
    expect(graph).to_have_attribute("data-expanded", "2")
    assert page.evaluate("window.qagraphGraph.nodes().length") > before
    assert page.url.endswith("credential/heta-arbeten&lang=en")  # expanded in place
    expect(page.locator("#graph-nodes")).to_contain_text("Swedish Fire Protection Association")
    shot(page, "8-keyboard-expand")
