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
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from . import independence, rules
from .namespaces import QA
from .shacl import fallback
from .shacl.affected import affected, focus_candidates
from .shacl.engine import Term, subclasses
from .shacl.model import ShapesModel
from .shacl.report import Report, Result

CANDIDATE_LIMIT = 50000  # focus nodes beyond which a whole validation is cheaper
DEPENDENCY_LINKS = [*independence.SHORTCUTS, QA + "dependentOrganisation", QA + "onOrganisation"]
RECORD_PROPERTIES = {QA + "dependentOrganisation", QA + "onOrganisation", QA + "dependencyKind",
                     QA + "ownershipShare", QA + "startDate", QA + "endDate"}
ROUTE_PROPERTIES = {*independence.ROLES, QA + "assuranceLevel"}
REGISTER_PROPERTIES = {r.property for r in rules.REGISTERS}
# Organisations joined by a dependency, either way: shortcut properties and dependency
# records (a qa:Dependency node between its two organisations).
_SHORTCUTS = "|".join(f"<{p}>|^<{p}>" for p in independence.SHORTCUTS)
_RECORDS = (f"(^<{QA}dependentOrganisation>/<{QA}onOrganisation>)"
            f"|(^<{QA}onOrganisation>/<{QA}dependentOrganisation>)")
CLOSURE = f"SELECT DISTINCT ?n ?x WHERE {{ ?n ({_SHORTCUTS}|{_RECORDS})* ?x }}"


@dataclass
class Touched:
    """What the rules need to look at again after a change."""

    routes: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)  # whose dependencies changed
    numbers: set[str] = field(default_factory=set)  # whose register numbers changed


def touched(view: object, changed: Iterable[ox.Triple]) -> Touched:
    found = Touched()
    records: set[Term] = set()
    for t in changed:
        p = t.predicate.value
        if p in ROUTE_PROPERTIES and isinstance(t.subject, ox.NamedNode):
            found.routes.add(t.subject.value)
        if p in independence.SHORTCUTS:
            for node in (t.subject, t.object):
                if isinstance(node, ox.NamedNode):
                    found.organisations.add(node.value)
        if p in RECORD_PROPERTIES:
            records.add(t.subject)  # type: ignore[arg-type]
        if p in REGISTER_PROPERTIES and isinstance(t.subject, ox.NamedNode):
            found.numbers.add(t.subject.value)
    for record in records:
        rows = view.select(  # type: ignore[attr-defined]
            f"SELECT ?r ?o WHERE {{ ?r <{QA}dependentOrganisation>|<{QA}onOrganisation> ?o }}",
            {"r": record})
        found.organisations |= {r["o"].value for r in rows if isinstance(r.get("o"), ox.NamedNode)}
    return found


def component(view: object, organisations: Iterable[str]) -> set[str]:
    """The organisations joined to any of `organisations` by dependencies, found from each
    start node on its own (anchored: never a path from every node of the store)."""
    found: set[str] = set()
    for org in sorted(set(organisations)):
        if org in found:
            continue
        rows = view.select(CLOSURE, {"n": ox.NamedNode(org)})  # type: ignore[attr-defined]
        found |= {r["x"].value for r in rows if isinstance(r.get("x"), ox.NamedNode)}
        found.add(org)
    return found


def _routes_of(view: object, organisations: set[str]) -> set[str]:
    roles = " ".join(f"<{r}>" for r in independence.ROLES)
    found: set[str] = set()
    orgs = sorted(organisations)
    for start in range(0, len(orgs), 400):
        values = " ".join(f"<{o}>" for o in orgs[start:start + 400])
        rows = view.select(f"SELECT DISTINCT ?route WHERE {{ VALUES ?org {{ {values} }} "  # type: ignore[attr-defined]
                           f"VALUES ?role {{ {roles} }} ?route ?role ?org }}")
        found |= {r["route"].value for r in rows}
    return found


def rule_results(view: object, what: Touched, on: date | None = None) -> list[rules.Finding]:
    """The rules' findings for what a change touched: the routes it changed or whose
    dependency part it changed, and the organisations whose numbers it changed."""
    day = on or date.today()
    routes = set(what.routes)
    if what.organisations:
        routes |= _routes_of(view, component(view, what.organisations))
    findings: list[rules.Finding] = []
    if routes:
        info = independence.routes_from_store(view, routes)  # type: ignore[arg-type]
        players = {org for _c, _l, by_role in info.values() for orgs in by_role.values() for org in orgs}
        part = component(view, players)
        edges = independence.edges_from_store(view, part)  # type: ignore[arg-type]
        findings += rules.findings_of(independence.find(info, independence.build(edges, day)), day)
    if what.numbers:
        values = " ".join(f"<{p}>" for p in REGISTER_PROPERTIES)
        for org in sorted(what.numbers):
            rows = view.select(f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}",  # type: ignore[attr-defined]
                               {"s": ox.NamedNode(org)})
            findings += rules.number_findings_of(
                (fallback.to_rdflib(r["s"]), r["p"].value, fallback.to_rdflib(r["o"])) for r in rows)
    return findings


def validate_change(after: object, before: object, changed: Callable[[], Iterable[ox.Triple]],
                    model: ShapesModel, on: date | None = None) -> Report:
    """Results that the changed triples (`changed()` gives them) introduce: the affected
    focus nodes validated after the change, less what the same nodes give before it."""
    from .validation import result_of, run_validation

    found = affected(model, changed())
    # Without a change to rdfs:subClassOf (which makes `found.everything`), the class
    # hierarchy is the same after the change as before it.
    classes = None if found.everything else subclasses(before, model.classes())  # type: ignore[arg-type]
    candidates: list[object] | None = None
    if not found.everything:
        candidates = focus_candidates(after.select, found.starts, CANDIDATE_LIMIT)  # type: ignore[attr-defined]
    if candidates is None:
        report = run_validation(after, on=on)  # type: ignore[arg-type]
        report.escalated = found.reason or "many focus nodes"
    else:
        report = run_validation(after, focus=candidates, on=on, with_rules=False,  # type: ignore[arg-type]
                                classes=classes)
        report.results += [result_of(f) for f in rule_results(after, touched(after, changed()), on)]
        report.checked_nodes = len(candidates)
    if not report.results:
        return report
    # What the same focus nodes give without the change is not this change's doing.
    foci = {r.focus_term: r for r in report.results}
    terms = [_term(text) for text in foci]
    before_report = run_validation(before, focus=[t for t in terms if t is not None],  # type: ignore[arg-type]
                                   on=on, with_rules=False, classes=classes)
    prior = Touched(routes={r.focus for r in report.results}, numbers={r.focus for r in report.results})
    before_results = before_report.results + [result_of(f) for f in rule_results(before, prior, on)]
    seen = {r.key for r in before_results}
    report.results = [r for r in report.results if r.key not in seen]
    return report


def _term(text: str) -> Term | None:
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    return None


__all__ = ["Report", "Result", "Touched", "component", "rule_results", "touched", "validate_change"]
