"""The levels overview: the B–F ladder with each level's definition and what it
requires (from the concept scheme), and charts of credentials per level by sector and
by country (from the catalogue, kept up to date on load)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, jsonify, render_template
from flask_babel import gettext as _

from ..core import aggregates, queries
from ..core.derived import PerGeneration
from ..core.labels import pick
from ..core.namespaces import QA, SKOS
from ..core.store import Store
from .browse import cat, lang, store

bp = Blueprint("levels", __name__)

FLAGS = ("requiresSectorQualityAssurer", "requiresIndependentIssuer",
         "requiresDeclaredTrainingRelation", "requiresLearningOutcomeExamination",
         "requiresAttendanceControl")


def flag_names() -> dict[str, str]:
    return {
        "requiresSectorQualityAssurer": _("A sector body quality-assures the scheme"),
        "requiresIndependentIssuer": _("The issuer is independent of the training providers"),
        "requiresDeclaredTrainingRelation": _("The issuer declares its relation to training"),
        "requiresLearningOutcomeExamination": _("The learning outcomes are examined"),
        "requiresAttendanceControl": _("Attendance control is required (the stronger levels examine instead)"),
    }


Facts = tuple[dict[str, dict[str, dict[str, str]]], dict[str, dict[str, bool]], dict[str, str]]


def _ladder_facts(store: Store) -> Facts:
    """Each level's definition and scope note (by language), requirement flags and minimum
    identity verification, read once per state of the store."""
    result = store.query(queries.load("levels-ladder").text)
    assert isinstance(result, ox.QuerySolutions)
    texts: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    flags: dict[str, dict[str, bool]] = defaultdict(dict)
    identity: dict[str, str] = {}
    for row in result:
        level, prop, value = row["level"].value, row["p"].value, row["v"]
        if prop in (SKOS + "definition", SKOS + "scopeNote"):
            texts[level][prop.rsplit("#", 1)[-1]].setdefault(value.language or "", value.value)
        elif prop == QA + "minimumIdentityVerification":
            identity[level] = value.value
        else:
            flags[level][prop.rsplit("#", 1)[-1]] = value.value == "true"
    return ({level: dict(by_kind) for level, by_kind in texts.items()}, dict(flags), identity)


_facts: PerGeneration[Facts] = PerGeneration(_ladder_facts)


def ladder() -> list[dict[str, Any]]:
    current = store()
    _facts.keep_up_to_date(current)  # read again in each commit (it is quick)
    texts, flags, identity = _facts.get(current)
    catalogue = cat()
    language = lang()
    out = []
    for lv in catalogue.levels():
        out.append({
            "iri": lv.iri, "notation": lv.notation, "rank": lv.rank,
            "label": catalogue.full_label(lv.iri, language),
            "definition": pick(texts.get(lv.iri, {}).get("definition"), language),
            "scope_note": pick(texts.get(lv.iri, {}).get("scopeNote"), language),
            "requires": {f: flags.get(lv.iri, {}).get(f, False) for f in FLAGS},
            "minimum_identity": identity.get(lv.iri, ""),
        })
    return out


def charts() -> dict[str, Any]:
    """Credentials per level, broken down by sector and by country (counted by the
    engine that is fastest at it: core.aggregates)."""
    catalogue = cat()
    notation = {lv.iri: lv.notation for lv in catalogue.levels()}
    language = lang()
    out: dict[str, Any] = {}
    for axis, rows in aggregates.level_chart(store()).items():
        by_value = {value: Counter({notation.get(level, level): n for level, n in counts.items()})
                    for value, counts in rows.items()}
        out[axis] = [{"value": value,
                      "label": value if axis == "country" else catalogue.full_label(value, language),
                      "counts": dict(counts), "total": sum(counts.values())}
                     for value, counts in sorted(by_value.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))]
    out["max"] = max((r["total"] for rows in out.values() for r in rows), default=0)
    return out


@bp.get("/levels")
def overview() -> str:
    return render_template("levels.html", ladder=ladder(), charts=charts(), flag_names=flag_names(),
                           notations=[lv.notation for lv in cat().levels()])


@bp.get("/levels.json")
def data() -> Response:
    return jsonify({"ok": True, "levels": ladder(), "charts": charts()})


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
