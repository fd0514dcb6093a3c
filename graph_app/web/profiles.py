"""Content negotiation by profile on entity pages: a node's description in qagraph's own
model, in ELM (Europass) or in CTDL (Credential Engine), chosen by the W3C "Content
Negotiation by Profile" draft's HTTP headers (`Accept-Profile`, answered with
`Content-Profile`) or its query-string arguments (`?_profile=elm&_mediatype=text/turtle`,
which take precedence). A profile is named by its token or its IRI (RFC 6906).

Every answer lists the node's representations in a `Link` header (`rel="self"` for the one
returned, `rel="alternate"` for the others, each with `type` and `profile`) with the
token of each profile (`rel="type"`), and varies on `Accept` and `Accept-Profile`. A
profile that is unknown, or that the node has no form in (a credential the ELM export
leaves out), is answered 406 Not Acceptable with the same list in the body;
`?_profile=alt` asks for the list itself. See docs/interchange.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Response, g, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.http import parse_accept_header

from ..core import entity
from ..core.interchange import profiles as core
from ..core.messages import message
from .browse import QUERY_SAFE, base_iri, lang, per_language, store

HTML = "text/html"
JSON = "application/json"
EXTENSION = {mime: ext for ext, (_fmt, mime) in entity.FORMATS.items()}  # the suffix twins
FORMAT_NAMES = {"text/turtle": "Turtle", "application/ld+json": "JSON-LD",
                "application/n-triples": "N-Triples", "application/rdf+xml": "RDF/XML", HTML: "HTML"}
# Bounds on what a stranger may send, checked before anything is parsed.
MAX_ACCEPT_PROFILE = 2048
MAX_PROFILE_ARG = 512
MAX_MEDIATYPE_ARG = 128
MAX_ASKED = 32  # profiles read from one Accept-Profile header
LIST = "alt"  # ?_profile=alt: the list of representations
PROF = "http://www.w3.org/ns/dx/prof/Profile"


@per_language
def profile_names() -> dict[str, str]:
    return {"qagraph": _("qagraph's own model"), "elm": _("ELM (Europass)"),
            "ctdl": _("CTDL (Credential Engine)")}


@dataclass(frozen=True)
class Representation:
    token: str | None  # None: the HTML page
    media: str
    url: str


def _url(iri: str, **args: Any) -> str:
    """The address of the node's page (or of one of its representations) on this site."""
    base = base_iri()
    if iri.startswith(base):
        path = iri[len(base):]
        if not args or list(args) == ["format"]:
            # a suffix twin is the page's address and ".ttl" (the path's escaping goes
            # character by character, and the suffix needs none)
            page = page_url(path)
            return page + "." + args["format"] if args else page
        if list(args) == ["_profile", "_mediatype"]:  # what the URL map makes of them
            return page_url(path) + "?" + urlencode(list(args.items()), safe=QUERY_SAFE)
        if "format" in args:
            path += "." + args.pop("format")
        return url_for("entity.page", path=path, **args)
    return url_for("entity.resource", iri=iri, **args)


def page_url(path: str) -> str:
    """url_for("entity.page", path=path), made once per request."""
    made: dict[str, str] = g.setdefault("qagraph_page_urls", {})
    found = made.get(path)
    if found is None:
        found = made[path] = url_for("entity.page", path=path)
    return found


def representations(iri: str, forms: core.Forms) -> list[Representation]:
    """Every representation of the node: the page, qagraph's own model in each RDF syntax
    (the suffix twins), then each register profile the node has (made once per request:
    the answer, its Link header and the page's downloads all list them)."""
    made: dict[str, tuple[core.Forms, list[Representation]]] = g.setdefault("qagraph_representations", {})
    found = made.get(iri)
    if found is None or found[0] is not forms:
        found = made[iri] = (forms, _representations(iri, forms))
    return found[1]


def _representations(iri: str, forms: core.Forms) -> list[Representation]:
    out = [Representation(None, HTML, _url(iri))]
    for token in forms.conforms:
        for media in core.PROFILES[token].media:
            if token == "qagraph":
                url = _url(iri, format=EXTENSION[media])
            else:
                url = _url(iri, _profile=token, _mediatype=media)
            out.append(Representation(token, media, url))
    return out


def downloads(iri: str) -> dict[str, Any]:
    """The register forms among the page's downloads, and why ELM is missing when the
    export leaves the node out."""
    forms = core.forms(store(), iri)
    names = profile_names()
    items = [{"label": _("%(profile)s in %(format)s", profile=names[r.token], format=FORMAT_NAMES[r.media]),
              "mime": r.media, "url": r.url}
             for r in representations(iri, forms) if r.token not in (None, "qagraph")]
    lacks = ", ".join(message(f"elm_field_{k}", lang()) for k in forms.elm_lacks)
    return {"items": items,
            "note": _("No ELM form: the node lacks %(fields)s.", fields=lacks) if lacks else ""}


