"""The compiled validator against the W3C SHACL test suite (core and SHACL-SPARQL).

Every test the compiler supports must pass. A test it does not support (its shapes would
be left to pySHACL) is listed in UNSUPPORTED with the reason, so that a test never passes
by being skipped, and the product's fallback is checked on it instead. The table of
passed/failed/unsupported by component: `python -m tests.shacl_w3c`.
"""

from __future__ import annotations

from collections import Counter

import pytest

from graph_app.core.shacl.model import COMPONENTS
from tests.shacl_w3c import Case, by_component, cases, run_case, run_with_fallback, suite_available

pytestmark = pytest.mark.skipif(not suite_available(), reason="the W3C suite is in ../shared")

# Tests whose shapes the compiler leaves to pySHACL, and why.
UNSUPPORTED = {
    "sparql/component/optional-001": "SPARQL-based constraint component (sh:parameter)",
    "sparql/component/propertyValidator-select-001": "SPARQL-based constraint component (sh:parameter)",
    "sparql/component/validator-001": "SPARQL-based constraint component (sh:parameter)",
    "sparql/pre-binding/unsupported-sparql-006": "SPARQL-based constraint component (sh:parameter)",
    "sparql/pre-binding/shapesGraph-001": "$shapesGraph: the shapes graph is not in the store",
}
# ... of which pySHACL cannot validate these either: the report names the shape it failed on.
NOT_IN_PYSHACL = {"sparql/pre-binding/shapesGraph-001"}

CASES = cases() if suite_available() else []


def _id(case: Case) -> str:
    return case.name


def test_the_suite_is_all_there() -> None:
    """Core and SPARQL manifests, with the number of tests of this copy of the suite."""
    assert len(CASES) == 120
    assert sum(c.name.startswith("core/") for c in CASES) == 98


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_w3c(case: Case) -> None:
    outcome = run_case(case)
    if case.name in UNSUPPORTED:
        assert outcome.status == "unsupported", (
            f"{case.name} is supported now ({outcome.status}): take it off UNSUPPORTED")
        return
    assert outcome.status == "passed", outcome.detail


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_shapes_are_validated_by_the_fallback(name: str) -> None:
    """What the compiler leaves, the product still validates (pySHACL on the data)."""
    case = next(c for c in CASES if c.name == name)
    outcome = run_with_fallback(case)
    if name in NOT_IN_PYSHACL:
        assert outcome.status == "failed" and "could not be validated" in outcome.detail
        return
    assert outcome.status == "passed", outcome.detail


def test_counts_by_component() -> None:
    """Every component of SHACL Core and SHACL-SPARQL that the suite tests has a passing test."""
    outcomes = [run_case(c) for c in CASES]
    table = by_component(outcomes)
    statuses = Counter(o.status for o in outcomes)
    assert statuses["failed"] == 0
    assert statuses["unsupported"] == len(UNSUPPORTED)
    core = set(COMPONENTS.values()) - {"QualifiedValueShape"}
    core |= {"QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent",
             "SPARQLConstraintComponent"}
    assert core <= set(table), f"components the suite does not test: {core - set(table)}"
    for component in core:
        assert table[component]["passed"] > 0, f"{component}: no passing test"
        assert table[component]["failed"] == 0, f"{component}: a failing test"
