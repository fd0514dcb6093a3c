"""Browsing: shared helpers (links and labels of nodes, kinds) and the registration of
the entity pages, lists, search, graph view and levels overview."""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, urlencode

import pyoxigraph as ox
from flask import Flask, current_app, g, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..core import catalogue as catalogue_module
from ..core import equivalence, queries
from ..core.catalogue import Catalogue
from ..core.derived import PerGeneration, PerState
from ..core.labels import pick_lang
from ..core.namespaces import DCTERMS, FOAF, LVL, OWL, RDF, RDFS, SKOS, compact
from ..core.store import Store
from .store import get_store


def store() -> Store:
    return get_store(current_app)


def cat() -> Catalogue:
    """The store's catalogue (labels, facets, search), kept up to date on commit; looked
    up once per request (a page asks for hundreds of labels)."""
    found: Catalogue | None = g.get("qagraph_catalogue")
    if found is None:
        found = g.qagraph_catalogue = catalogue_module.catalogue(store())
    return found


def lang() -> str:
    return str(getattr(g, "lang", "sv"))


def base_iri() -> str:
    return str(current_app.config.get("BASE_IRI"))


class _Table(dict[str, Any]):
    """Values made from a key when first asked for, at most `Names.MAX` of them (then the
    table starts afresh)."""

    def made(self, key: str, make: Callable[[str], Any]) -> Any:
        found = self.get(key)
        if found is None:
            if len(self) > Names.MAX:
                self.clear()
            found = self[key] = make(key)
        return found


class Names:
    """Labels, links and label languages of nodes in one interface language, for one
    catalogue, state of the store and app: made when first asked for and shared by every
    request that reads the same ones (a page names the same nodes many times, and pages
    name the same properties, credentials and requirements). At most `MAX` of each are
    kept, then they start afresh (some 2 MB a table at most); the last four of these are
    kept, the two languages of this state and of the one before."""

    MAX = 10_000

    def __init__(self, app: Flask, s: Store, catalogue: Catalogue, language: str) -> None:
        self.app = weakref.ref(app)
        self.store = weakref.ref(s)
        self.catalogue = weakref.ref(catalogue)
        self.generation = s.generation
        self.lang = language
        self.base = str(app.config.get("BASE_IRI"))
        self.labels = _Table()
        self.hrefs = _Table()
        self.links = _Table()
        self.quoted = _Table()  # requirements as the query of a check link has them
        self.root = request.script_root
        self.check_base = url_for("check.page")

    def fits(self, app: Flask, s: Store, catalogue: Catalogue, language: str) -> bool:
        return (self.app() is app and self.store() is s and self.catalogue() is catalogue
                and self.generation == s.generation and self.lang == language
                and self.root == request.script_root)

    def label(self, iri: str) -> str:
        found: str = self.labels.made(iri, self._label)
        return found

    def _label(self, iri: str) -> str:
        catalogue = self.catalogue()
        assert catalogue is not None
        if iri not in catalogue.labels:
            known = well_known().get(iri)
            if known:
                return known
            ends = record_ends(iri)
            if ends is not None:  # a mapping record: "A ≈ B", never its hash id
                source, target = catalogue.full_label(ends[0], self.lang), catalogue.full_label(ends[2], self.lang)
                return f"{source} ≈ {target}"
        return catalogue.full_label(iri, self.lang)

    def href(self, iri: str) -> str:
        found: str = self.hrefs.made(iri, self._href)
        return found

    def _href(self, iri: str) -> str:
        base = self.base
        if iri.startswith(base) and len(iri) > len(base):
            return "/id/" + quote(iri[len(base):], safe="/-._~!$&'()*+,;=:@")
        if iri.startswith(LVL):
            return url_for("levels.overview") + "#level-" + quote(iri[len(LVL):], safe="")
        return url_for("entity.resource", iri=iri)

    def label_lang(self, iri: str) -> str:
        catalogue = self.catalogue()
        assert catalogue is not None
        return pick_lang(catalogue.labels.get(iri), self.lang)

    def link(self, iri: str) -> Markup:
        """The node as a link with its name, marked with the name's language."""
        found: Markup = self.links.made(iri, self._link)
        return found

    def _link(self, iri: str) -> Markup:
        return Markup('<a href="{}" lang="{}">{}</a>').format(
            self.href(iri), self.label_lang(iri) or self.lang, self.label(iri))

    def check_href(self, credential: str, requirement: str) -> str:
        """The check page for a credential (or award) and a requirement: the URL
        `url_for("check.page", credential=…, requirement=…)` makes, without its rule
        matching."""
        quoted = self.quoted.made(requirement, _query_value)
        return f"{self.check_base}?credential={_query_value(credential)}&requirement={quoted}"


