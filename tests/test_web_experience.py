"""The questions people bring, answered in real Chromium on the sample data.

- "Is this Danish hot-work certificate accepted in Sweden?": search, open, read the
  answer on the first screen; check it by typing names; compare SE and NO and download
  the CSV.
- Every page type, in Swedish and English, on a desktop (1280×800) and a phone
  (390×844): a screenshot in test-artifacts/, no sideways scrolling on the phone, and
  axe-core (from npm, injected into the page) finds no serious or critical violation of
  WCAG 2.1 A/AA.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from . import test_web_browser, web_browse_data

browse_app = web_browse_data.browse_app
server_url = test_web_browser.server_url  # a live server over the sample data, per module

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "pages"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ID = "https://w3id.org/qagraph/id/"

# One URL per page type (the language is added per run).
PAGES: dict[str, str] = {
    "home": "/",
    "search": "/search?q=heta",
    "list-credentials": "/credentials",
    "list-organisations-filtered": "/organisations?country=SE",
    "credential": "/id/credential/varmt-arbejde",
    "organisation": "/id/organisation/brandskyddsforeningen",
    "requirement": "/id/requirement/heta-arbeten-forsakringsvillkor",
    "route": "/id/route/heta-arbeten",
    "recognition": "/id/recognition/se-varmt-arbejde",
    "award": "/id/example/award/soren-eksempel-varmt-arbejde",
    "person": "/id/example/person/anna-exempel",
    "concept": "/resource?iri=https://w3id.org/qagraph/vocab/level/B",
    "levels": "/levels",
    "graph": "/graph?iri=" + ID + "credential/heta-arbeten",
    "check": "/check?credential=Varmt+arbejde&requirement=heta-arbeten-forsakringsvillkor&issued=2023-07-15&on=2024-05-01",
    "crosswalk": "/crosswalk?a=NO&b=FI",
    "mappings": "/mappings",
    "mapping-credential": "/mappings/credential/heta-arbeten",
    "sparql-editor": "/sparql",
    "sparql-guide": "/sparql/guide",
    "sparql-examples": "/queries/",
    "sparql-example": "/queries/credentials-per-level-by-sector",
    "dumps": "/dumps/",
    "login": "/mappings/login",
    "not-found": "/id/no/such/thing",
}
BLOCKING = {"serious", "critical"}


def with_lang(url: str, lang: str) -> str:
    return url + ("&" if "?" in url else "?") + "lang=" + lang


def visit(page: Page, name: str, lang: str) -> int:
    """Open a page type and wait for what its JavaScript draws; the HTTP status."""
    response = page.goto(with_lang(PAGES[name], lang))
    if name == "graph":
        expect(page.locator("#graph")).to_have_attribute("data-ready", "true")
    if name == "sparql-editor":
        expect(page.locator(".yasqe")).to_be_visible()
    return response.status if response is not None else 0


def shot(page: Page, name: str, *, full: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def test_a_danish_certificate_in_sweden_answered_on_the_first_screen(chromium, server_url):
    context = chromium.new_context(base_url=server_url, locale="sv-SE", viewport=DESKTOP)
    page = context.new_page()
    page.goto("/?lang=sv")
    box = page.get_by_role("combobox", name="Sök bland namn")
    box.click()
    box.press_sequentially("varmt arbejde", delay=40)
    option = page.get_by_role("option", name="Varmt arbejde (danskt certifikat för heta arbeten)")
    expect(option).to_be_visible()
    option.click()
    expect(page).to_have_url(f"{server_url}/id/credential/varmt-arbejde")

    sweden = page.locator(".card-accepted li", has_text="Sverige")
    expect(sweden).to_contain_text("godtas om det utfärdades senast 2023-06-30, till giltighetens slut")
    expect(sweden.locator(".verdict")).to_have_text("Det beror på")
    box_of = sweden.bounding_box()
    assert box_of is not None and box_of["y"] + box_of["height"] <= DESKTOP["height"], box_of
    # the path behind it is one click away
    expect(sweden.get_by_role("link", name="varför")).to_be_visible()
    shot(page, "flow-1-credential-first-screen-sv")
    context.close()


def test_check_by_typing_names_gives_no_with_the_end_of_the_recognition(chromium, server_url):
    context = chromium.new_context(base_url=server_url, locale="sv-SE", viewport=DESKTOP)
    page = context.new_page()
    page.goto("/id/credential/varmt-arbejde?lang=sv")
    field = page.get_by_role("combobox", name="Krav (namn)")
    field.click()
    field.press_sequentially("heta arbeten sverige", delay=40)
    option = page.get_by_role("option", name="Försäkringsbolagens krav på certifikat för heta arbeten (Sverige)")
    expect(option).to_be_visible()
    option.click()
    expect(field).to_have_value("Försäkringsbolagens krav på certifikat för heta arbeten (Sverige)")
    page.get_by_label("Utfärdat (frivilligt)").fill("2023-07-15")
    page.get_by_label("Vid datumet").fill("2024-05-01")
    page.get_by_role("button", name="Pröva").click()
    answer = page.locator(".answer-box")
    expect(answer.locator(".headline")).to_have_text("Nej")
    expect(answer).to_contain_text("godtas inte: erkännandet omfattar bara bevis utfärdade senast 2023-06-30, "
                                   "och detta utfärdades inte då")
    shot(page, "flow-2-check-no-sv")

    # the same question with both names typed on the check page, in English
    page.goto("/check?lang=en")
    page.get_by_role("combobox", name="Credential (name) or an award's IRI").fill("Varmt arbejde")
    page.get_by_role("combobox", name="Requirement (name)").fill("Insurers' requirement of a hot-work certificate (Sweden)")
    page.get_by_label("Issued on (optional)").fill("2023-07-15")
    page.get_by_label("On the date").fill("2024-05-01")
    page.get_by_role("button", name="Check").click()
    expect(page.locator(".answer-box .headline")).to_have_text("No")
    expect(page.locator(".answer-box")).to_contain_text("not accepted: the recognition covers only awards issued by 30 June 2023")
    shot(page, "flow-2-check-no-en")

    # a name that names nothing gets a message in the form, not an error page
    page.goto("/check?lang=en&credential=zzqx&requirement=heta")
    expect(page.locator(".field-error").first).to_contain_text("No credential matches “zzqx”.")
    context.close()


def test_pick_two_countries_in_the_crosswalk_and_download_the_csv(chromium, server_url):
    context = chromium.new_context(base_url=server_url, locale="sv-SE", viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.goto("/?lang=sv")
    page.get_by_role("navigation", name="Huvudnavigering").get_by_role("link", name="Jämför länder").click()
    page.get_by_label("Rader").select_option("SE")
    page.get_by_label("Kolumner").select_option("NO")
    page.get_by_role("button", name="Jämför").click()
    table = page.locator("table.crosswalk")
    expect(table).to_contain_text("nära motsvarighet")
    shot(page, "flow-3-crosswalk-se-no")
    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ned som CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Sverige"
    cells = {c for r in rows[2:] for c in r[2:] if c}
    assert cells and cells <= {c.strip() for c in table.locator("td").all_inner_texts() if c.strip()}
    context.close()


def _axe(page: Page) -> list[dict[str, object]]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    return [v for v in result if v["impact"] in BLOCKING]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_type_reads_well_on_a_desktop_and_passes_axe(chromium, server_url, lang):
    context = chromium.new_context(base_url=server_url, viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    found: dict[str, list[dict[str, object]]] = {}
    for name in PAGES:
        status = visit(page, name, lang)
        assert 0 < status < 500, (name, status)
        shot(page, f"{name}-{lang}-desktop", full=name in ("credential", "organisation", "requirement"))
        violations = _axe(page)
        if violations:
            found[name] = violations
    context.close()
    assert not found, found
    assert not errors, errors


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_page_type_scrolls_sideways_on_a_phone(chromium, server_url, lang):
    """… and, under the server's Content-Security-Policy (no inline script or style), the
    browser refuses nothing a page needs."""
    context = chromium.new_context(base_url=server_url, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    wide: dict[str, tuple[int, int]] = {}
    for name in PAGES:
        visit(page, name, lang)
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if widths[0] > widths[1]:
            wide[name] = tuple(widths)
        shot(page, f"{name}-{lang}-phone")
    context.close()
    assert not wide, wide
    assert not refused, refused[:5]


def test_a_list_on_a_phone_shows_results_first_and_filters_one_tap_away(chromium, server_url):
    """On a phone the facets fold under one button, so the first results are on the first
    screen; on a desktop they stay a column beside the results, open without a tap."""
    context = chromium.new_context(base_url=server_url, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto("/credentials?lang=sv")
    first = page.locator(".results tbody tr").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    sweden = page.locator("ul[aria-labelledby=facet-country] a.facet", has_text="Sverige")
    expect(sweden).to_be_hidden()
    page.locator("details.filters > summary").click()
    expect(sweden).to_be_visible()
    sweden.click()
    expect(page).to_have_url(f"{server_url}/credentials?lang=sv&country=SE")
    expect(page.locator("details.filters > summary")).to_have_text("Filter · 1 valda")
    expect(page.locator(".chosen")).to_contain_text("Land: Sverige")
    context.close()

    context = chromium.new_context(base_url=server_url, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/credentials?lang=en")
    expect(page.locator("details.filters > summary")).to_be_hidden()
    expect(page.locator("ul[aria-labelledby=facet-country] a.facet", has_text="Sweden")).to_be_visible()
    context.close()


def test_the_plain_query_form_works_without_javascript(chromium, server_url):
    context = chromium.new_context(base_url=server_url, java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto("/sparql?lang=en")
    query = page.get_by_label("Query", exact=True)
    expect(query).to_be_visible()
    query.fill("SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/qagraph/ontology#Credential> }")
    page.get_by_label("Result format").select_option("json")
    with page.expect_response(lambda r: "/sparql?" in r.url) as info:
        page.get_by_role("button", name="Run the query").click()
    body = info.value.json()
    assert int(body["results"]["bindings"][0]["n"]["value"]) > 10
    context.close()


def test_query_results_show_names_that_open_pages_here(chromium, server_url):
    context = chromium.new_context(base_url=server_url, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/sparql?lang=sv")
    expect(page.locator(".yasqe")).to_be_visible()
    # the prefixes are folded: the query is what shows first
    shown = page.locator(".CodeMirror-lines").inner_text()
    assert shown.count("PREFIX") == 1 and "SELECT" in shown, shown
    page.evaluate("""() => { const y = window.qagraphYasgui.getTab().getYasqe();
        y.setValue('SELECT ?c WHERE { ?c a <https://w3id.org/qagraph/ontology#Credential> } ORDER BY ?c LIMIT 5');
        y.query(); }""")
    link = page.locator(".yasr a[data-local=true]").first
    expect(link).to_be_visible(timeout=15000)
    href = link.get_attribute("href") or ""
    assert href.startswith("/id/credential/"), href
    assert not (link.inner_text()).startswith("http")
    expect(page.locator(".yasr")).to_contain_text("Tabell")
    shot(page, "sparql-results-sv")
    context.close()
