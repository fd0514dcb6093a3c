"""Validate a graph with the qagraph shapes and list the results in a form tests can read.

The data graph is the data merged with the concept schemes (ontology/schemes/*.ttl), with
no RDFS inference, as in production. CONCEPT_FIXTURE lists the concept triples the shapes
rely on; a test checks that the schemes hold every one of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = ROOT / "shapes"
EXAMPLES_DIR = Path(__file__).resolve().parent / "shapes"

SH = Namespace("http://www.w3.org/ns/shacl#")
QASH = Namespace("https://w3id.org/qagraph/shapes#")

# The concept triples the shapes rely on (docs/model.md, "Concept schemes"): every concept
# typed directly with its qa: class, level ranks and identity minimums, identity strengths.
CONCEPT_FIXTURE = """
@prefix qa:  <https://w3id.org/qagraph/ontology#> .
@prefix lvl: <https://w3id.org/qagraph/vocab/level/> .
@prefix idv: <https://w3id.org/qagraph/vocab/identity/> .
@prefix cfk: <https://w3id.org/qagraph/vocab/control/> .
@prefix cfa: <https://w3id.org/qagraph/vocab/applier/> .
@prefix rqb: <https://w3id.org/qagraph/vocab/basis/> .
@prefix clk: <https://w3id.org/qagraph/vocab/collaboration/> .
@prefix exm: <https://w3id.org/qagraph/vocab/examination/> .
@prefix sec: <https://w3id.org/qagraph/vocab/sector/> .
@prefix cnd: <https://w3id.org/qagraph/vocab/condition/> .
@prefix dpk: <https://w3id.org/qagraph/vocab/dependency/> .

lvl:B  a qa:AssuranceLevel ; qa:rank 1 ; qa:minimumIdentityVerification idv:PhotoId .
lvl:C1 a qa:AssuranceLevel ; qa:rank 2 ; qa:minimumIdentityVerification idv:PhotoId .
lvl:C2 a qa:AssuranceLevel ; qa:rank 3 ; qa:minimumIdentityVerification idv:PhotoId .
lvl:D  a qa:AssuranceLevel ; qa:rank 4 ; qa:minimumIdentityVerification idv:NameCheck .
lvl:E  a qa:AssuranceLevel ; qa:rank 5 .
lvl:F  a qa:AssuranceLevel ; qa:rank 6 .

idv:None         a qa:IdentityVerificationMethod ; qa:strength 0 .
idv:SelfDeclared a qa:IdentityVerificationMethod ; qa:strength 1 .
idv:NameCheck    a qa:IdentityVerificationMethod ; qa:strength 2 .
idv:PhotoId      a qa:IdentityVerificationMethod ; qa:strength 3 .
idv:ElectronicId a qa:IdentityVerificationMethod ; qa:strength 4 .

cfk:AutomatedCheck a qa:ControlFunctionKind . cfk:Monitoring a qa:ControlFunctionKind .
cfk:Routine a qa:ControlFunctionKind . cfk:Checklist a qa:ControlFunctionKind .
cfk:Inspector a qa:ControlFunctionKind . cfk:Inspection a qa:ControlFunctionKind .
cfk:Register a qa:ControlFunctionKind . cfk:VerificationService a qa:ControlFunctionKind .
cfk:WorkPermit a qa:ControlFunctionKind . cfk:Accreditation a qa:ControlFunctionKind .

cfa:Purchaser a qa:ControlApplierKind . cfa:Contract a qa:ControlApplierKind .
cfa:Lender a qa:ControlApplierKind . cfa:Insurer a qa:ControlApplierKind .
cfa:IndustryPractice a qa:ControlApplierKind . cfa:Authority a qa:ControlApplierKind .
cfa:Employer a qa:ControlApplierKind .

rqb:Law a qa:RequirementBasis . rqb:InsuranceCondition a qa:RequirementBasis .
rqb:Contract a qa:RequirementBasis . rqb:IndustryPractice a qa:RequirementBasis .
rqb:Purchaser a qa:RequirementBasis . rqb:LenderCondition a qa:RequirementBasis .

clk:MutualRecognition a qa:CollaborationKind . clk:MultilateralAgreement a qa:CollaborationKind .
clk:JointScheme a qa:CollaborationKind . clk:StandardsCooperation a qa:CollaborationKind .
clk:SectorAgreement a qa:CollaborationKind .

exm:WrittenTest a qa:ExaminationMethod . exm:DigitalTest a qa:ExaminationMethod .
exm:PracticalTest a qa:ExaminationMethod . exm:TheoryAndPractical a qa:ExaminationMethod .
exm:DocumentReview a qa:ExaminationMethod . exm:NoExamination a qa:ExaminationMethod .

sec:FireSafety a qa:Sector . sec:ElectricalSafety a qa:Sector . sec:Construction a qa:Sector .
sec:Transport a qa:Sector . sec:Refrigeration a qa:Sector . sec:Welding a qa:Sector .
sec:WaterInstallation a qa:Sector . sec:Machinery a qa:Sector . sec:Accreditation a qa:Sector .

