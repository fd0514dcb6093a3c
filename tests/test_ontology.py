"""Lint the qagraph ontology and concept schemes, with meta-shapes of their own.

The shapes in tests/meta/ontology-lint-shapes.ttl check that every term is typed, labelled
and defined in Swedish and English; the tests here add what SHACL says less directly: the
term list in docs/model.md matches the ontology, the levels are ordered, and alignments stay
out of the core.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
SCHEME_DIR = ONTOLOGY_DIR / "schemes"
META_SHAPES = Path(__file__).resolve().parent / "meta" / "ontology-lint-shapes.ttl"
MODEL_DOC = ROOT / "docs" / "model.md"

QA = Namespace("https://w3id.org/qagraph/ontology#")
LVL = Namespace("https://w3id.org/qagraph/vocab/level/")
IDV = Namespace("https://w3id.org/qagraph/vocab/identity/")
ONTOLOGY_IRI = URIRef("https://w3id.org/qagraph/ontology")
ALIGNMENTS_IRI = URIRef("https://w3id.org/qagraph/ontology/alignments")
SH = Namespace("http://www.w3.org/ns/shacl#")
XSD_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#integer")

TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
EXPECTED_SCHEMES = {
    "assurance-levels.ttl",
    "identity-verification.ttl",
    "control-functions.ttl",
    "requirement-bases.ttl",
    "collaboration-kinds.ttl",
    "examination-methods.ttl",
    "sectors.ttl",
    "curation-status.ttl",
    "condition-kinds.ttl",
    "dependency-kinds.ttl",
}
# External terms that the core may point at without that being an alignment.
CORE_ALLOWED_EXTERNAL = (str(SKOS.Concept),)


def ontology_files() -> list[Path]:
    return sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(SCHEME_DIR.glob("*.ttl"))


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


@pytest.fixture(scope="module")
def graph() -> Graph:
    union = Graph()
    for path in ontology_files():
        union += parse(path)
    return union


@pytest.fixture(scope="module")
def core() -> Graph:
    return parse(ONTOLOGY_DIR / "qagraph.ttl")


@pytest.fixture(scope="module")
def meta_shapes() -> Graph:
    return parse(META_SHAPES)


def lint(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    conforms, report, text = validate(
        data,
        shacl_graph=shapes,
        advanced=True,  # SPARQL targets (SHACL-AF)
        inference="none",
        allow_warnings=False,
    )
    return conforms, report, text


def failing_paths(report: Graph) -> set[URIRef]:
    return {
        path
        for result in report.subjects(RDF.type, SH.ValidationResult)
        for path in report.objects(result, SH.resultPath)
    }


def failing_focus_nodes(report: Graph) -> set[URIRef]:
    return {
        node
        for result in report.subjects(RDF.type, SH.ValidationResult)
        for node in report.objects(result, SH.focusNode)
    }


# --- files ------------------------------------------------------------------------------


def test_all_expected_files_exist() -> None:
    assert (ONTOLOGY_DIR / "qagraph.ttl").is_file()
    assert (ONTOLOGY_DIR / "alignments.ttl").is_file()
    assert {p.name for p in SCHEME_DIR.glob("*.ttl")} >= EXPECTED_SCHEMES


@pytest.mark.parametrize("path", ontology_files() + [META_SHAPES], ids=lambda p: p.name)
def test_file_parses(path: Path) -> None:
    assert len(parse(path)) > 0


# --- the meta-shapes --------------------------------------------------------------------


def test_ontology_and_schemes_pass_the_meta_shapes(graph: Graph, meta_shapes: Graph) -> None:
    conforms, _, text = lint(graph, meta_shapes)
    assert conforms, text


TINY_TERM = """
@prefix qa:   <https://w3id.org/qagraph/ontology#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

qa:Gadget a owl:Class ;
    rdfs:label "Pryl"@sv , "Gadget"@en ;
    skos:definition "A thing used only to prove that the lint shapes can fail."@en ;
    rdfs:isDefinedBy <https://w3id.org/qagraph/ontology> .
