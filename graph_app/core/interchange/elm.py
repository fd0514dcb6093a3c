"""ELM (European Learning Model 3) export: credentials, organisations and accreditations
as the EU's LOQ and AMS application profiles describe them.

The mapping is `elm/export-*.rq`. What the profiles require and our data lacks is never
made up: a credential without a required field is left out and named in the report; an
organisation without a legal name becomes an `elm:Agent` (ELM's agent needs none); a link
to something left out is dropped and named. What ELM cannot say (assurance levels,
routes, dependencies) goes in a second graph in qagraph's own terms, on the same IRIs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from .. import queries
from ..derived import PerState
from ..namespaces import QA
from ..store import Store
from . import ELM_DIR, construct, typed

ELM = Namespace("http://data.europa.eu/snb/model/elm/")
DC = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
ROV = Namespace("http://www.w3.org/ns/regorg#")
ORG = Namespace("http://www.w3.org/ns/org#")

EXTENSION_GRAPH = "https://w3id.org/qagraph/graph/elm-extension"

# Concept namespaces and the scheme each concept of the export belongs to.
SCHEMES: dict[str, str] = {
    "http://publications.europa.eu/resource/authority/language/":
        "http://publications.europa.eu/resource/authority/language",
    "http://publications.europa.eu/resource/authority/country/":
        "http://publications.europa.eu/resource/authority/country",
    "http://data.europa.eu/snb/isced-f/": "http://data.europa.eu/snb/isced-f/25831c2",
    "http://data.europa.eu/snb/eqf/": "http://data.europa.eu/snb/eqf/25831c2",
    "http://data.europa.eu/snb/accreditation/": "http://data.europa.eu/snb/accreditation/25831c2",
    "https://w3id.org/qagraph/vocab/seqf/": "https://w3id.org/qagraph/vocab/seqf/SeQF",
}
CONCEPT_PROPERTIES = (ELM.ISCEDFCode, DC.language, ELM.EQFLevel, ELM.NQFLevel, ELM.educationLevel,
                      DC.type, ELM.countryCode, DC.spatial)


@dataclass(frozen=True)
class Requirement:
    """A property that the profile requires of a class, with the class its values must have."""

    prop: URIRef
    key: str  # message key of the field's name (elm_field_*)
    value_class: tuple[URIRef, ...] = ()


SPECIFICATION = (
    Requirement(DC.title, "title"),
    Requirement(ELM.ISCEDFCode, "isced"),
    Requirement(DC.language, "language"),
    Requirement(ELM.learningOutcome, "outcome", (ELM.LearningOutcome,)),
)
# The LOQ and AMS profiles' minimum counts. The learning achievement specification's shape
# is deactivated in LOQ; we hold it to the same fields all the same, since a register needs
# them to publish it.
REQUIRED: dict[URIRef, tuple[Requirement, ...]] = {
    ELM.Qualification: SPECIFICATION + (Requirement(ELM.EQFLevel, "eqf"), Requirement(ELM.NQFLevel, "nqf")),
    ELM.LearningAchievementSpecification: SPECIFICATION,
    ELM.LearningOutcome: (Requirement(DC.title, "title"),),
    ELM.Organisation: (Requirement(ROV.legalName, "legal_name"), Requirement(ELM.location, "location")),
    ELM.Accreditation: (
        Requirement(DC.title, "title"),
        Requirement(ELM.organisation, "accredited_organisation", (ELM.Organisation,)),
        Requirement(ELM.accreditingAgent, "accrediting_agent", (ELM.Organisation,)),
    ),
    ELM.AwardingOpportunity: (
        Requirement(ELM.awardingBody, "awarding_body", (ELM.Organisation, ELM.Agent)),
    ),
}
# Optional links whose target must be of a class: a link to anything else is dropped.
LINKS: dict[URIRef, tuple[URIRef, ...]] = {
    ORG.subOrganizationOf: (ELM.Organisation,),
    ELM.accreditation: (ELM.Accreditation,),
    ELM.awardingOpportunity: (ELM.AwardingOpportunity,),
}
ROOT_CLASSES = (ELM.Qualification, ELM.LearningAchievementSpecification, ELM.Organisation, ELM.Agent,
                ELM.Accreditation)


@dataclass(frozen=True)
class Omission:
    """Something the export could not say as the profile wants, and why."""

    node: str
    kind: str  # "left_out" (not exported), "agent" (exported as elm:Agent), "link" (a link dropped)
    fields: tuple[str, ...] = ()  # keys of the missing fields (elm_field_*)
    target: str = ""  # for "link": the node the dropped link pointed to


@dataclass
class ElmExport:
    graph: Graph  # what the ELM profiles describe
    extension: Graph  # qagraph's own statements about the same nodes
    omissions: list[Omission] = field(default_factory=list)

    def count(self, cls: URIRef) -> int:
        return len(set(self.graph.subjects(RDF.type, cls)))


@cache
def vocabulary() -> Graph:
    """The labels of the EU concepts the export names."""
    return Graph().parse(ELM_DIR / "vocabulary.ttl", format="turtle")


def _classes(graph: Graph, node: Node) -> set[Node]:
    return set(graph.objects(node, RDF.type))


def _check(graph: Graph, dropped: set[Node]) -> dict[Node, tuple[str, ...]]:
    """The nodes that lack a required field (or whose required links all point to nodes
    that are not there or not of the right class), with the fields they lack."""
    missing: dict[Node, tuple[str, ...]] = {}
    for cls, requirements in REQUIRED.items():
        for node in set(graph.subjects(RDF.type, cls)):
            if node in dropped:
                continue
            lacking = []
            for req in requirements:
                values = [v for v in graph.objects(node, req.prop) if v not in dropped]
                if req.value_class:
                    values = [v for v in values if _classes(graph, v) & set(req.value_class)]
                if not values:
                    lacking.append(req.key)
            if lacking:
                missing[node] = tuple(lacking)
    return missing


def _closure(graph: Graph, roots: Iterable[Node], dropped: set[Node]) -> set[Node]:
    """The nodes reachable from `roots` through the graph, not entering dropped nodes."""
    seen: set[Node] = set()
    stack = [r for r in roots if r not in dropped]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for obj in graph.objects(node, None):
            if not isinstance(obj, Literal) and obj not in seen and obj not in dropped:
                stack.append(obj)
    return seen


def _add_concepts(graph: Graph) -> None:
    """Type every concept the export names as a skos:Concept in its scheme, with labels."""
    vocab = vocabulary()
    for prop in CONCEPT_PROPERTIES:
        for concept in set(graph.objects(None, prop)):
            if not isinstance(concept, URIRef):
                continue
            graph.add((concept, RDF.type, SKOS.Concept))
            for namespace, scheme in SCHEMES.items():
                if str(concept).startswith(namespace):
                    graph.add((concept, SKOS.inScheme, URIRef(scheme)))
                    graph.add((URIRef(scheme), RDF.type, SKOS.ConceptScheme))
            for p, o in vocab.predicate_objects(concept):
                graph.add((concept, p, o))
    for scheme_node in set(graph.objects(None, SKOS.inScheme)):
        graph.add((scheme_node, RDF.type, SKOS.ConceptScheme))


def _referenced_organisations(graph: Graph) -> set[str]:
    out = set()
    for prop in (ELM.awardingBody, ELM.accreditingAgent, ELM.organisation, ORG.subOrganizationOf):
        out |= {str(o) for o in graph.objects(None, prop) if isinstance(o, URIRef)}
    return out


def validity_periods(store: Store) -> list[tuple[ox.Literal, ox.Literal]]:
    """Each validity period of a credential in the store, with its lexical form as the
    store answers it (XSD's canonical form): the rows that export-validity.rq needs. Read
    once per state of the store (it reads every credential's periods: 15 ms at 1M triples,
    for the description of one node)."""
    def read() -> list[tuple[ox.Literal, ox.Literal]]:
        result = store.query(queries.load("validity-periods", ELM_DIR).text)
        assert isinstance(result, ox.QuerySolutions)
        return [(row["period"], ox.Literal(row["period"].value)) for row in result]

    value: list[tuple[ox.Literal, ox.Literal]] = _PERIODS.get(store, "periods", read)
    return value


_PERIODS = PerState(1)


def _describe(store: Store, roots: dict[str, set[str]] | None) -> Graph:
    """Run the mappings for the chosen roots (None: everything) and for every organisation
    they refer to."""
    graph = Graph()
    credentials = None if roots is None else roots[QA + "Credential"]
    accreditations = None if roots is None else roots[QA + "Accreditation"]
    construct(store, ELM_DIR, "export-credentials", credentials, into=graph)
    construct(store, ELM_DIR, "export-validity", credentials, into=graph,
              rows=(("period", "duration"), validity_periods(store)))
    construct(store, ELM_DIR, "export-accreditations", accreditations, into=graph)
    if roots is None:
        construct(store, ELM_DIR, "export-organisations", None, into=graph)
        return graph
    described: set[str] = set()
    wanted = set(roots[QA + "Organisation"]) | _referenced_organisations(graph)
    while wanted - described:
        batch = wanted - described
        construct(store, ELM_DIR, "export-organisations", batch, into=graph)
        described |= batch
        wanted |= _referenced_organisations(graph)
    return graph


def export(store: Store, *, nodes: Sequence[str] | None = None, source: str | None = None,
           graph_iri: str | None = None) -> ElmExport:
    """The ELM description of the store: of everything, of the given nodes, or of the
    credentials, organisations and accreditations one source describes (`graph_iri` is
    that source's current graph). What they refer to comes along."""
    classes = [QA + "Credential", QA + "Organisation", QA + "Accreditation"]
    roots = None
    if nodes is not None or graph_iri is not None:
        roots = typed(store, classes, nodes, graph_iri)
    full = _describe(store, roots)
    wanted_roots: set[Node] = set()
    for cls in ROOT_CLASSES:
        wanted_roots |= set(full.subjects(RDF.type, cls))
    if roots is not None:
        asked = set().union(*roots.values())
        wanted_roots = {r for r in wanted_roots if str(r) in asked}
    omissions: list[Omission] = []
    for agent in sorted(full.subjects(RDF.type, ELM.Agent), key=str):
        if roots is None or str(agent) in set().union(*roots.values()) or agent in wanted_roots:
            omissions.append(Omission(str(agent), "agent", ("legal_name",)))
    dropped: set[Node] = set()
    while True:
        missing = _check(full, dropped)
        if not missing:
            break
        for node, lacking in missing.items():
            dropped.add(node)
            if _classes(full, node) & {ELM.Qualification, ELM.LearningAchievementSpecification,
                                       ELM.Accreditation, ELM.Organisation}:
                omissions.append(Omission(str(node), "left_out", lacking))
    out = Graph()
    # Organisations referred to by what is exported come along even when not asked for.
    kept = _closure(full, wanted_roots, dropped)
    for s, p, o in full:
        if s not in kept:
            continue
        if o in dropped or (p in LINKS and not (_classes(full, o) & set(LINKS[URIRef(str(p))]))):
            if p in LINKS and (s, p, o) not in out:
                omissions.append(Omission(str(s), "link", (), str(o)))
            continue
        out.add((s, p, o))
    # Links dropped above can leave auxiliary nodes (an awarding opportunity) unreachable.
    reachable = _closure(out, [r for r in wanted_roots if r not in dropped], set())
    for s, p, o in list(out):
        if s not in reachable:
            out.remove((s, p, o))
    _add_concepts(out)
    exported = {str(r) for r in wanted_roots if r not in dropped}
    exported |= {str(s) for cls in ROOT_CLASSES for s in out.subjects(RDF.type, cls)}
    extension = construct(store, ELM_DIR, "export-extension", exported)
    omissions = [o for o in omissions if o.kind != "agent" or o.node in exported]
    return ElmExport(out, extension, _unique(omissions))


def _unique(items: list[Omission]) -> list[Omission]:
    seen: set[Omission] = set()
    out = []
    for item in sorted(items, key=lambda o: (o.node, o.kind, o.target)):
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


# -- conformance to the EU's shapes ------------------------------------------------------------

# The EU's shapes write some sh:pattern regexes in Java's syntax, which Python's re (that
# pyshacl uses) cannot compile: a global flag after "^", nested character classes and
# Unicode property classes. Each is rewritten to the same meaning in Python's syntax; the
# last differs only in that Python's [^\W_] also admits digits of category No, inside
# the IP-literal host form of a URL.
JAVA_REGEX = (
    ("^(?i)", "(?i)^"),
    (r"[[A-Fa-f0-9]\:\.]", "[A-Fa-f0-9:.]"),
    (r"[%[\p{L}\p{Nl}\p{Nd}]]", r"(?:%|[^\W_])"),
)
SH = Namespace("http://www.w3.org/ns/shacl#")


def python_regex(pattern: str) -> str:
    """`pattern` with the Java-only constructs of the EU's shapes rewritten for Python."""
    for java, python in JAVA_REGEX:
        pattern = pattern.replace(java, python)
    return pattern


def load_shapes(paths: Iterable[object]) -> Graph:
    """SHACL shapes from files, their sh:pattern regexes made readable by Python's re."""
    import re

    shapes = Graph()
    for path in paths:
        shapes.parse(str(path), format="turtle")
    for node, pattern in list(shapes.subject_objects(SH.pattern)):
        text = python_regex(str(pattern))
        re.compile(text)  # raises re.error for a construct this module does not translate
        if text != str(pattern):
            shapes.remove((node, SH.pattern, pattern))
            shapes.add((node, SH.pattern, Literal(text)))
    return shapes


@dataclass(frozen=True)
class ShapeResult:
    focus: str
    path: str
    message: str


def conformance(graph: Graph, shapes: Graph) -> list[ShapeResult]:
    """The violations of `graph` against `shapes` (the data graph alone: ELM's class
    hierarchy is not merged in, as the EU's validator does not)."""
    from pyshacl import validate

    _conforms, report, _text = validate(graph, shacl_graph=shapes)
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        out.append(ShapeResult(str(report.value(result, SH.focusNode)),
                               str(report.value(result, SH.resultPath) or ""),
                               str(report.value(result, SH.resultMessage) or "")))
    return sorted(out, key=lambda r: (r.focus, r.path, r.message))


# -- serialisation --------------------------------------------------------------------------

PREFIXES = {
    "elm": str(ELM), "dc": str(DC), "skos": str(SKOS), "rov": str(ROV), "org": str(ORG),
    "foaf": "http://xmlns.com/foaf/0.1/", "qa": QA, "xsd": "http://www.w3.org/2001/XMLSchema#",
}
DATASET_FORMATS = {"trig", "nquads", "json-ld"}


def serialise(result: ElmExport, fmt: str, extensions: str = "graph") -> tuple[bytes, bool]:
    """The export as bytes in an rdflib format (turtle, trig, nquads, nt, json-ld, xml).

    `extensions`: "graph" puts qagraph's own statements in a named graph of their own
    (formats that hold datasets only), "inline" on the same nodes in the one graph (the
    EU's closed shapes then reject them), "none" leaves them out. Returns the bytes and
    whether the extension statements were left out for want of named graphs."""
    from rdflib import Dataset

    left_out = extensions == "graph" and fmt not in DATASET_FORMATS and len(result.extension) > 0
    if extensions == "graph" and fmt in DATASET_FORMATS:
        data = Dataset()
        for prefix, ns in PREFIXES.items():
            data.bind(prefix, ns, replace=True)
        default = data.default_graph
        for t in result.graph:
            default.add(t)
        named = data.graph(URIRef(EXTENSION_GRAPH))
        for t in result.extension:
            named.add(t)
        target: Graph = data
    else:
        target = Graph()
        for prefix, ns in PREFIXES.items():
            target.bind(prefix, ns, replace=True)
        for t in result.graph:
            target.add(t)
        if extensions == "inline":
            for t in result.extension:
                target.add(t)
    kwargs: dict[str, Any] = {"context": PREFIXES, "auto_compact": True} if fmt == "json-ld" else {}
    body = target.serialize(format=fmt, encoding="utf-8", **kwargs)
    assert isinstance(body, bytes)
    return body, left_out


# -- import ---------------------------------------------------------------------------------

# What the import reads (import.rq); everything else in the input is reported as skipped.
IMPORTED_CLASSES = {ELM.Qualification, ELM.LearningAchievementSpecification, ELM.Organisation,
                    ELM.Agent, ELM.Accreditation}
# Nodes that only carry parts of the above (they are read through them).
PART_CLASSES = {ELM.LearningOutcome, ELM.WebResource, ELM.Note, DC.Location, ELM.Address,
                ELM.LegalIdentifier, ELM.AwardingOpportunity, SKOS.Concept, SKOS.ConceptScheme}
FOAF_HOMEPAGE = URIRef("http://xmlns.com/foaf/0.1/homepage")
IMPORTED_PROPERTIES = {
    RDF.type, DC.title, DC.description, SKOS.altLabel, SKOS.prefLabel, ELM.ISCEDFCode, DC.language,
    ELM.learningOutcome, ELM.EQFLevel, ELM.NQFLevel, ELM.educationLevel, FOAF_HOMEPAGE,
    ELM.additionalNote, ROV.legalName, ELM.location, ROV.registration, ORG.subOrganizationOf,
    ELM.accreditingAgent, ELM.organisation, DC.valid, ELM.expiryDate, ELM.accreditation,
    DC.type,
}


@dataclass(frozen=True)
class Skipped:
    """Input the import could not map: a node of a class qagraph has no counterpart for, or
    a property of a node it did map."""

    node: str
    what: str  # the class or the property


def import_graph(source: Graph, extension: Graph | None = None) -> tuple[Graph, list[Skipped]]:
    """qagraph's description of an ELM graph (import.rq), plus our own statements from the
    extension graph when there is one, and what was skipped, item by item."""
    import pyoxigraph as ox

    from ..terms import triples_from_graph

    memory = ox.Store()
    memory.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples_from_graph(source))
    out = construct(memory, ELM_DIR, "import")
    if extension is not None:
        for t in extension:
            out.add(t)
    return out, skipped(source)


def skipped(source: Graph) -> list[Skipped]:
    found = []
    for node, cls in source.subject_objects(RDF.type):
        if cls in IMPORTED_CLASSES or cls in PART_CLASSES:
            continue
        if not set(source.objects(node, RDF.type)) & (IMPORTED_CLASSES | PART_CLASSES):
            found.append(Skipped(str(node), str(cls)))
    for cls in IMPORTED_CLASSES:
        for node in source.subjects(RDF.type, cls):
            for prop in set(source.predicates(node, None)) - IMPORTED_PROPERTIES:
                found.append(Skipped(str(node), str(prop)))
    return sorted(set(found), key=lambda s: (s.node, s.what))
