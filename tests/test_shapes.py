"""The shapes in shapes/*.ttl against their example files in tests/shapes/.

Each node shape qash:X has tests/shapes/X-valid.ttl, which conforms to all shapes with no
result at all, and one or more X-invalid-<what>.ttl, which fail on qash:X and on no other
shape. A result from a (blank) property shape counts for the node shape holding it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from tests.shapes_helper import (
    EXAMPLES_DIR,
    QASH,
    ROOT,
    SH,
    Report,
    concept_fixture,
    data_graph,
    load_concepts,
    load_shapes,
    node_shapes,
    property_shapes,
    short,
    validate,
)

LANGUAGES = ("sv", "en")
DATA_BASE = "https://w3id.org/qagraph/id/"
EXAMPLE_FILES = sorted(EXAMPLES_DIR.glob("*.ttl"))
VALID_FILES = [p for p in EXAMPLE_FILES if p.stem.endswith("-valid")]
INVALID_FILES = [p for p in EXAMPLE_FILES if "-invalid-" in p.stem]


def shape_of(example: Path) -> URIRef:
    """qash:X for X-valid.ttl and X-invalid-<what>.ttl."""
    return QASH[example.stem.split("-", 1)[0]]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def concepts() -> Graph:
    return load_concepts()


@pytest.fixture(scope="module")
def report_of(shapes: Graph, concepts: Graph) -> Callable[[Path], Report]:
    """Validate each example once; several tests read the same report."""
    cache: dict[Path, Report] = {}

    def get(example: Path) -> Report:
        if example not in cache:
            cache[example] = validate(data_graph(example, concepts), shapes)
        return cache[example]

    return get


def describe(report: Report) -> str:
    return "\n".join(
        f"  {short(r.shape)} ({short(r.severity)}) on {r.focus}: {r.messages.get('en')}"
        for r in report.results
    )


def severity(shapes: Graph, shape: URIRef) -> URIRef:
    return shapes.value(shape, SH.severity, default=SH.Violation)


def shape_ids() -> list[URIRef]:
    return sorted(node_shapes(load_shapes()))


# --- the examples ----------------------------------------------------------------------


def test_every_example_file_is_named_after_a_shape(shapes: Graph) -> None:
    named = node_shapes(shapes)
    assert EXAMPLE_FILES, "no example files found"
    for example in EXAMPLE_FILES:
        assert example in VALID_FILES or example in INVALID_FILES, example.name
        assert shape_of(example) in named, f"{example.name}: no shape {short(shape_of(example))}"


@pytest.mark.parametrize("shape", shape_ids(), ids=short)
def test_every_shape_has_a_valid_and_an_invalid_example(shape: URIRef) -> None:
    local = short(shape).removeprefix("qash:")
    assert (EXAMPLES_DIR / f"{local}-valid.ttl").is_file(), f"{local}-valid.ttl missing"
    assert list(EXAMPLES_DIR.glob(f"{local}-invalid-*.ttl")), f"{local}-invalid-*.ttl missing"


@pytest.mark.parametrize("example", VALID_FILES, ids=lambda p: p.stem)
def test_valid_example_conforms(example: Path, report_of: Callable[[Path], Report]) -> None:
    report = report_of(example)
    assert report.conforms and not report.results, (
        f"{example.name} should conform to all shapes, but:\n{describe(report)}"
    )


@pytest.mark.parametrize("example", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_example_fails_on_its_shape_only(
    example: Path, shapes: Graph, report_of: Callable[[Path], Report]
) -> None:
    expected = shape_of(example)
    report = report_of(example)
    assert report.results, f"{example.name} should fail on {short(expected)} but conforms"
    assert report.shapes() == {expected}, (
        f"{example.name} should fail on {short(expected)} only, but:\n{describe(report)}"
    )
    if severity(shapes, expected) == SH.Violation:
        assert not report.conforms
    else:
        # A warning shape reports, but the data still conforms.
        assert report.conforms
        assert {r.severity for r in report.results} == {severity(shapes, expected)}


@pytest.mark.parametrize("example", INVALID_FILES, ids=lambda p: p.stem)
def test_results_carry_a_message_in_swedish_and_english(
    example: Path, report_of: Callable[[Path], Report]
) -> None:
    for result in report_of(example).results:
        for lang in LANGUAGES:
            text = result.messages.get(lang)
            assert text, (
                f"{example.name}: result of {short(result.source_shape)} has no {lang} message"
            )
            assert "{?" not in text and "{$" not in text, f"unfilled placeholder in: {text}"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_data_uses_project_iris(example: Path) -> None:
    graph = Graph().parse(example, format="turtle")
    for subject in set(graph.subjects()):
        if isinstance(subject, URIRef):
            assert str(subject).startswith(DATA_BASE), f"{example.name}: {subject}"


# --- the shapes themselves ---------------------------------------------------------------


def _has_both_languages(graph: Graph, node: URIRef, prop: URIRef) -> list[str]:
    langs = [v.language for v in graph.objects(node, prop) if isinstance(v, Literal)]
    return [lang for lang in LANGUAGES if langs.count(lang) != 1]


@pytest.mark.parametrize("shape", shape_ids(), ids=short)
def test_node_shape_is_named_labelled_and_has_messages(shapes: Graph, shape: URIRef) -> None:
    assert isinstance(shape, URIRef) and str(shape).startswith(str(QASH)), shape
    assert short(shape).endswith("Shape")
    for prop in (RDFS.label, SH.name, SH.message):
        missing = _has_both_languages(shapes, shape, prop)
        assert not missing, f"{short(shape)}: {prop} needs exactly one value in {missing}"
    assert shapes.value(shape, SH.severity) in {SH.Violation, SH.Warning, SH.Info}


def test_property_shapes_are_named_and_have_messages(shapes: Graph) -> None:
    problems = []
    for prop_shape in property_shapes(shapes):
        owner = next(shapes.subjects(SH.property, prop_shape))
        path = shapes.value(prop_shape, SH.path)
        for prop in (SH.name, SH.message):
            missing = _has_both_languages(shapes, prop_shape, prop)
            if missing:
                problems.append(f"{short(owner)} {path}: {prop} missing in {missing}")
        if shapes.value(prop_shape, SH.severity) is None:
            problems.append(f"{short(owner)} {path}: no sh:severity")
    assert not problems, "\n".join(problems)


def test_sparql_constraints_declare_their_prefixes(shapes: Graph) -> None:
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.prefixes) is not None, constraint


def test_shapes_graph_is_valid_shacl(shapes: Graph) -> None:
    """pySHACL's meta-shapes (SHACL-SHACL) accept our shapes graph."""
    conforms, _, text = pyshacl_validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_every_shape_is_documented(shapes: Graph) -> None:
    doc = (ROOT / "docs" / "shapes.md").read_text(encoding="utf-8")
    missing = [short(s) for s in node_shapes(shapes) if f"`{short(s)}`" not in doc]
    assert not missing, f"docs/shapes.md lacks {missing}"


# --- the concept schemes the shapes read --------------------------------------------------


def test_concept_fixture_agrees_with_the_schemes(concepts: Graph) -> None:
    """The triples the tests stood in for are in the real schemes, with the same values."""
    missing = [t for t in concept_fixture() if t not in concepts]
    assert not missing, "\n".join(" ".join(n.n3() for n in t) for t in missing)


def test_concepts_are_typed_directly_with_qa_classes(concepts: Graph) -> None:
    """No inference at validation time: the level concepts carry qa:AssuranceLevel themselves."""
    qa_level = URIRef("https://w3id.org/qagraph/ontology#AssuranceLevel")
    levels = set(concepts.subjects(RDF.type, qa_level))
    assert {str(level).rsplit("/", 1)[1] for level in levels} >= {"B", "C1", "C2", "D", "E", "F"}
