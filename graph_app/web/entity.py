"""Entity pages at /id/… with content negotiation and suffix twins (.ttl, .jsonld, .nt,
.rdf); any other node of the store at /resource?iri=…"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, current_app, g, render_template, request, url_for
from flask_babel import gettext as _

from ..core import catalogue as catalogue_module
from ..core import entity as core
from ..core import node_validation
from ..core.interchange import profiles as register_forms
from ..core.namespaces import DCTERMS, LVL, QA, RDF
from ..core.validation import Result
from . import acceptance, cards, check, page_readers, profiles, readable
from .browse import PAGE_ARGS, base_iri, cat, kind_names, lang, store
from .page_cache import PAGES

bp = Blueprint("entity", __name__)

PAGE = 20
KEY_ARGS = ("iri", "in", "offset")  # the query parameters an entity page depends on (besides lang)


def _not_found(iri: str) -> Response:
    message = _("Nothing in the data has the IRI %(iri)s.", iri=iri)
    return Response(render_template("error.html", status=404, message=message), status=404,
                    headers={"Vary": "Accept"})


def _twin(iri: str, ext: str) -> Response:
    body = core.serialise(core.description(store(), iri), ext)
    mime = core.FORMATS[ext][1]
    response = Response(body, mimetype=mime)
    response.vary.add("Accept")
    return response


def _page(iri: str) -> str:
    """The entity page, rendered once per state of the store, language, day (the cards
    answer for today) and page of incoming links (graph_app/web/page_cache.py)."""
    s = store()
    key = (node_validation.store_token(s), s.generation, lang(), date.today().isoformat(), request.path, iri,
           request.args.get("in"), request.args.get("offset"))
    cached = PAGES.get(key)
    if cached is not None:
        return cached
    readers = current_app.extensions.get(page_readers.READERS_KEY)
    done = (readers.render(iri, key[2], request.path, request.query_string.decode("latin-1"))
            if readers is not None else None)
    html, keep = done if done is not None else render_page(iri)
    if keep:
        PAGES.put(key, html)
    return html


def render_page(iri: str) -> tuple[str, bool]:
    """The entity page, and whether it may be kept (not while its validation is still
    running), in this process: the server's or a page reader's (web/page_readers.py)."""
    g.setdefault(PAGE_ARGS, KEY_ARGS)  # its links carry only what the page cache's key holds
    violations = node_validation.violations(store(), iri, wait=float(current_app.config["VALIDATION_WAIT"]))
    return _render(iri, violations), violations is not None


def _render(iri: str, violations: list[Result] | None) -> str:
    s = store()
    statements = core.outgoing(s, iri)
    types = core.types(statements)
    sources: dict[str, int] = defaultdict(int)
    for st in statements:
        for src in st.sources:
            sources[src] += 1
    page_of = request.args.get("in")
    try:
        offset = max(0, min(int(request.args.get("offset", "0")), 10**9))
    except ValueError:
        offset = 0
    incoming = core.incoming(s, iri, limit=PAGE, page_of=page_of, offset=offset)
    entry = cat().entries.get(iri)
    kind = entry.kind if entry else ""
    card = profile = requirement = route = award = person = None
    check_state = None
    if QA + "Credential" in types:
        card = cards.credential_card(iri, statements, incoming)
        check_state = check.form_state({}, fixed_credential=iri)
    elif QA + "Organisation" in types:
        profile = cards.organisation_profile(iri, statements)
    elif QA + "Requirement" in types:
        requirement = cards.requirement_profile(iri, statements)
        check_state = check.form_state({}, fixed_requirement=iri)
    elif QA + "IssuanceRoute" in types:
        route = cards.route_profile(iri, statements, incoming)
    elif QA + "Award" in types:
        award = cards.award_profile(iri, statements)
        check_state = check.form_state({}, fixed_credential=iri)
    elif QA + "Person" in types:
        person = cards.person_profile(iri)
    return render_template(
        "entity.html",
        iri=iri,
        types=types,
        kind=kind,
        kind_name=kind_names().get(kind, ("", ""))[0],
        groups=readable.grouped(statements, skip={RDF + "type"}),
        incoming=incoming,
        page_size=PAGE,
        equivalents=core.equivalents(s, iri) if card is None else [],
        is_level=iri.startswith(LVL),
        violations=violations,
        sources=sorted(sources.items()),
        twins=_twins(iri),
        profile_downloads=profiles.downloads(iri),
        card=card,
        profile=profile,
        requirement=requirement,
        route=route,
        award=award,
        person=person,
        check=check_state,
        verdicts=acceptance.verdict_names(),
        folded=any(x is not None for x in (card, profile, requirement, route, award, person)),
        description=_description(statements),
    )


def _description(statements: list[core.Statement]) -> str:
    texts = {st.value.language or "": st.value.value for st in statements
             if st.predicate in (DCTERMS + "description",) and isinstance(st.value, ox.Literal)}
    for key in (lang(), "sv", "en", ""):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


def _twins(iri: str) -> list[tuple[str, str, str]]:
    base = base_iri()
    out = []
    for ext, (_fmt, mime) in core.FORMATS.items():
        if iri.startswith(base):
            url = profiles.page_url(iri[len(base):]) + "." + ext
        else:
            url = url_for("entity.resource", iri=iri, format=ext)
        out.append((ext, mime, url))
    return out


def _known(iri: str) -> bool:
    """Whether the node is in the data: in the catalogue of the committed state (no query:
    every request asks, page-cache hits too), else by asking the store."""
    ready = catalogue_module.current(store())
    if ready is not None and iri in ready.entries:
        return True
    try:
        return core.exists(store(), iri)
    except ValueError:  # not an IRI at all
        return False


def _respond(iri: str, ext: str | None) -> Response:
    if not _known(iri):
        return _not_found(iri)
    # The page, a twin, or a register's form (ELM, CTDL) by content negotiation by profile.
    return profiles.respond(iri, ext, _page, _twin)


@bp.get("/id/<path:path>")
def page(path: str) -> Response:
    iri = base_iri() + path
    for ext in core.FORMATS:
        if path.endswith("." + ext) and _known(iri[: -len(ext) - 1]):
            return _respond(iri[: -len(ext) - 1], ext)
    return _respond(iri, None)


@bp.get("/resource")
def resource() -> Response:
    iri = request.args.get("iri", "").strip()
    if not iri:
        abort(404)
    ext = request.args.get("format")
    if ext is not None and ext not in core.FORMATS:
        abort(404)
    return _respond(iri, ext)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register_forms.keep_up_to_date(app.extensions["qagraph.store"])
    if not app.testing:
        node_validation.warm_up()
