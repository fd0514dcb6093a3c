"""Real Chromium loads the pages under the site's Content-Security-Policy and reports no
violation: every script they run comes from a file, none is inline; styles too, except on
the query editor and the graph view, whose libraries insert style elements."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from .conftest import ROOT
from .test_sparql_browser import live  # noqa: F401 - the live server fixture
from .w3c.live import Live

PAGES = ["/?lang=en", "/search?q=heta&lang=en", "/id/credential/heta-arbeten?lang=en", "/levels?lang=en",
         "/graph?iri=https://w3id.org/qagraph/id/credential/heta-arbeten&lang=en", "/credentials?lang=en",
         "/mappings?lang=en", "/mappings/login?lang=en", "/crosswalk?lang=en&a=NO&b=FI",
         "/sparql?lang=en", "/sparql/guide?lang=en", "/queries/?lang=en", "/dumps/?lang=en"]


@pytest.mark.browser
def test_pages_run_under_the_csp_without_violations(live: Live, chromium: Browser) -> None:  # noqa: F811 - the fixture
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    context = chromium.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(page.url + ": " + m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.log('Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
    for path in PAGES:
        response = page.goto(live.url + path)
        assert response is not None and response.status == 200, path
        assert "frame-ancestors 'none'" in (response.headers.get("content-security-policy") or "")
        page.wait_for_load_state("networkidle")
    page.goto(live.url + "/sparql?example=standards-most-referred&lang=en")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr tbody tr", timeout=20000)
    page.screenshot(path=str(artifacts / "csp-sparql.png"))
    assert not violations, violations
    context.close()
