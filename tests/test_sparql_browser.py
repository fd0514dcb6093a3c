"""Real Chromium runs an example query in Yasgui and sees the result rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from .conftest import ROOT
from .test_sparql import load_sample
from .w3c.live import Live, start


@pytest.fixture
def live(tmp_path) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    server = start(tmp_path / "store")
    load_sample(server.store)
    yield server
    server.stop()


@pytest.mark.browser
def test_yasgui_runs_an_example_and_shows_rows(live: Live, chromium: Browser) -> None:
    expected = live.store.query(
        "PREFIX qa: <https://w3id.org/qagraph/ontology#> SELECT (COUNT(?s) AS ?n) WHERE { ?s a qa:Standard }")
    n_standards = int(next(iter(expected))["n"].value)  # type: ignore[index]
    assert n_standards > 0
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live.url}/sparql?example=standards-most-referred&lang=en")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert "qa:Standard" in page.evaluate("window.qagraphYasgui.getTab().getYasqe().getValue()")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr tbody tr", timeout=20000)
    rows = page.locator(".yasr tbody tr").count()
    page.screenshot(path=str(artifacts / "sparql-yasgui.png"), full_page=True)
    assert rows == min(n_standards, 50)  # one row per standard; 50 rows a page
    page.get_by_text("Chart", exact=True).click()
    page.wait_for_selector(".yasr svg.sparql-chart rect")
    assert page.locator(".yasr svg.sparql-chart rect").count() == n_standards
    assert not errors, errors
    context.close()
