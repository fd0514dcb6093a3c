"""The home page: what the store holds, by class and by assurance level."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal
from flask import Blueprint, Flask, current_app, jsonify, render_template
from flask_babel import npgettext

from ..core import stats
from ..core.catalogue import KINDS
from ..core.namespaces import QA, compact
from .browse import label, lang
from .lists import LISTS
from .store import get_store

bp = Blueprint("home", __name__)


def _summary() -> dict[str, Any]:
    current = stats.summary(get_store(current_app))
    return {
        "classes": [{"class": compact(c), "iri": c, "count": n} for c, n in current.classes],
        "levels": [lc.__dict__ for lc in current.levels],
        "triples": current.triples,
    }


# What a count of each class of the ontology is called (the home page counts those of the
# data, core/queries/stats-classes.rq), in the singular and the plural ("1 organisation",
# "61 organisations"); the catalogues say how each language chooses.
COUNTED: dict[str, Callable[[int], str]] = {
    QA + "Organisation": lambda n: npgettext("count", "organisation", "organisations", n),
    QA + "Credential": lambda n: npgettext("count", "credential", "credentials", n),
    QA + "QualityScheme": lambda n: npgettext("count", "quality scheme", "quality schemes", n),
    QA + "Standard": lambda n: npgettext("count", "standard", "standards", n),
    QA + "Requirement": lambda n: npgettext("count", "requirement", "requirements", n),
    QA + "Collaboration": lambda n: npgettext("count", "collaboration", "collaborations", n),
    QA + "IssuanceRoute": lambda n: npgettext("count", "issuance route", "issuance routes", n),
    QA + "Recognition": lambda n: npgettext("count", "recognition", "recognitions", n),
    QA + "ControlFunction": lambda n: npgettext("count", "control function", "control functions", n),
    QA + "Accreditation": lambda n: npgettext("count", "accreditation", "accreditations", n),
    QA + "LearningOutcome": lambda n: npgettext("count", "learning outcome", "learning outcomes", n),
    QA + "Award": lambda n: npgettext("count", "award", "awards", n),
    QA + "Person": lambda n: npgettext("count", "person", "people", n),
    QA + "Condition": lambda n: npgettext("count", "condition", "conditions", n),
    QA + "Dependency": lambda n: npgettext("count", "dependency", "dependencies", n),
    QA + "CountryValidity": lambda n: npgettext("count", "validity in a country", "validities in a country", n),
    QA + "AssuranceLevel": lambda n: npgettext("count", "competence-assurance level", "competence-assurance levels", n),
    QA + "IdentityVerificationMethod": lambda n: npgettext(
        "count", "identity-verification method", "identity-verification methods", n),
    QA + "ControlFunctionKind": lambda n: npgettext("count", "control-function kind", "control-function kinds", n),
    QA + "ControlApplierKind": lambda n: npgettext("count", "control-applier kind", "control-applier kinds", n),
    QA + "RequirementBasis": lambda n: npgettext("count", "requirement basis", "requirement bases", n),
    QA + "CollaborationKind": lambda n: npgettext("count", "collaboration kind", "collaboration kinds", n),
    QA + "CurationStatus": lambda n: npgettext("count", "curation status", "curation statuses", n),
    QA + "CurationAction": lambda n: npgettext("count", "curation action", "curation actions", n),
    QA + "ExaminationMethod": lambda n: npgettext("count", "examination method", "examination methods", n),
    QA + "ConditionKind": lambda n: npgettext("count", "condition kind", "condition kinds", n),
    QA + "DependencyKind": lambda n: npgettext("count", "dependency kind", "dependency kinds", n),
    QA + "Sector": lambda n: npgettext("count", "sector", "sectors", n),
}


def number(n: int) -> str:
    """A count as the interface language writes it: 100 902 in Swedish, 100,902 in English."""
    return str(format_decimal(n, locale=lang()))


def _counts(classes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The counts by class, each with what that many of the class are called in the
    interface language ("" for a class the ontology does not define: the page then says
    its name and the count), linked to its list where there is one."""

    list_of = {kind: name for name, kind in LISTS.items()}
    out = []
    for c in classes:
        kind = KINDS.get(c["iri"])
        counted = COUNTED.get(c["iri"])
        out.append({**c, "number": number(c["count"]), "name": counted(c["count"]) if counted else "",
                    "label": label(c["iri"]), "href": "/" + list_of[kind] if kind in list_of else ""})
    return sorted(out, key=lambda c: not c["href"])  # the things with a list first


def _levels(levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**lc, "number": number(lc["credentials"]), "name": COUNTED[QA + "Credential"](lc["credentials"])}
            for lc in levels]


@bp.get("/")
def index() -> str:
    summary = _summary()
    return render_template("home.html", counts=_counts(summary["classes"]), level_counts=_levels(summary["levels"]),
                           statements=npgettext("count", "%(n)s statement (triple) in the store.",
                                                "%(n)s statements (triples) in the store.",
                                                summary["triples"], n=number(summary["triples"])),
                           **summary)


@bp.get("/favicon.ico")
def favicon() -> Any:
    return current_app.send_static_file("favicon.svg")


@bp.get("/index.json")
def index_json() -> Any:
    return jsonify(_summary())


def init_app(app: Flask) -> None:
    stats.keep_up_to_date(get_store(app))
    app.register_blueprint(bp)