cnd:Induction a qa:ConditionKind . cnd:SupplementaryCourse a qa:ConditionKind .
cnd:LanguageTest a qa:ConditionKind . cnd:EmployerAssessment a qa:ConditionKind .
cnd:Other a qa:ConditionKind .

dpk:Ownership a qa:DependencyKind . dpk:Control a qa:DependencyKind .
dpk:SubOrganisation a qa:DependencyKind . dpk:SharedManagement a qa:DependencyKind .
"""

_PLACEHOLDER = re.compile(r"\{[?$]\w+\}")


@dataclass(frozen=True)
class Result:
    """One validation result, attributed to the node shape that owns its source shape."""

    focus: Node
    shape: Node
    source_shape: Node
    severity: Node
    messages: dict[str | None, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    conforms: bool
    results: list[Result]

    def shapes(self) -> set[Node]:
        return {r.shape for r in self.results}


def load_shapes(files: Iterable[Path] | None = None) -> Graph:
    graph = Graph()
    for path in files if files is not None else sorted(SHAPES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def load_concepts() -> Graph:
    """The concept schemes, as production validation merges them."""
    from graph_app.core import resources

    return resources.vocabulary_graph()


def concept_fixture() -> Graph:
    return Graph().parse(data=CONCEPT_FIXTURE, format="turtle")


def data_graph(example: Path, concepts: Graph) -> Graph:
    graph = Graph()
    graph.parse(example, format="turtle")
    graph += concepts
    return graph


def node_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.subjects(RDF.type, SH.NodeShape))


def property_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.objects(None, SH.property))


def owning_node_shape(shapes: Graph, source: Node) -> Node:
    """The named node shape a (possibly nested, blank) property shape belongs to."""
    named = node_shapes(shapes)
    seen: set[Node] = set()
    todo = [source]
    while todo:
        node = todo.pop()
        if node in named:
            return node
        if node in seen:
            continue
        seen.add(node)
        todo.extend(shapes.subjects(SH.property, node))
    return source


def _templates(shapes: Graph, *nodes: Node | None) -> list[Literal]:
    found: list[Literal] = []
    for node in nodes:
        if node is not None:
            found.extend(m for m in shapes.objects(node, SH.message) if isinstance(m, Literal))
    return found


def _template_matches(template: str, text: str) -> bool:
    pieces = _PLACEHOLDER.split(template)
    pattern = "(.+?)".join(re.escape(p) for p in pieces)
    return re.fullmatch(pattern, text, flags=re.DOTALL) is not None


def message_language(message: Literal, templates: list[Literal]) -> str | None:
    """The language of a result message.

    pySHACL fills {?var} placeholders of SPARQL-based results into a new plain literal and
    so drops the language tag; the tag is recovered from the sh:message template the text
    was made from.
    """
    if message.language:
        return message.language
    for template in templates:
        if _template_matches(str(template), str(message)):
            return template.language
    return None


def validate(data: Graph, shapes: Graph) -> Report:
    conforms, results_graph, _ = pyshacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        advanced=False,
    )
    results: list[Result] = []
    values: list[tuple[str, str]] = []
    for node in results_graph.subjects(RDF.type, SH.ValidationResult):
        source = results_graph.value(node, SH.sourceShape)
        constraint = results_graph.value(node, SH.sourceConstraint)
        templates = _templates(shapes, source, constraint)
        messages: dict[str | None, str] = {}
        for message in results_graph.objects(node, SH.resultMessage):
            if isinstance(message, Literal):
                messages[message_language(message, templates)] = str(message)
        values.append((str(results_graph.value(node, SH.focusNode)), str(results_graph.value(node, SH.value))))
        results.append(
            Result(
                focus=results_graph.value(node, SH.focusNode),
                shape=owning_node_shape(shapes, source),
                source_shape=source,
                severity=results_graph.value(node, SH.resultSeverity),
                messages=messages,
            )
        )
    # The rules that SHACL cannot compute (check digits, independence on a date) belong to
    # shapes that declare them without a constraint; production runs them beside pyshacl.
    from graph_app.core import rules

    findings = rules.check(data)
    # As in production, an ill-typed literal is reported once, by the rule for its form.
    ill_typed = {(f.focus, f.value) for f in findings if f.shape == "qash:LiteralFormShape"}
    results = [r for r, key in zip(results, values, strict=True) if key not in ill_typed]
    conforms = conforms or not any(r.severity == SH.Violation for r in results)
    for finding in findings:
        shape = URIRef(str(QASH) + finding.shape.removeprefix("qash:"))
        severity = SH[finding.severity]
        results.append(Result(URIRef(finding.focus), shape, shape, severity, dict(finding.messages)))
        if severity == SH.Violation:
            conforms = False
    return Report(conforms=bool(conforms), results=results)


def short(node: Node) -> str:
    """qash:Foo for shape IRIs, the text otherwise (for test ids and assertion messages)."""
    if isinstance(node, URIRef) and str(node).startswith(str(QASH)):
        return "qash:" + str(node)[len(str(QASH)) :]
    if isinstance(node, BNode):
        return "_:" + str(node)
    return str(node)