"""


def test_meta_shapes_fail_on_a_class_without_swedish_definition(meta_shapes: Graph) -> None:
    data = Graph().parse(data=TINY_TERM, format="turtle")
    conforms, report, _ = lint(data, meta_shapes)
    assert not conforms
    assert failing_focus_nodes(report) == {QA.Gadget}
    assert failing_paths(report) == {SKOS.definition}


def test_meta_shapes_pass_the_same_class_once_it_is_defined_in_swedish(
    meta_shapes: Graph,
) -> None:
    data = Graph().parse(data=TINY_TERM, format="turtle")
    data.add((QA.Gadget, SKOS.definition, Literal("En sak som bara finns i testet.", lang="sv")))
    conforms, _, text = lint(data, meta_shapes)
    assert conforms, text


TINY_CONCEPT = """
@prefix qa:   <https://w3id.org/qagraph/ontology#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sec:  <https://w3id.org/qagraph/vocab/sector/> .

sec:Sectors a skos:ConceptScheme ;
    skos:prefLabel "Sektorer"@sv , "Sectors"@en ;
    skos:definition "Sektorer."@sv , "Sectors."@en .
sec:Mining a skos:Concept , qa:Sector ;
    skos:prefLabel "Gruvor"@sv , "Mining"@en , "Mines"@en ;
    skos:definition "Gruvdrift."@sv , "Mining."@en ;
    skos:inScheme sec:Sectors ;
    rdfs:isDefinedBy sec:Sectors .
