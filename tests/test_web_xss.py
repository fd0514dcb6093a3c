"""A label that is markup, loaded as data, shows as text on every page that shows labels."""

from __future__ import annotations

import pytest

from . import web_browse_data

STORE_KINDS = ("embedded", "remote")

bclient = web_browse_data.bclient
browse_app = web_browse_data.browse_app

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PAGES = [
    "/id/organisation/xss", "/id/credential/xss", "/id/route/xss",
    "/organisations", "/credentials", "/organisations?country=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/search?q=xss-organisation", "/search?q=alert",
    "/graph?iri=https://w3id.org/qagraph/id/organisation/xss",
    "/graph?iri=https://w3id.org/qagraph/id/credential/xss",
    "/levels",
    "/id/no-such%3Cscript%3Ealert(1)%3C%2Fscript%3E",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_markup_in_labels_is_shown_as_text(bclient, path, lang):
    response = bclient.get(path + ("&" if "?" in path else "?") + "lang=" + lang)
    body = response.text
    assert SCRIPT not in body
    if response.status_code == 200:
        assert ESCAPED in body or "\\u003cscript\\u003e" in body


def test_json_twins_carry_the_label_as_data(bclient):
    data = bclient.get("/search.json?q=alert").get_json()
    labels = [i["label"] for g in data["groups"] for i in g["items"]]
    assert SCRIPT in labels
