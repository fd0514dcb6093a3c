"""Names and links of nodes are kept across requests (browse.Names), per app, state of the
store, catalogue and language: a page shows the name of its own state and language, and
the links it builds without the URL map are those the URL map builds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import url_for

import loaders
from graph_app import create_app
from graph_app.core import catalogue as catalogue_module
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.web import browse

ID = DEFAULT_BASE
PREFIXES = """@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
CRED = ID + "credential/names-one"
ORG = ID + "organisation/names-body"


def _commit(app: Any, tmp: Path, name: str, turtle: str) -> None:
    path = tmp / f"{name}.ttl"
    path.write_text(PREFIXES + turtle, encoding="utf-8")
    load(app.extensions["qagraph.store"], [LoadInput(path, name, loaders.get("turtle"))],
         base_iri=DEFAULT_BASE, validate=False)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Any]:
    app = create_app({"STORE": str(tmp_path / "store"), "TESTING": True, "VALIDATION_WAIT": 120})
    _commit(app, tmp_path, "base", f'<{CRED}> a qa:Credential ; rdfs:label "Första"@sv , "First"@en ; '
                                   f'qa:issuer <{ORG}> .\n'
                                   f'<{ORG}> a qa:Organisation ; rdfs:label "Organet"@sv .\n')
    yield app
    app.extensions["qagraph.store"].close()


@pytest.mark.parametrize("credential, requirement", [
    (CRED, ID + "requirement/x"),
    ("https://example.org/a b?c=d&e=f#g", "urn:x:å/ä+ö;'\"<>"),
    ("https://example.org/!$'()*,/:;?@~%20", "https://example.org/[]{}|\\^`"),
])
def test_check_links_are_those_the_url_map_builds(app: Any, credential: str, requirement: str) -> None:
    with app.test_request_context("/"):
        ours = browse.names_now().check_href(credential, requirement)
        assert ours == url_for("check.page", credential=credential, requirement=requirement)
    with app.test_request_context("/", base_url="http://localhost/under/a/root"):
        ours = browse.names_now().check_href(credential, requirement)
        assert ours.startswith("/under/a/root/check?")
        assert ours == url_for("check.page", credential=credential, requirement=requirement)


def test_a_link_is_the_macro_it_replaces(app: Any) -> None:
    """link(iri) writes what the template `<a href="{{ href(iri) }}" lang="{{ label_lang(iri)
    or lang }}">{{ label(iri) }}</a>` wrote, escaping included."""
    template = '<a href="{{ href(iri) }}" lang="{{ label_lang(iri) or lang }}">{{ label(iri) }}</a>'
    for lang in ("sv", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            for iri in (CRED, ORG, "https://example.org/x?a=1&b=<2>", "urn:x:\"quoted\""):
                expected = app.jinja_env.from_string(template).render(
                    href=browse.href, label=browse.label, label_lang=browse.label_lang, lang=lang, iri=iri)
                assert str(browse.link(iri)) == expected


def test_names_follow_the_language_and_the_state(app: Any, tmp_path: Path) -> None:
    client = app.test_client()
    path = "/id/organisation/names-body"
    assert '<a href="/id/credential/names-one" lang="sv">Första</a>' in client.get(path + "?lang=sv").text
    assert '<a href="/id/credential/names-one" lang="en">First</a>' in client.get(path + "?lang=en").text
    # a commit renames the credential: the next view of any page says the new name
    _commit(app, tmp_path, "rename", f'<{CRED}> rdfs:label "Annan"@sv .\n')
    app.extensions["qagraph.store"].drop("base")
    _commit(app, tmp_path, "base2", f'<{CRED}> a qa:Credential ; rdfs:label "First"@en ; qa:issuer <{ORG}> .\n'
                                    f'<{ORG}> a qa:Organisation ; rdfs:label "Organet"@sv .\n')
    catalogue_module.catalogue(app.extensions["qagraph.store"])  # the new state's catalogue
    page = client.get(path + "?lang=sv").text
    assert '<a href="/id/credential/names-one" lang="sv">Annan</a>' in page
    assert "Första" not in page


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_underscore_in_templates_says_what_jinjas_gettext_says(app: Any, lang: str) -> None:
    """The templates' `_()` is kept per language; it must still be Jinja's newstyle gettext:
    translated, formatted even without variables (%% is one %), variables escaped, and
    the same again on the next page."""
    cases = [('"Where this award is accepted"', ""), ('"100%% sure"', ""),
             ('"Valid, until %(date)s."', ', date="<b>2025 & later</b>"'),
             ('"Recognised by %(who)s."', ', who=who')]
    template = "".join(f"[{{{{ _({text}{args}) }}}}|{{{{ gettext({text}{args}) }}}}]" for text, args in cases)
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        for _round in range(2):
            context: dict[str, Any] = {"who": "<i>A</i>"}
            app.update_template_context(context)
            shown = app.jinja_env.from_string(template).render(context)
            pairs = [part.split("|") for part in shown.strip("[]").split("][")]
            assert len(pairs) == len(cases)
            for ours, jinjas in pairs:
                assert ours == jinjas
            assert "100% sure" in shown and "&lt;b&gt;2025 &amp; later&lt;/b&gt;" in shown and "&lt;i&gt;A" in shown
    assert ("Giltigt, till" if lang == "sv" else "Valid, until") in shown


def test_asset_addresses_are_those_of_the_url_map_under_each_root(app: Any) -> None:
    for root in ("", "/under/a/root", ""):
        with app.test_request_context("/", base_url="http://localhost" + root):
            for endpoint, values in (("static", {"filename": "qagraph.css"}),
                                     ("vendor.asset", {"name": "pico/pico.min.css"})):
                assert browse.asset_url(endpoint, **values) == url_for(endpoint, **values)
                assert browse.asset_url(endpoint, **values).startswith(root + "/")
    page = app.test_client().get("/", base_url="http://localhost/mounted").text
    assert 'href="/mounted/static/qagraph.css"' in page