"""


def test_meta_shapes_fail_on_a_concept_without_notation_and_with_two_english_labels(
    meta_shapes: Graph,
) -> None:
    data = Graph().parse(data=TINY_CONCEPT, format="turtle")
    conforms, report, _ = lint(data, meta_shapes)
    assert not conforms
    paths = failing_paths(report)
    assert SKOS.notation in paths
    assert SKOS.prefLabel in paths
    # qa:Sector is used but not declared in the tiny graph either.
    assert QA.Sector in failing_focus_nodes(report)


def test_meta_shapes_fail_on_an_undeclared_qa_term_used_in_a_scheme(meta_shapes: Graph) -> None:
    data = Graph()
    data.add((LVL.B, QA.rankk, Literal(1)))  # a misspelt qa:rank
    conforms, report, _ = lint(data, meta_shapes)
    assert not conforms
    assert failing_focus_nodes(report) == {QA.rankk}


def test_meta_shapes_fail_on_a_property_used_against_its_range(meta_shapes: Graph) -> None:
    data = Graph().parse(data=TINY_TERM, format="turtle")
    data.add((QA.Gadget, SKOS.definition, Literal("En sak som bara finns i testet.", lang="sv")))
    data.add((QA.rank, RDF.type, OWL.DatatypeProperty))
    data.add((QA.rank, RDFS.range, XSD_INTEGER))
    data.add((LVL.B, QA.rank, Literal("1")))  # a string, not an integer
    conforms, report, _ = lint(data, meta_shapes)
    assert not conforms
    offending = {
        report.value(result, SH.value) for result in report.subjects(SH.focusNode, QA.rank)
    }
    assert Literal("1") in offending


# --- the term list in docs/model.md -----------------------------------------------------


def model_doc_terms() -> set[str]:
    text = MODEL_DOC.read_text(encoding="utf-8")
    return set(re.findall(r"\bqa:([A-Za-z][A-Za-z0-9]*)", text))


def declared_terms(g: Graph) -> set[str]:
    return {
        str(s)[len(str(QA)) :]
        for kind in TERM_KINDS
        for s in g.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(QA))
    }


def test_model_doc_names_terms() -> None:
    # Guards the regular expression: the page must yield a sensible number of terms.
    assert len(model_doc_terms()) > 80


def test_every_qa_term_in_model_doc_is_declared(core: Graph) -> None:
    missing = model_doc_terms() - declared_terms(core)
    assert not missing, f"named in docs/model.md but not declared: {sorted(missing)}"


def test_every_declared_qa_term_is_in_model_doc(core: Graph) -> None:
    undocumented = declared_terms(core) - model_doc_terms()
    assert not undocumented, f"declared but not in docs/model.md: {sorted(undocumented)}"


# --- header and modules -----------------------------------------------------------------


def test_core_header(core: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in core
    assert core.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(
        "https://w3id.org/qagraph/ontology/0.1.0"
    )
    assert str(core.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"


def test_alignments_module_imports_the_core() -> None:
    alignments = parse(ONTOLOGY_DIR / "alignments.ttl")
    assert (ALIGNMENTS_IRI, OWL.imports, ONTOLOGY_IRI) in alignments
    assert alignments.value(ALIGNMENTS_IRI, OWL.versionIRI) is not None


def test_alignments_only_annotate_declared_terms(core: Graph) -> None:
    alignments = parse(ONTOLOGY_DIR / "alignments.ttl")
    subjects = {
        s for s in alignments.subjects() if isinstance(s, URIRef) and str(s).startswith(str(QA))
    }
    assert subjects, "the alignment module aligns nothing"
    assert {str(s)[len(str(QA)) :] for s in subjects} <= declared_terms(core)
    for s in subjects:
        assert (s, RDF.type, None) not in alignments, f"{s} is (re)declared in alignments.ttl"


ALIGNMENT_PREDICATES = (
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
)


def test_core_holds_no_alignments(core: Graph) -> None:
    stray = [
        (s, p, o)
        for p in ALIGNMENT_PREDICATES
        for s, o in core.subject_objects(p)
        if not str(o).startswith(str(QA)) and str(o) not in CORE_ALLOWED_EXTERNAL
    ]
    assert not stray, f"alignment axioms belong in alignments.ttl: {stray}"


def test_dependency_and_role_properties(core: Graph) -> None:
    for name in (
        "ownedBy",
        "controlledBy",
        "subOrganisationOf",
        "sharesManagementWith",
    ):
        assert (QA[name], RDFS.subPropertyOf, QA.dependsOn) in core, name
    # membership of an association is not a dependency, nor is accreditation
    for name in ("memberOf", "accreditedBy"):
        assert (QA[name], RDFS.subPropertyOf, QA.dependsOn) not in core, name
    for name in (
        "issuer",
        "trainingProvider",
        "examinationProvider",
        "sectorQualityAssurer",
        "accreditationBody",
        "qualificationCouncil",
        "setBy",
    ):
        assert (QA[name], RDFS.subPropertyOf, QA.hasRolePlayer) in core, name
    for name in ("sharesManagementWith", "partnerScheme"):
        assert (QA[name], RDF.type, OWL.SymmetricProperty) in core, name


# --- the concept schemes ----------------------------------------------------------------

LEVEL_ORDER = """
PREFIX qa:   <https://w3id.org/qagraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?notation ?rank WHERE {
    ?level a qa:AssuranceLevel ;
        skos:inScheme <https://w3id.org/qagraph/vocab/level/AssuranceLevels> ;
        skos:notation ?notation ;
        qa:rank ?rank .
}
ORDER BY ?rank
"""


def test_levels_are_ranked_b_to_f(graph: Graph) -> None:
    rows = list(graph.query(LEVEL_ORDER))
    assert [str(r.notation) for r in rows] == ["B", "C1", "C2", "D", "E", "F"]
    assert [r.rank.toPython() for r in rows] == [1, 2, 3, 4, 5, 6]
    assert all(r.rank.datatype == XSD_INTEGER for r in rows)


LEVEL_FLAGS = (
    "requiresSectorQualityAssurer",
    "requiresIndependentIssuer",
    "requiresDeclaredTrainingRelation",
    "requiresLearningOutcomeExamination",
    "requiresAttendanceControl",
)


def test_every_level_states_every_requirement_flag(graph: Graph) -> None:
    for level in graph.subjects(RDF.type, QA.AssuranceLevel):
        for flag in LEVEL_FLAGS:
            values = list(graph.objects(level, QA[flag]))
            assert len(values) == 1, (level, flag)
            assert isinstance(values[0].toPython(), bool), (level, flag)


def test_there_is_no_level_a(graph: Graph) -> None:
    assert (LVL.A, None, None) not in graph
    assert not list(graph.subjects(SKOS.notation, Literal("A")))


def test_minimum_identity_verification_per_level(graph: Graph) -> None:
    expected = {
        "B": IDV.PhotoId,
        "C1": IDV.PhotoId,
        "C2": IDV.PhotoId,
        "D": IDV.NameCheck,
        "E": None,
        "F": None,
    }
    for notation, method in expected.items():
        assert graph.value(LVL[notation], QA.minimumIdentityVerification) == method, notation


def test_minimum_identity_verification_weakens_with_the_level(graph: Graph) -> None:
    """A weaker level never demands stronger identity verification than a stronger one."""
    rows = graph.query(
        """
        PREFIX qa: <https://w3id.org/qagraph/ontology#>
        SELECT ?strong ?weak WHERE {
            ?strong qa:rank ?r1 ; qa:minimumIdentityVerification/qa:strength ?s1 .
            ?weak qa:rank ?r2 ; qa:minimumIdentityVerification/qa:strength ?s2 .
            FILTER (?r1 < ?r2 && ?s1 < ?s2)
        }
        """
    )
    assert not list(rows)


def test_identity_strengths_are_distinct_integers(graph: Graph) -> None:
    strengths = [
        o
        for s in graph.subjects(RDF.type, QA.IdentityVerificationMethod)
        for o in graph.objects(s, QA.strength)
    ]
    assert len(strengths) == 5
    assert all(isinstance(o, Literal) and o.datatype == XSD_INTEGER for o in strengths)
    values = [o.toPython() for o in strengths]
    assert len(set(values)) == len(values)
    assert sorted(values) == [0, 1, 2, 3, 4]
    assert graph.value(URIRef(str(IDV) + "None"), QA.strength) == Literal(0)


def test_every_scheme_concept_is_a_top_concept_of_its_scheme(graph: Graph) -> None:
    """The schemes are flat: each concept is a top concept, and nothing is broader."""
    for concept in graph.subjects(SKOS.inScheme, None):
        scheme = graph.value(concept, SKOS.inScheme)
        assert (concept, SKOS.topConceptOf, scheme) in graph, concept
        assert (scheme, SKOS.hasTopConcept, concept) in graph, concept
        assert (concept, SKOS.broader, None) not in graph, concept


def test_each_scheme_file_holds_its_schemes(graph: Graph) -> None:
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert {str(s) for s in schemes} == {
        "https://w3id.org/qagraph/vocab/level/AssuranceLevels",
        "https://w3id.org/qagraph/vocab/identity/IdentityVerificationMethods",
        "https://w3id.org/qagraph/vocab/control/ControlFunctionKinds",
        "https://w3id.org/qagraph/vocab/applier/ControlApplierKinds",
        "https://w3id.org/qagraph/vocab/basis/RequirementBases",
        "https://w3id.org/qagraph/vocab/collaboration/CollaborationKinds",
        "https://w3id.org/qagraph/vocab/examination/ExaminationMethods",
        "https://w3id.org/qagraph/vocab/sector/Sectors",
        "https://w3id.org/qagraph/vocab/curation/CurationStatuses",
        "https://w3id.org/qagraph/vocab/curation/CurationActions",
        "https://w3id.org/qagraph/vocab/condition/ConditionKinds",
        "https://w3id.org/qagraph/vocab/dependency/DependencyKinds",
    }