# The characters werkzeug leaves as they are in a URL's query (werkzeug.urls._urlencode,
# which quotes each name and value with urllib's quote_plus).
QUERY_SAFE = "!$'()*,/:;?@"


def _query_value(text: str) -> str:
    return quote_plus(text, safe=QUERY_SAFE)


_NAMES: list[Names] = []
_NAMES_LOCK = threading.Lock()


def names_now() -> Names:
    """The names of this request's app, store state, catalogue and language (looked up once
    per request)."""
    found: Names | None = g.get("qagraph_names")
    if found is None:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        s, catalogue, language = store(), cat(), lang()
        with _NAMES_LOCK:
            found = next((n for n in _NAMES if n.fits(app, s, catalogue, language)), None)
            if found is None:
                found = Names(app, s, catalogue, language)
                _NAMES.insert(0, found)
                del _NAMES[4:]
        g.qagraph_names = found
    return found


def asset_url(endpoint: str, **values: Any) -> str:
    """The address of a static file or a vendored asset (`url_for(endpoint, **values)`),
    kept per app and script root: it does not change while the app runs, and every page
    names five of them."""
    key = (request.script_root, endpoint, *sorted(values.items()))
    table: dict[tuple[Any, ...], str] = current_app.extensions.setdefault("qagraph.asset_urls", {})
    found = table.get(key)
    if found is None:
        found = table[key] = url_for(endpoint, **values)
    return found


def href(iri: str) -> str:
    """Where the app shows a node: /id/… under the base IRI, the levels overview for
    assurance levels, else the generic resource page."""
    return names_now().href(iri)


def link(iri: str) -> Markup:
    """A link to the node, with its name in the interface language."""
    return names_now().link(iri)


_WELL_KNOWN: dict[str, dict[str, str]] = {}


def well_known() -> dict[str, str]:
    """Names of common properties of other vocabularies, which the store has no labels for
    (made once per interface language)."""
    names = _WELL_KNOWN.get(lang())
    if names is None:
        names = _WELL_KNOWN[lang()] = _well_known()
    return names


def _well_known() -> dict[str, str]:
    return {
        RDFS + "label": _("name"),
        RDFS + "comment": _("comment"),
        RDFS + "seeAlso": _("see also"),
        SKOS + "prefLabel": _("preferred name"),
        SKOS + "altLabel": _("other name"),
        SKOS + "definition": _("definition"),
        SKOS + "scopeNote": _("scope note"),
        SKOS + "notation": _("notation"),
        SKOS + "inScheme": _("in scheme"),
        SKOS + "topConceptOf": _("top concept of"),
        SKOS + "exactMatch": _("exact match"),
        SKOS + "closeMatch": _("close match"),
        SKOS + "broadMatch": _("broader match"),
        SKOS + "narrowMatch": _("narrower match"),
        SKOS + "relatedMatch": _("related match"),
        DCTERMS + "description": _("description"),
        DCTERMS + "source": _("source"),
        DCTERMS + "title": _("title"),
        FOAF + "homepage": _("homepage"),
        OWL + "annotatedSource": _("mapping from"),
        OWL + "annotatedTarget": _("mapping to"),
        RDF + "type": _("type"),
    }


def _record_ends(s: Store) -> dict[str, tuple[str, str, str]]:
    result = s.query(queries.load("mapping-record-ends").text)
    assert isinstance(result, ox.QuerySolutions)
    return {row["record"].value: (row["source"].value, row["property"].value, row["target"].value)
            for row in result if isinstance(row["record"], ox.NamedNode)}


_records: PerGeneration[dict[str, tuple[str, str, str]]] = PerGeneration(_record_ends)


def record_ends(iri: str) -> tuple[str, str, str] | None:
    """Subject, property and object of a mapping record, or None for anything else."""
    return _records.get(store()).get(iri)


def label(iri: str) -> str:
    """The node's name in the interface language (from the catalogue)."""
    return names_now().label(iri)


def names(iris: Any) -> str:
    """Labels of several nodes, joined."""
    here = names_now()
    return ", ".join(here.label(i) for i in iris)


