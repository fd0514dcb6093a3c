"""The forms a whole-store validation asks instead of the queries as written give the same
answers: the correlated FILTER NOT EXISTS written as a MINUS over a small table
(shacl/rewrite.py), and the undescribed IRIs found with the store's types left out first
(store_rules._undescribed). Each is compared with the form as written on many small
graphs with the awkward values the data may hold."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graph_app.core import store_rules
from graph_app.core.shacl import engine, rewrite
from graph_app.core.shacl.engine import MemoryView
from graph_app.core.shacl.rewrite import for_free
from graph_app.core.validation import memory_view, shapes_model

QA = "https://w3id.org/qagraph/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
X = "urn:x:"

# Strengths of every kind: numbers of each type, equal values written differently, NaN
# and infinities, strings, an ill-typed number, a date and an IRI (which `>=` cannot
# compare with a number: the comparison is an error, so the method does not count).
STRENGTHS = [f'"{v}"^^<{XSD}{t}>' for v, t in (
    ("0", "integer"), ("1", "integer"), ("2", "integer"), ("3", "integer"), ("2.5", "decimal"),
    ("3.0E0", "double"), ("NaN", "double"), ("INF", "double"), ("-INF", "double"),
    ("2", "string"), ("abc", "integer"), ("2024-01-01", "date"))] + ['"3"', f"<{X}strong>"]


def _answers(view: MemoryView, text: str) -> set[tuple[tuple[str, str], ...]]:
    return {tuple(sorted((k, str(v)) for k, v in row.items())) for row in view.select(text)}


def _identity_graph(rng: random.Random) -> str:
    """Awards, named routes and credentials' routes, levels (the project's and made-up
    ones) with minimum identity verifications, methods with strengths of every kind."""
    awards = [f"<{X}award{i}>" for i in range(8)]
    routes = [f"<{X}route{i}>" for i in range(4)]
    credentials = [f"<{X}credential{i}>" for i in range(3)]
    levels = [f"<https://w3id.org/qagraph/vocab/level/{c}>" for c in ("B", "C1", "D")]
    levels += [f"<{X}level{i}>" for i in range(2)]
    methods = [f"<https://w3id.org/qagraph/vocab/identity/{c}>" for c in ("NameCheck", "PhotoId")]
    methods += [f"<{X}method{i}>" for i in range(4)]
    lines = [f"{a} a <{QA}Award> ." for a in awards]
    shapes_of = [
        lambda: f"{rng.choice(awards)} <{QA}viaRoute> {rng.choice(routes)} .",
        lambda: f"{rng.choice(awards)} <{QA}awardedCredential> {rng.choice(credentials)} .",
        lambda: f"{rng.choice(credentials)} <{QA}hasRoute> {rng.choice(routes)} .",
        lambda: f"{rng.choice(routes)} <{QA}assuranceLevel> {rng.choice(levels)} .",
        lambda: f"{rng.choice(levels)} <{QA}minimumIdentityVerification> {rng.choice(methods)} .",
        lambda: f"{rng.choice(methods)} <{QA}strength> {rng.choice(STRENGTHS)} .",
        lambda: f"{rng.choice(awards)} <{QA}identityVerification> {rng.choice(methods)} .",
    ]
    for _ in range(rng.randint(10, 45)):
        lines.append(rng.choice(shapes_of)())
    return "\n".join(lines)


def _view(turtle: str) -> MemoryView:
    return memory_view(Graph().parse(data=turtle, format="turtle"))


def test_the_identity_check_as_a_minus_has_the_answers_of_its_not_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    """The awards' identity check (a NOT EXISTS whose filter reads ?needed, which the
    levels give) can be asked over the whole store as a MINUS over a small table: on 150
    graphs, both forms give the same violations. By default it is asked as written (the
    MINUS form takes more memory than a 10M-triple run may)."""
    view = _view("")
    plan = engine.plan_for(shapes_model(), engine.subclasses(view, shapes_model().classes()))
    (check,) = [c for c in plan.checks if c.shape.id == "qash:AwardIdentityVerificationShape"]
    assert "NOT EXISTS" in check.free and not rewrite.CORRELATED_AS_MINUS
    monkeypatch.setattr(rewrite, "CORRELATED_AS_MINUS", True)
    minus = for_free(check.sparql_query)
    assert minus is not None and "NOT EXISTS" not in minus and "MINUS" in minus
    required = f"""SELECT DISTINCT ?this ?level ?minimum WHERE {{ ?this <{QA}identityVerification> ?m .
        {{ ?this <{QA}viaRoute> ?route }} UNION {{ ?this <{QA}awardedCredential>/<{QA}hasRoute> ?route }}
        ?route <{QA}assuranceLevel> ?level . ?level <{QA}minimumIdentityVerification> ?minimum .
        ?minimum <{QA}strength> ?needed }}"""
    rng = random.Random(13)
    violations = passed = 0
    for _ in range(150):
        view = _view(_identity_graph(rng))
        as_written = _answers(view, check.sparql_query)
        assert _answers(view, minus) == as_written
        violations += len(as_written)
        shown = {tuple(p for p in row if p[0] != "path") for row in as_written}
        passed += len(_answers(view, required) - shown)
    assert violations > 50 and passed > 50  # the graphs have violations, and awards that pass


@pytest.mark.parametrize("text,rewritten", [
    # the filter reads ?limit, which the group binds: a MINUS
    (f"""SELECT ?this ?x WHERE {{ ?this <{X}p> ?x . ?x <{X}limit> ?limit .
         FILTER NOT EXISTS {{ ?this <{X}q> ?y . ?y <{X}v> ?v . FILTER(?v > ?limit) }} }}""", True),
    # two variables of the group, and a condition of several parts
    (f"""SELECT ?this WHERE {{ ?this <{X}p> ?x . ?x <{X}limit> ?limit . ?x <{X}v> ?low .
         FILTER NOT EXISTS {{ ?this <{X}q> ?y . ?y <{X}v> ?v . FILTER(?v <= ?limit && ?v >= ?low) }} }}""", True),
    # ?limit is not always bound (OPTIONAL): NOT EXISTS stays, as MINUS would differ
    (f"""SELECT ?this ?x WHERE {{ ?this <{X}p> ?x . OPTIONAL {{ ?x <{X}limit> ?limit }}
         FILTER NOT EXISTS {{ ?this <{X}q> ?y . ?y <{X}v> ?v . FILTER(?v > ?limit) }} }}""", False),
    # the filter compares with a node of the group, too
    (f"""SELECT ?this ?x WHERE {{ ?this <{X}p> ?x . ?x <{X}limit> ?limit .
         FILTER NOT EXISTS {{ ?this <{X}q> ?y . ?y <{X}v> ?v . FILTER(?v > ?limit || ?y = ?x) }} }}""", True),
    # the filter reads the focus node, which only the triples on it bind: NOT EXISTS stays
    (f"""SELECT ?this ?x WHERE {{ ?this <{X}p> ?x . ?x <{X}limit> ?limit .
         FILTER NOT EXISTS {{ ?this <{X}q> ?y . ?y <{X}v> ?v . FILTER(?v > ?limit && ?y != ?this) }} }}""", False),
])
def test_a_correlated_not_exists_gives_the_same_answers_in_both_forms(
        text: str, rewritten: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "NOT EXISTS" in (for_free(text) or "")  # as written unless the form is chosen
    monkeypatch.setattr(rewrite, "CORRELATED_AS_MINUS", True)
    free = for_free(text)
    assert free is not None
    assert ("NOT EXISTS" not in free) is rewritten
    rng = random.Random(31)
    nodes = [f"<{X}n{i}>" for i in range(6)]
    values = [*STRENGTHS, *nodes]
    answered = 0
    for _ in range(100):
        lines = []
        for _ in range(rng.randint(5, 30)):
            predicate = rng.choice(["p", "q", "limit", "v"])
            lines.append(f"{rng.choice(nodes)} <{X}{predicate}> {rng.choice(values)} .")
        store = ox.Store()
        store.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
        view = MemoryView(store)
        as_written = _answers(view, text)
        assert _answers(view, free) == as_written
        answered += len(as_written)
    assert answered > 20


def test_undescribed_iris_are_found_alike_with_the_types_left_out_first() -> None:
    """Over the whole store the candidates that have a type are left out before each is
    looked up: the same IRIs are found as when every candidate is looked up."""
    rng = random.Random(5)
    found = 0
    things = [f"<{X}t{i}>" for i in range(12)]
    properties = sorted(store_rules.expected_classes())[:4]
    for _ in range(60):
        lines = []
        for _ in range(rng.randint(5, 25)):
            kind = rng.randrange(3)
            if kind == 0:  # a link the rule reads
                lines.append(f"{rng.choice(things)} <{rng.choice(properties)}> {rng.choice(things)} .")
            elif kind == 1:  # a type: described
                lines.append(f"{rng.choice(things)} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{QA}Organisation> .")
            else:  # described by something else than a type
                lines.append(f'{rng.choice(things)} <{X}note> "x" .')
        store = ox.Store()
        store.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
        view = MemoryView(store)
        candidates = store_rules._link_objects()
        each = store_rules._undescribed(view.select, candidates)
        assert store_rules._undescribed(view.select, candidates, whole=True) == each
        found += len(each)
    assert found > 20


def test_the_class_hierarchy_read_at_once_is_what_the_path_gives_per_class() -> None:
    """The rdfs:subClassOf triples read in one query and followed in Python give each
    class the subclasses `?c rdfs:subClassOf* <class>` gives, through chains, cycles and
    blank nodes; above EDGE_LIMIT triples each class is asked with the path."""
    rng = random.Random(11)
    nodes = [f"<{X}C{i}>" for i in range(10)] + [f"_:b{i}" for i in range(3)]
    subclass = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
    classes = [f"{X}C{i}" for i in range(10)] + [f"{X}absent"]
    reached = 0
    for _ in range(60):
        lines = [f"{rng.choice(nodes)} {subclass} {rng.choice(nodes)} ." for _ in range(rng.randint(0, 20))]
        store = ox.Store()
        store.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
        view = MemoryView(store)
        per_class = {cls: engine.subclasses_of(view, cls) for cls in classes}
        assert engine.subclasses(view, classes) == per_class
        reached += sum(len(subs) - 1 for subs in per_class.values())
    assert reached > 100


def test_a_big_class_hierarchy_is_asked_per_class(monkeypatch: pytest.MonkeyPatch) -> None:
    store = ox.Store()
    lines = [f"<{X}C{i + 1}> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{X}C{i}> ." for i in range(5)]
    store.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
    monkeypatch.setattr(engine, "EDGE_LIMIT", 3)
    asked: list[str] = []
    view = MemoryView(store)
    select = view.select

    def recorded(text: str, bindings: object = None) -> list[dict[str, object]]:
        asked.append(text)
        return select(text)  # type: ignore[return-value]

    monkeypatch.setattr(view, "select", recorded)
    assert engine.subclasses(view, [f"{X}C2"]) == {f"{X}C2": [f"{X}C2", f"{X}C3", f"{X}C4", f"{X}C5"]}
    assert any("*" in text for text in asked)