class Refused(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _asked() -> list[tuple[str, float]] | None:
    """The profiles the client asks for, best first: `?_profile=` (one token or IRI), else
    the `Accept-Profile` header; None when it asks for none."""
    arg = request.args.get("_profile")
    if arg is not None and len(arg) > MAX_PROFILE_ARG:
        raise Refused(400, _("The _profile argument is too long (at most %(n)s characters).", n=MAX_PROFILE_ARG))
    if arg is not None and arg.strip():
        return [(arg.strip(), 1.0)]
    header = request.headers.get("Accept-Profile")
    if header is None or not header.strip():
        return None
    if len(header) > MAX_ACCEPT_PROFILE:
        raise Refused(400, _("The Accept-Profile header is too long (at most %(n)s characters).",
                             n=MAX_ACCEPT_PROFILE))
    parsed = [(value[1:-1] if value.startswith("<") and value.endswith(">") else value, float(q))
              for value, q in parse_accept_header(header)]
    return parsed[:MAX_ASKED]


def _asked_media(ext: str | None) -> str | None:
    """The media type fixed by the address: a suffix twin, or `?_mediatype=`."""
    if ext is not None:
        return next(m for m, e in EXTENSION.items() if e == ext)
    arg = request.args.get("_mediatype")
    if arg is not None and len(arg) > MAX_MEDIATYPE_ARG:
        raise Refused(400, _("The _mediatype argument is too long (at most %(n)s characters).",
                             n=MAX_MEDIATYPE_ARG))
    return arg.strip().lower() if arg and arg.strip() else None


def _media(offered: tuple[str, ...], fixed: str | None) -> str | None:
    if fixed is not None:
        return fixed if fixed in offered else None
    if not request.headers.get("Accept"):
        return offered[0]
    return request.accept_mimetypes.best_match(list(offered))


def choose(iri: str, forms: core.Forms, ext: str | None) -> Representation | None:
    """The representation to return, or None when none is acceptable."""
    asked = _asked()
    fixed = _asked_media(ext)
    by_key = {(r.token, r.media): r for r in representations(iri, forms)}
    if asked is None:
        media = _media((HTML, *core.RDF_MEDIA) if ext is None else core.RDF_MEDIA, fixed)
        if media is None and fixed is None:
            media = HTML
        if media is None:
            return None
        return by_key[(None, HTML)] if media == HTML else by_key[("qagraph", media)]
    ranked = sorted(((name, q) for name, q in asked if q > 0), key=lambda item: -item[1])
    for name, _q in ranked:
        profile = core.find(name)
        if profile is None or profile.token not in forms.conforms:
            continue
        media = _media(profile.media, fixed)
        if media is not None:
            return by_key[(profile.token, media)]
    return None


def _link(iri: str, forms: core.Forms, chosen: Representation | None) -> str:
    links = []
    for r in representations(iri, forms):
        rel = "self" if r == chosen else "alternate"
        profile = f'; profile="{forms.conforms[r.token][0]}"' if r.token else ""
        links.append(f'<{r.url}>; rel="{rel}"; type="{r.media}"{profile}')
    for token in forms.conforms:
        links.append(f'<{PROF}>; rel="type"; token="{token}"; anchor=<{core.PROFILES[token].uri}>')
    return ", ".join(links)


def _headers(response: Response, iri: str, forms: core.Forms, chosen: Representation | None) -> Response:
    response.vary.add("Accept")
    response.vary.add("Accept-Profile")
    response.headers["Link"] = _link(iri, forms, chosen)
    if chosen is not None and chosen.token is not None:
        response.headers["Content-Profile"] = ", ".join(f"<{u}>" for u in forms.conforms[chosen.token])
    return response


def _listing(iri: str, forms: core.Forms, status: int, text: str = "") -> Response:
    """The node's representations, as a page or as JSON (406 or the ?_profile=alt list)."""
    items = [r for r in representations(iri, forms)]
    names = profile_names()
    if request.accept_mimetypes.best_match([HTML, JSON], default=HTML) == JSON:
        body = json.dumps({"resource": iri, "message": text, "representations": [
            {"profile": forms.conforms[r.token][0] if r.token else None, "token": r.token,
             "mediaType": r.media, "url": r.url} for r in items]}, ensure_ascii=False, indent=1)
        return Response(body, status=status, mimetype=JSON)
    rows = [{"name": names[r.token] if r.token else _("Web page"), "format": FORMAT_NAMES[r.media],
             "mime": r.media, "url": r.url, "profile": forms.conforms[r.token][0] if r.token else ""}
            for r in items]
    lacks = downloads(iri)["note"]
    html = render_template("profiles.html", status=status, iri=iri, rows=rows, message=text, note=lacks)
    return Response(html, status=status, mimetype=HTML)


def respond(iri: str, ext: str | None, page: Callable[[str], str],
            twin: Callable[[str, str], Response]) -> Response:
    """The node's page or one of its descriptions, as the request asks."""
    forms = core.forms(store(), iri)
    try:
        if request.args.get("_profile", "").strip() == LIST:
            return _headers(_listing(iri, forms, 200), iri, forms, None)
        chosen = choose(iri, forms, ext)
    except Refused as refused:
        return _headers(Response(render_template("error.html", status=refused.status, message=refused.text),
                                 status=refused.status, mimetype=HTML), iri, forms, None)
    if chosen is None:
        text = _("This node has no description in the profile and media type asked for.")
        return _headers(_listing(iri, forms, 406, text), iri, forms, None)
    if chosen.token is None:
        response = Response(page(iri), mimetype=HTML)
    elif chosen.token == "qagraph":
        response = twin(iri, EXTENSION[chosen.media])
    else:
        response = Response(core.write(store(), iri, chosen.token, chosen.media), mimetype=chosen.media)
    return _headers(response, iri, forms, chosen)
