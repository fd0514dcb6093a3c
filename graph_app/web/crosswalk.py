"""The crosswalk: two schemes or two countries side by side, with the mapping kind in each
cell (implied mappings marked), as a page, JSON and CSV with labels on both sides."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request
from flask_babel import gettext as _

from ..core import equivalence
from ..core.entity import labels_for
from .mappings import _label, _reasoning

bp = Blueprint("crosswalk", __name__)


def _data() -> dict[str, Any]:
    from .app import get_store

    a = request.args.get("a", "").strip()
    b = request.args.get("b", "").strip()
    rows: list[str] = []
    cols: list[str] = []
    matrix: list[list[equivalence.Cell]] = []
    if a and b:
        rows, cols, matrix = equivalence.crosswalk(get_store(current_app), _reasoning(), a, b)
    labels = labels_for(get_store(current_app), set(rows) | set(cols))
    return {"a": a, "b": b, "rows": rows, "cols": cols, "matrix": matrix,
            "label": lambda iri: _label(labels, iri)}


def _cell_text(cell: equivalence.Cell) -> str:
    if not cell.kind:
        return ""
    text = ("not " if cell.negated else "") + cell.kind
    return text + (" (implied)" if cell.implied else "")


@bp.get("/crosswalk")
def crosswalk() -> str:
    return render_template("mappings/crosswalk.html", **_data())


@bp.get("/crosswalk.json")
def crosswalk_json() -> Any:
    d = _data()
    return {"a": d["a"], "b": d["b"], "rows": d["rows"], "columns": d["cols"],
            "cells": [[c.__dict__ for c in row] for row in d["matrix"]]}


@bp.get("/crosswalk.csv")
def crosswalk_csv() -> Response:
    d = _data()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Credential"), "IRI"] + [d["label"](c) for c in d["cols"]])
    writer.writerow(["", ""] + d["cols"])
    for iri, row in zip(d["rows"], d["matrix"], strict=True):
        writer.writerow([d["label"](iri), iri] + [_cell_text(c) for c in row])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=crosswalk.csv"})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
