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
* ``qash:LiteralFormShape``: a literal whose lexical form is not valid for its XSD
  datatype ("30/06/2023"^^xsd:date), with the value and the form expected; a load adds the
  file and line (`locate`).
* ``qash:KnownIriShape``: an IRI that names nothing known where a qa: property expects a
  node of a qa: class (a typo in an issuer IRI, an SSSOM object that does not exist), with
  the closest known IRI of that class (difflib).
"""

from __future__ import annotations

import difflib
import logging
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDFS, SH, XSD
from stdnum.dk import cvr
from stdnum.fi import ytunnus
from stdnum.no import orgnr as no_orgnr
from stdnum.se import orgnr as se_orgnr

from . import independence, resources
from .messages import message
from .namespaces import QA, SHAPES, SKOS, compact

if TYPE_CHECKING:
    from .shacl.model import Shape
    from .shacl.report import Result

# rdflib logs a traceback (and warns) when it meets an ill-typed literal; the literal is
# reported here, as a result with the value and the form expected, so the traceback would
# only be noise for a data steward.
logging.getLogger("rdflib.term").addFilter(
    lambda record: "Failed to convert Literal lexical form" not in record.getMessage())
warnings.filterwarnings("ignore", message="Parsing weird boolean", module="rdflib.term")

C1_ISSUER = SHAPES + "C1IssuerIndependenceShape"
C1_EXAMINER = SHAPES + "C1ExaminerIndependenceShape"
NUMBER_CHECKSUM = SHAPES + "OrganisationNumberChecksumShape"
LITERAL_FORM = SHAPES + "LiteralFormShape"
KNOWN_IRI = SHAPES + "KnownIriShape"

# The datatypes whose form a data steward should write has a message of its own,
# rule_form_<datatype> (else rule_form_other names the datatype).
FORMS = frozenset({XSD.date, XSD.dateTime, XSD.gYear, XSD.duration, XSD.boolean, XSD.integer,
                   XSD.decimal, XSD.double})


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


def _shape(shape: str) -> Shape | None:
    """The shape as the shapes model read it (kept compiled between runs: no Turtle to
    parse), or None."""
    from .shapes import shapes_model

    return shapes_model().by_node.get(URIRef(shape))


@cache
def _templates(shape: str) -> tuple[tuple[str, str], ...]:
    read = _shape(shape)
    messages = read.messages if read is not None else resources.shapes_graph().objects(URIRef(shape), SH.message)
    return tuple(sorted((m.language or "", str(m)) for m in messages if isinstance(m, Literal)))


@cache
def _severity(shape: str) -> str:
    read = _shape(shape)
    if read is not None:
        return str(read.severity)
    value = resources.shapes_graph().value(URIRef(shape), SH.severity)
    return str(value).rsplit("#", 1)[-1] if value is not None else "Violation"


def _finding(shape: str, focus: str, path: str, value: str,
             fill: Callable[[str], dict[str, str]]) -> Result:
    """A finding whose messages are the shape's templates with their placeholders filled
    ({$this} and {?name}; `fill(lang)` gives the values, which may depend on the language)."""
    from .shacl.report import Result

    messages = tuple((lang, _fill(template, {"$this": focus, "value": value, **fill(lang)}))
                     for lang, template in _templates(shape))
    return Result(focus, compact(shape), _severity(shape), messages, path, value)


def _fill(template: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(2) if match.group(1) == "?" else "$" + match.group(2)
        return values.get(key, match.group(0))

    return re.sub(r"\{([?$])(\w+)\}", one, template)


def independence_findings(graph: Graph, on: date) -> list[Result]:
    """C1 routes whose issuer or examiner depends on a trainer on `on`, with the path."""
    return findings_of(independence.find(independence.routes_from_graph(graph),
                                         independence.build(independence.edges_from_graph(graph), on)),
                       on)


def findings_of(found: Iterable[independence.Dependence], on: date) -> list[Result]:
    """Results for dependences found by `independence.find` (from a graph or a store)."""
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


def number_findings(graph: Graph) -> list[Result]:
    """Organisation numbers of the right form whose check digits are wrong."""
    return number_findings_of((org, register.property, value) for register in REGISTERS
                              for org, value in graph.subject_objects(URIRef(register.property)))


def number_findings_of(numbers: Iterable[tuple[object, str, object]]) -> list[Result]:
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


def literal_findings(graph: Iterable[tuple[object, object, object]],
                     predicates: Collection[str] | None = None) -> list[Result]:
    """Literals whose lexical form is not valid for their XSD datatype (in a graph, or in
    the triples given), of `predicates` only when given."""
    out = []
    for s, p, o in graph:
        if not isinstance(o, Literal) or o.datatype is None or not o.ill_typed:
            continue
        if predicates is not None and str(p) not in predicates:
            continue
        datatype = URIRef(o.datatype)

        def fill(lang: str, p: object = p, o: Literal = o, datatype: URIRef = datatype) -> dict[str, str]:
            lang = "sv" if lang == "sv" else "en"
            form = (message(f"rule_form_{datatype.removeprefix(str(XSD))}", lang) if datatype in FORMS
                    else message("rule_form_other", lang, datatype=compact(str(datatype))))
            return {"value": f'"{o}"', "property": compact(str(p)), "datatype": compact(str(datatype)),
                    "form": form}

        out.append(_finding(LITERAL_FORM, str(s), str(p), str(o), fill))
    return out


@cache
def ontology_graph() -> Graph:
    """The ontology and the concept schemes, parsed once per process."""
    ontology = Graph()
    for path in resources.ontology_files():
        ontology.parse(path, format="turtle")
    return ontology


@cache
def expected_classes() -> dict[str, str]:
    """qa: object properties whose range is a single qa: class: property -> class."""
    ontology = ontology_graph()
    out = {}
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        ranges = [r for r in ontology.objects(prop, RDFS.range) if isinstance(r, URIRef)]
        if len(ranges) == 1 and str(ranges[0]).startswith(QA) and str(prop).startswith(QA):
            out[str(prop)] = str(ranges[0])
    return out


MAPPING_PROPERTIES = {SKOS + k for k in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")}


def _links(graph: Graph) -> Iterable[tuple[str, str, str, str]]:
    """(subject, property, object IRI, expected class) of every link to check."""
    classes = expected_classes()
    credential = QA + "Credential"
    credentials = {str(c) for c in graph.subjects(RDF.type, URIRef(credential))}
    for s, p, o in graph:
        if not isinstance(o, URIRef) or not isinstance(s, URIRef):
            continue
        prop = str(p)
        if prop in classes:
            yield str(s), prop, str(o), classes[prop]
        elif prop in MAPPING_PROPERTIES and str(s) in credentials:
            yield str(s), prop, str(o), credential
        elif prop in (str(OWL.annotatedSource), str(OWL.annotatedTarget)) and \
                str(graph.value(s, OWL.annotatedProperty)) in MAPPING_PROPERTIES:
            yield str(s), prop, str(o), credential


def known_iri_findings(graph: Graph, known: Callable[[str], Iterable[str]] | None = None) -> list[Result]:
    """Links to IRIs that nothing is said about, with the closest known IRI of the class."""
    def instances(cls: str) -> Iterable[str]:
        found = {str(x) for x in graph.subjects(RDF.type, URIRef(cls))}
        if known is not None:
            found.update(known(cls))
        return found

    return known_iri_findings_of(_links(graph), lambda o: (URIRef(o), None, None) in graph, instances)


def known_iri_findings_of(links: Iterable[tuple[str, str, str, str]], described: Callable[[str], bool],
                          instances: Callable[[str], Iterable[str]]) -> list[Result]:
    """The same for (subject, property, object, expected class) links from a graph or a
    store; `described(iri)` tells whether anything is said about an IRI, `instances(class)`
    lists the known IRIs of a class for the suggestion."""
    out = []
    candidates: dict[str, list[str]] = {}
    for s, prop, o, cls in links:
        if described(o):
            continue
        if cls not in candidates:
            candidates[cls] = sorted(set(instances(cls)))
        close = difflib.get_close_matches(o, candidates[cls], n=1, cutoff=0.6)

        def fill(lang: str, prop: str = prop, cls: str = cls, close: list[str] = close) -> dict[str, str]:
            suggestion = close[0] if close else message("rule_no_suggestion", lang or "en")
            return {"property": compact(prop), "class": compact(cls), "suggestion": suggestion}

        out.append(_finding(KNOWN_IRI, s, prop, o, fill))
    return out


def check(graph: Graph, on: date | None = None,
          known: Callable[[str], Iterable[str]] | None = None,
          typed: Collection[str] | None = None) -> list[Result]:
    """Every rule over `graph` (data merged with what it links to), on `on` (today).
    `known(class)` lists further known IRIs of a class (from the store) for suggestions;
    `typed` limits the literals checked to those of these predicates."""
    day = on or date.today()
    return (independence_findings(graph, day) + number_findings(graph)
            + literal_findings(graph, typed) + known_iri_findings(graph, known))


R = TypeVar("R")


def locate(results: Sequence[R], files: Sequence[Path]) -> list[R]:
    """Results about ill-typed literals with "file:line: " put before their messages, where
    the value is found in one of the loaded text files (its first line that holds it)."""
    texts: list[tuple[str, list[str]]] = []
    for path in files:
        try:
            texts.append((path.name, path.read_text(encoding="utf-8").splitlines()))
        except (OSError, UnicodeDecodeError):
            continue  # a workbook or an unreadable file: no line to give
    out: list[R] = []
    for result in results:
        if getattr(result, "shape", "") != compact(LITERAL_FORM) or not texts:
            out.append(result)
            continue
        value = getattr(result, "value", "")
        where = next(((name, number) for name, lines in texts for number, line in enumerate(lines, 1)
                      if f'"{value}"' in line or f">{value}<" in line), None)
        if where is None:
            out.append(result)
            continue
        messages = tuple((lang, f"{where[0]}:{where[1]}: {text}")
                         for lang, text in getattr(result, "messages", ()))
        out.append(replace(result, messages=messages))  # type: ignore[type-var]
    return out
