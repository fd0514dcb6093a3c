"""Lists with facets: organisations, credentials, schemes, standards, requirements and
collaborations, each at /<name> with .json and .csv twins. Facet counts and pages come
from the catalogue's listing of the kind (sets per facet value, built once per store
state), never from a scan of the catalogue or a GROUP BY per request
(docs/decisions/0010)."""

from __future__ import annotations

import csv
import heapq
import io
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request
from flask_babel import gettext as _

from ..core.catalogue import FACETS, SORTS
from ..core.labels import fold
from .browse import cat, facet_names, href, kind_names, lang, url_with
from .readable import country_name

bp = Blueprint("lists", __name__)

LISTS: dict[str, str] = {
    "organisations": "organisation",
    "credentials": "credential",
    "schemes": "scheme",
    "standards": "standard",
    "requirements": "requirement",
    "collaborations": "collaboration",
    "routes": "route",
    "recognitions": "recognition",
    "control-functions": "control",
    "accreditations": "accreditation",
}
PER_PAGE = 50
FACET_SIZE = 20  # values shown per facet, the most frequent first
MAX_FACET_SIZE = 2000
MAX_PER_PAGE = 500
# the columns of each list, in order; a column nobody in the result fills is not shown
COLUMNS: dict[str, tuple[str, ...]] = {
    "credential": ("level", "country", "sector", "issuer"),
    "organisation": ("type", "country", "sector", "level"),
    "requirement": ("type", "level", "country", "issuer"),
    "default": ("type", "level", "country", "sector", "issuer", "standard"),
}


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        abort(400)
    return max(low, min(value, high))


def _facet_value_label(facet: str, value: str) -> str:
    if facet == "country":
        return country_name(value)
    if facet == "level":
        return cat().full_label(value, lang())
    return cat().label(value, lang())


def _toggle(facet: str, value: str, chosen: dict[str, list[str]]) -> str:
    """The URL that adds `value` to the facet's choice, or takes it away."""
    values = list(chosen.get(facet, []))
    values = [v for v in values if v != value] if value in values else [*values, value]
    return url_with(**{facet: values or None, "page": None})


def _listing(name: str) -> dict[str, Any]:
    kind = LISTS[name]
    chosen = {f: request.args.getlist(f) for f in FACETS if request.args.getlist(f)}
    sort = request.args.get("sort", "label")
    if sort not in SORTS:
        abort(400)
    per_page = _int_arg("per_page", PER_PAGE, 1, MAX_PER_PAGE)
    page = _int_arg("page", 1, 1, 10**9)
    listing = cat().listing(kind)
    matching = listing.matching(chosen)
    counts = listing.counts(matching)
    facet_size = _int_arg("facet_size", FACET_SIZE, 1, MAX_FACET_SIZE)
    facets = []
    for f in FACETS:
        chosen_here = chosen.get(f, [])
        top = heapq.nsmallest(facet_size, counts[f].items(), key=lambda vn: (-vn[1], vn[0]))
        shown = top + [(v, counts[f][v]) for v in dict.fromkeys(chosen_here)
                       if v in counts[f] and (v, counts[f][v]) not in top]
        shown += [(v, 0) for v in chosen_here if v not in counts[f]]
        if not shown:
            continue
        values: list[dict[str, Any]] = [
            {"value": v, "label": _facet_value_label(f, v), "count": n, "selected": v in chosen_here,
             "href": _toggle(f, v, chosen), "notation": cat().notations.get(v, "") if f == "level" else ""}
            for v, n in shown]
        if f == "level":  # the ladder's order, strongest first
            ranks = cat().ranks
            values.sort(key=lambda x: (ranks.get(x["value"], 99), x["value"]))
        else:
            values.sort(key=lambda x: (-x["count"], fold(x["label"])))
        facets.append({"facet": f, "values": values, "distinct": len(counts[f]),
                       "truncated": len(counts[f]) > facet_size})
    language = lang()
    catalogue = cat()
    ladder = [lv.notation for lv in catalogue.levels()]
    items = [{
        "iri": e.iri,
        "label": e.label(language),
        "href": href(e.iri),
        "facets": {f: sorted(e.facets[f]) for f in FACETS if e.facets.get(f)},
        "levels": sorted((catalogue.notations.get(v, v.rsplit("/", 1)[-1]) for v in e.facets.get("level", ())),
                         key=lambda n: ladder.index(n) if n in ladder else 99),
    } for e in listing.page(matching, language, sort, (page - 1) * per_page, per_page)]
    # columns that some row of the whole result fills; the others are left out
    columns = [f for f in COLUMNS.get(kind, COLUMNS["default"]) if counts[f]]
    chips = [{"facet": f, "label": _facet_value_label(f, v), "href": _toggle(f, v, chosen)}
             for f, vs in chosen.items() for v in vs]
    return {"list": name, "kind": kind, "total": len(matching), "page": page,
            "per_page": per_page, "pages": max(1, -(-len(matching) // per_page)),
            "sort": sort, "selected": chosen, "facets": facets, "items": items,
            "columns": columns, "chips": chips}


def _html(name: str) -> str:
    data = _listing(name)
    return render_template("list.html", title=kind_names()[data["kind"]][1], sorts=SORTS,
                           sort_names={"label": _("Name A–Z"), "-label": _("Name Z–A"),
                                       "country": _("Country"), "level": _("Assurance level")},
                           **data)


def _json(name: str) -> Response:
    data = _listing(name)
    return jsonify({"ok": True, **data})


def _csv(name: str) -> Response:
    """The list as CSV: the name and the IRI of each thing, and for each facet its values'
    names and, in a column of their own, their IRIs (country codes for countries)."""
    data = _listing(name)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["label", "iri", *(c for f in FACETS for c in (f, f + ("_code" if f == "country" else "_iri")))])
    for item in data["items"]:
        row = [item["label"], item["iri"]]
        for f in FACETS:
            values = item["facets"].get(f, [])
            row += ["; ".join(_facet_value_label(f, v) for v in values), " ".join(values)]
        writer.writerow(row)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"inline; filename={name}.csv"
    return response


def _register(name: str) -> None:
    bp.add_url_rule(f"/{name}", f"{name}_html", lambda: _html(name))
    bp.add_url_rule(f"/{name}.json", f"{name}_json", lambda: _json(name))
    bp.add_url_rule(f"/{name}.csv", f"{name}_csv", lambda: _csv(name))


for _name in LISTS:
    _register(_name)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


__all__ = ["LISTS", "facet_names", "kind_names", "init_app"]