class _Deferred:
    """The templates' view of `Names`: looked up when a template first names a node (many
    pages name none, and need no catalogue)."""

    __slots__ = ("_names",)

    def __init__(self) -> None:
        self._names: Names | None = None

    def _get(self) -> Names:
        if self._names is None:
            self._names = names_now()
        return self._names

    def label(self, iri: str) -> str:
        return (self._names or self._get()).label(iri)

    def href(self, iri: str) -> str:
        return (self._names or self._get()).href(iri)

    def label_lang(self, iri: str) -> str:
        return (self._names or self._get()).label_lang(iri)

    def link(self, iri: str) -> Markup:
        return (self._names or self._get()).link(iri)

    def check_href(self, credential: str, requirement: str) -> str:
        return (self._names or self._get()).check_href(credential, requirement)


def label_lang(iri: str) -> str:
    return names_now().label_lang(iri)


F = TypeVar("F", bound=Callable[[], Any])


def per_language(func: F) -> F:
    """A table of translated names, made once per interface language, not per request."""
    tables: dict[str, Any] = {}

    @functools.wraps(func)
    def cached() -> Any:
        key = str(get_locale())
        table = tables.get(key)
        if table is None:
            table = tables[key] = func()
        return table

    return cached  # type: ignore[return-value]


@per_language
def format_names() -> dict[str, str]:
    """What each download is, in words."""
    return {"ttl": _("Turtle (.ttl)"), "jsonld": _("JSON-LD (.jsonld)"), "nt": _("N-Triples (.nt)"),
            "rdf": _("RDF/XML (.rdf)"), "json": "JSON", "csv": _("CSV table (.csv)")}


@per_language
def kind_names() -> dict[str, tuple[str, str]]:
    """Singular and plural names of each kind, in the interface language."""
    return {
        "organisation": (_("Organisation"), _("Organisations")),
        "credential": (_("Credential"), _("Credentials")),
        "scheme": (_("Quality scheme"), _("Quality schemes")),
        "standard": (_("Standard"), _("Standards")),
        "requirement": (_("Requirement"), _("Requirements")),
        "collaboration": (_("Collaboration"), _("Collaborations")),
        "route": (_("Issuance route"), _("Issuance routes")),
        "recognition": (_("Recognition"), _("Recognitions")),
        "control": (_("Control function"), _("Control functions")),
        "accreditation": (_("Accreditation"), _("Accreditations")),
        "outcome": (_("Learning outcome"), _("Learning outcomes")),
        "concept": (_("Concept"), _("Concepts")),
    }


@per_language
def facet_names() -> dict[str, str]:
    return {
        "type": _("Type or role"),
        "level": _("Assurance level"),
        "country": _("Country"),
        "sector": _("Sector"),
        "issuer": _("Issuer"),
        "standard": _("Standard"),
    }


PAGE_ARGS = "qagraph_page_args"  # g: the query parameters a cached page depends on


def _args() -> list[tuple[str, str]]:
    """The request's query parameters, or on a page kept in the page cache only those its
    key holds (web/page_cache.py): a page kept for everyone must not carry the first
    visitor's other parameters in its links."""
    kept = g.get(PAGE_ARGS)
    items = request.args.items(multi=True)
    return list(items) if kept is None else [(k, v) for k, v in items if k in kept]


def url_with(**changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    args: dict[str, Any] = {}
    for key, value in _args():
        args.setdefault(key, []).append(value)
    if g.get(PAGE_ARGS) is not None:
        args["lang"] = [lang()]  # the language the page is in, however it was chosen
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [str(value)]
    return url_for(request.endpoint or "home.index", **(request.view_args or {}), **args)


def lang_switch_url(other: str) -> str:
    """This page in the other language: the same path and query, `lang` replaced."""
    args = [(k, v) for k, v in _args() if k != "lang"]
    return request.path + "?" + urlencode([*args, ("lang", other)])


_REASONING = PerState(1)


def reasoning() -> equivalence.Reasoning:
    """Reasoning over the accepted mappings, once per state of the store."""
    current = store()
    found: equivalence.Reasoning = _REASONING.get(current, "reasoning", lambda: equivalence.reason(current))
    return found


def init_app(app: Flask) -> None:
    store_obj = app.extensions["qagraph.store"]
    catalogue_module.keep_up_to_date(store_obj)

    @app.context_processor
    def browse_context() -> dict[str, Any]:
        here = _Deferred()
        return {"href": here.href, "label": here.label, "label_lang": here.label_lang, "link": here.link,
                "check_href": here.check_href, "compact": compact, "asset_url": asset_url,
                "kind_names": kind_names(), "facet_names": facet_names(), "url_with": url_with,
                "lang_switch_url": lang_switch_url, "names": names, "format_names": format_names()}
