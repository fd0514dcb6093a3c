"""Validation results and reports: what the CLI prints, the web shows, tests compare, and
what is written as Turtle (an sh:ValidationReport, SHACL §3.6) or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..messages import message, normalise_language

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Result:
    """One SHACL result: focus node, the node shape it belongs to, severity, messages by
    language, result path and value; the source shape and constraint component say which
    constraint produced it."""

    focus: str
    shape: str
    severity: str
    messages: tuple[tuple[str, str], ...]
    path: str = ""
    value: str = ""
    component: str = ""
    source_shape: str = ""
    value_term: str = ""  # the value in N-Triples syntax ("" when none)
    focus_term: str = ""  # the focus node in N-Triples syntax
    # the shape node itself (an rdflib term of the shapes graph), for comparisons in-process
    source_node: object = field(default=None, compare=False, hash=False, repr=False)

    def message(self, lang: str | None = None) -> str:
        wanted = normalise_language(lang)
        by_lang = dict(self.messages)
        for key in (wanted, "en", "sv", ""):
            if key in by_lang:
                return by_lang[key]
        return next(iter(by_lang.values()), "")

    def text(self, lang: str | None = None) -> str:
        severity = message(f"severity_{self.severity}", lang)
        return f"{self.focus} [{self.shape}] {severity}: {self.message(lang)}"

    @property
    def key(self) -> tuple[str, str, str, str]:  # message included: SPARQL results differ by text
        return (self.focus, self.shape, self.path, self.value + "|" + self.message("en"))

    @property
    def comparable(self) -> tuple[str, ...]:
        """Everything SHACL defines of a result, for comparing two validators."""
        return (self.focus_term or self.focus, self.path, self.value_term, self.source_shape,
                self.component, self.severity, repr(self.messages))


@dataclass
class Report:
    """The results of one validation, with how each shape was validated."""

    results: list[Result] = field(default_factory=list)
    checked_nodes: int = 0
    # shape id -> "compiled" (SPARQL in the store) or "pyshacl" (fallback on a subgraph)
    methods: dict[str, str] = field(default_factory=dict)
    fallback_reasons: dict[str, list[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    # Why a change was validated as a whole rather than node by node ("" when it was not).
    escalated: str = ""

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def for_node(self, iri: str) -> list[Result]:
        return [r for r in self.results if r.focus == iri]

    def sort(self) -> None:
        self.results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.shape, r.path,
                                         r.value, r.component))


def _term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    """A term from its N-Triples text (None when empty or unreadable)."""
    if not text:
        return None
    try:
        triples = list(ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        return None
    return triples[0].object if triples else None


def to_turtle(report: Report, shape_iris: dict[str, str] | None = None) -> bytes:
    """The report as an sh:ValidationReport in Turtle (SHACL §3.6). A result whose source
    shape is a blank property shape names its node shape with sh:sourceShape's parent
    (qa-free: `sh:sourceShape [ sh:path … ]` under the node shape)."""
    sh = lambda local: ox.NamedNode(SH + local)  # noqa: E731
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    triples: list[ox.Triple] = []
    root = ox.BlankNode()
    triples.append(ox.Triple(root, rdf_type, sh("ValidationReport")))
    conforms = ox.Literal("true" if report.conforms else "false",
                          datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    triples.append(ox.Triple(root, sh("conforms"), conforms))
    iris = shape_iris or {}
    for r in report.results:
        node = ox.BlankNode()
        triples.append(ox.Triple(root, sh("result"), node))
        triples.append(ox.Triple(node, rdf_type, sh("ValidationResult")))
        focus = _term(r.focus_term) or ox.NamedNode(r.focus)
        triples.append(ox.Triple(node, sh("focusNode"), focus))
        triples.append(ox.Triple(node, sh("resultSeverity"), sh(r.severity)))
        if r.component:
            triples.append(ox.Triple(node, sh("sourceConstraintComponent"),
                                     sh(r.component.removeprefix("sh:"))))
        source = iris.get(r.source_shape) or iris.get(r.shape)
        if source and r.source_shape == r.shape:
            triples.append(ox.Triple(node, sh("sourceShape"), ox.NamedNode(source)))
        elif source:
            prop = ox.BlankNode()
            triples.append(ox.Triple(node, sh("sourceShape"), prop))
            triples.append(ox.Triple(ox.NamedNode(source), sh("property"), prop))
            if r.path and not r.path.startswith(("(", "^")):
                triples.append(ox.Triple(prop, sh("path"), ox.NamedNode(r.path)))
        if r.path and not r.path.startswith(("(", "^")):
            triples.append(ox.Triple(node, sh("resultPath"), ox.NamedNode(r.path)))
        elif r.path:
            triples.append(ox.Triple(node, ox.NamedNode(SH + "resultPath"),
                                     ox.Literal(r.path)))
        value = _term(r.value_term)
        if value is not None:
            triples.append(ox.Triple(node, sh("value"), value))
        for lang, text in r.messages:
            lit = ox.Literal(text, language=lang) if lang else ox.Literal(text)
            triples.append(ox.Triple(node, sh("resultMessage"), lit))
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={"sh": SH, "xsd": "http://www.w3.org/2001/XMLSchema#"})
    assert data is not None
    return data


CSV_COLUMNS = ("severity", "focus", "shape", "source_shape", "component", "path", "value",
               "message_sv", "message_en")


def to_csv(results: Iterable[Result]) -> str:
    """The results as CSV, one row per result, with the messages in both languages."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in results:
        by_lang = dict(r.messages)
        writer.writerow([r.severity, r.focus, r.shape, r.source_shape, r.component, r.path,
                         r.value, by_lang.get("sv", by_lang.get("", "")),
                         by_lang.get("en", by_lang.get("", ""))])
    return out.getvalue()
