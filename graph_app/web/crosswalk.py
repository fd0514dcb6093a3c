"""The crosswalk: two countries (or two schemes) side by side, with the mapping kind in
each cell (implied mappings marked), as a page, JSON and CSV with the same words as the
page. The pickers offer the countries and schemes that the data hold."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from flask_babel import gettext as _

from ..core import equivalence
from .browse import cat, label, lang, reasoning, store
from .mappings import kind_label
from .readable import country_name

bp = Blueprint("crosswalk", __name__)
MAX_SIDE = 200


def _choices() -> dict[str, list[tuple[str, str]]]:
    catalogue = cat()
    countries = sorted({c for e in catalogue.of_kind("credential") for c in e.facets.get("country", ())})
    schemes = sorted((e.iri for e in catalogue.of_kind("scheme")), key=lambda i: catalogue.full_label(i, lang()).casefold())
    return {"countries": [(c, country_name(c)) for c in countries],
            "schemes": [(s, catalogue.full_label(s, lang())) for s in schemes]}


def side_name(side: str) -> str:
    if len(side) == 2 and side.isalpha():
        return country_name(side.upper())
    return label(side) if side else ""


def _data() -> dict[str, Any]:
    a = request.args.get("a", "").strip()[:500]
    b = request.args.get("b", "").strip()[:500]
    show_all = request.args.get("all") == "1"
    rows: list[str] = []
    cols: list[str] = []
    matrix: list[list[equivalence.Cell]] = []
    if a and b:
        rows, cols, matrix = equivalence.crosswalk(store(), reasoning(), a, b)
        rows, cols, matrix = rows[:MAX_SIDE], cols[:MAX_SIDE], [r[:MAX_SIDE] for r in matrix[:MAX_SIDE]]
    total = (len(rows), len(cols))
    if not show_all and rows and cols:
        # leave out the credentials that no mapping joins to the other side
        keep_rows = [i for i, r in enumerate(matrix) if any(c.kind for c in r)]
        keep_cols = [j for j in range(len(cols)) if any(matrix[i][j].kind for i in range(len(rows)))]
        rows = [rows[i] for i in keep_rows]
        cols = [cols[j] for j in keep_cols]
        matrix = [[matrix[i][j] for j in keep_cols] for i in keep_rows]
    return {"a": a, "b": b, "rows": rows, "cols": cols, "matrix": matrix, "show_all": show_all,
            "total": total, "a_name": side_name(a), "b_name": side_name(b), **_choices()}


def cell_text(cell: equivalence.Cell) -> str:
    """A cell in words, the same on the page and in the CSV."""
    if not cell.kind:
        return ""
    text = kind_label(cell.kind)
    if cell.negated:
        text = _("not %(kind)s", kind=text)
    if cell.implied:
        text = _("%(kind)s (implied)", kind=text)
    return text


@bp.get("/crosswalk")
def crosswalk() -> str:
    return render_template("mappings/crosswalk.html", cell_text=cell_text, **_data())


@bp.get("/crosswalk.json")
def crosswalk_json() -> Any:
    d = _data()
    return {"a": d["a"], "b": d["b"], "rows": d["rows"], "columns": d["cols"],
            "cells": [[c.__dict__ | {"text": cell_text(c)} for c in row] for row in d["matrix"]]}


@bp.get("/crosswalk.csv")
def crosswalk_csv() -> Response:
    d = _data()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([d["a_name"] or _("Credential"), "IRI"] + [label(c) for c in d["cols"]])
    writer.writerow(["", ""] + d["cols"])
    for iri, row in zip(d["rows"], d["matrix"], strict=True):
        writer.writerow([label(iri), iri] + [cell_text(c) for c in row])
    name = "-".join(x for x in (d["a"], d["b"]) if len(x) == 2) or "schemes"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=crosswalk-{name}.csv"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
