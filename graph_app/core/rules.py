"""Validation rules that SHACL cannot compute, run beside the shapes on the same graph.

Each rule belongs to a node shape in shapes/ that declares its id, names, severity and
message templates (sv, en) but no constraint: the shape says what must hold, this module
tests it, and the results look like any other SHACL result (focus node, shape id,
severity, messages, path, value).

* ``qash:C1IssuerIndependenceShape`` and ``qash:C1ExaminerIndependenceShape``: on a C1
  route no issuer or examiner depends on a trainer *on the date of the validation*. A
  dependency holds only on the days its qa:Dependency node gives, and a SPARQL property
  path cannot filter its steps by date; networkx can (graph_app/core/independence.py).
  The message shows the whole path, with kinds, shares and dates.
* ``qash:OrganisationNumberChecksumShape``: the check digits of Nordic organisation
  numbers, with python-stdnum (the form is a SHACL pattern in qash:OrganisationShape).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from stdnum.dk import cvr
from stdnum.fi import ytunnus
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr

from . import independence, resources
from .namespaces import QA, SHAPES, compact

C1_ISSUER = SHAPES + "C1IssuerIndependenceShape"
C1_EXAMINER = SHAPES + "C1ExaminerIndependenceShape"
NUMBER_CHECKSUM = SHAPES + "OrganisationNumberChecksumShape"


@dataclass(frozen=True)
class Register:
    """A national register of legal entities: the property its numbers go in, the
    python-stdnum module that knows its check digits, and the form (tested by a shape)."""

    property: str
    name: str
    validator: Callable[[str], bool]
    rule: str
    form: re.Pattern[str]


REGISTERS = (
    Register(QA + "organisationsnummer", "SE organisationsnummer", se_orgnr.is_valid,
             "python-stdnum se.orgnr (Luhn)", re.compile(r"^[0-9]{6}-[0-9]{4}$")),
    Register(QA + "organisasjonsnummer", "NO organisasjonsnummer", no_orgnr.is_valid,
             "python-stdnum no.orgnr (mod 11)", re.compile(r"^[0-9]{9}$")),
    Register(QA + "cvrNummer", "DK CVR-nummer", cvr.is_valid,
             "python-stdnum dk.cvr (mod 11)", re.compile(r"^[0-9]{8}$")),
    Register(QA + "yTunnus", "FI Y-tunnus", ytunnus.is_valid,
             "python-stdnum fi.ytunnus (mod 11)", re.compile(r"^[0-9]{7}-[0-9]$")),
)


@dataclass(frozen=True)
class Finding:
    """One result of a rule, in the fields of validation.Result."""

    focus: str
    shape: str
    severity: str
    messages: tuple[tuple[str, str], ...]
    path: str = ""
    value: str = ""


@cache
def _templates(shape: str) -> tuple[tuple[str, str], ...]:
    shapes = resources.shapes_graph()
    return tuple(sorted((m.language or "", str(m)) for m in shapes.objects(URIRef(shape), SH.message)
                        if isinstance(m, Literal)))


@cache
def _severity(shape: str) -> str:
    value = resources.shapes_graph().value(URIRef(shape), SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _finding(shape: str, focus: str, path: str, value: str,
             fill: Callable[[str], dict[str, str]]) -> Finding:
    """A finding whose messages are the shape's templates with their placeholders filled
    ({$this} and {?name}; `fill(lang)` gives the values, which may depend on the language)."""
    messages = tuple((lang, _fill(template, {"$this": focus, **fill(lang)}))
                     for lang, template in _templates(shape))
    return Finding(focus, compact(shape), _severity(shape), messages, path, value)


def _fill(template: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(2) if match.group(1) == "?" else "$" + match.group(2)
        return values.get(key, match.group(0))

    return re.sub(r"\{([?$])(\w+)\}", one, template)


def independence_findings(graph: Graph, on: date) -> list[Finding]:
    """C1 routes whose issuer or examiner depends on a trainer on `on`, with the path."""
    return findings_of(independence.find(independence.routes_from_graph(graph),
                                         independence.build(independence.edges_from_graph(graph), on)),
                       on)


def findings_of(found: Iterable[independence.Dependence], on: date) -> list[Finding]:
    """Findings for dependences found by `independence.find` (from a graph or a store)."""
    out = []
    for dependence in found:
        issuer = dependence.role == QA + "issuer"
        shape = C1_ISSUER if issuer else C1_EXAMINER
        name = "issuer" if issuer else "examiner"

        def fill(lang: str, found: independence.Dependence = dependence, name: str = name) -> dict[str, str]:
            return {name: found.party, "trainer": found.trainer, "date": on.isoformat(),
                    "path": independence.path_text(found.path, lang, str)}

        out.append(_finding(shape, dependence.route, QA + "trainingProvider", dependence.trainer, fill))
    return out


def _same_in_every_language(values: dict[str, str]) -> Callable[[str], dict[str, str]]:
    def fill(_lang: str) -> dict[str, str]:
        return values

    return fill


def number_findings(graph: Graph) -> list[Finding]:
    """Organisation numbers of the right form whose check digits are wrong."""
    return number_findings_of((org, register.property, value) for register in REGISTERS
                              for org, value in graph.subject_objects(URIRef(register.property)))


def number_findings_of(numbers: Iterable[tuple[object, str, object]]) -> list[Finding]:
    """The same for (organisation, register property, value) from a graph or a store."""
    by_property = {r.property: r for r in REGISTERS}
    out = []
    for org, prop, value in numbers:
        register = by_property[prop]
        text = str(value)
        if not isinstance(value, Literal) or not register.form.match(text):
            continue  # the form is the shape's to report
        if register.validator(text):
            continue
        values = {"value": text, "register": register.name, "rule": register.rule}
        out.append(_finding(NUMBER_CHECKSUM, str(org), register.property, text,
                            _same_in_every_language(values)))
    return out


def check(graph: Graph, on: date | None = None) -> list[Finding]:
    """Every rule over `graph` (data merged with what it links to), on `on` (today)."""
    day = on or date.today()
    return independence_findings(graph, day) + number_findings(graph)
