"""Validation of a change: only the shapes and focus nodes that the changed triples can
affect, through the same compiled queries restricted to those focus nodes.

A load (or a SPARQL Update, or a curation) is validated as the store would be after it
(`after`: the committed sources less those it replaces, plus the staged graphs) and
reported as what it introduces: the results of the affected focus nodes after the
change, less those the same nodes have without it (`before`). Every query here starts
from bound nodes: the focus nodes are found from the changed triples by anchored paths,
one start node at a time (shacl.affected), and the rules SHACL cannot compute
(independence on a date, organisation numbers) look only at the routes and
organisations a change touches and at the part of the dependency graph they belong to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import pyoxigraph as ox

from . import store_rules
from .shacl.affected import affected, focus_candidates
from .shacl.engine import Term, subclasses
from .shacl.model import ShapesModel
from .shacl.report import Report, Result

CANDIDATE_LIMIT = 50000  # focus nodes beyond which a whole validation is cheaper


def validate_change(after: object, before: object, changed: Callable[[], Iterable[ox.Triple]],
                    model: ShapesModel, run_validation: Callable[..., Report],
                    result_of: Callable[[Result], Result], on: date | None = None) -> Report:
    """Results that the changed triples (`changed()` gives them) introduce: the affected
    focus nodes validated after the change, less what the same nodes give before it.
    `run_validation` and `result_of` are validation's (passed in: it imports this module)."""
    found = affected(model, changed())
    # Without a change to rdfs:subClassOf (which makes `found.everything`), the class
    # hierarchy is the same after the change as before it.
    classes = None if found.everything else subclasses(before, model.classes())  # type: ignore[arg-type]
    candidates: list[object] | None = None
    if not found.everything:
        candidates = focus_candidates(after.select, found.starts, CANDIDATE_LIMIT)  # type: ignore[attr-defined]
    if candidates is None:
        report = run_validation(after, on=on)
        report.escalated = found.reason or "many focus nodes"
    else:
        report = run_validation(after, focus=candidates, on=on, with_rules=False,
                                classes=classes)
        findings = store_rules.for_change(after, store_rules.touched(after.select, changed()), on)  # type: ignore[attr-defined]
        report.results = store_rules.drop_ill_typed(report.results, findings)
        report.results += [result_of(f) for f in findings]
        report.checked_nodes = len(candidates)
    if not report.results:
        return report
    # What the same focus nodes give without the change is not this change's doing.
    foci = {r.focus_term: r for r in report.results}
    terms = [_term(text) for text in foci]
    before_report = run_validation(before, focus=[t for t in terms if t is not None],
                                   on=on, with_rules=False, classes=classes)
    prior = store_rules.for_nodes(before, {r.focus for r in report.results}, on)
    before_results = store_rules.drop_ill_typed(before_report.results, prior) + [result_of(f) for f in prior]
    seen = {r.key for r in before_results}
    report.results = [r for r in report.results if r.key not in seen]
    return report


def _term(text: str) -> Term | None:
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    return None


__all__ = ["Report", "Result", "validate_change"]
