"""The rules SHACL cannot compute (graph_app/core/rules.py), read from the store instead
of from an in-memory graph: the same findings, from SPARQL that the store answers over
its indexes. `everything` runs them over the whole store; `for_change` over what a
change touches (the routes and organisations of its triples, the part of the dependency
graph they belong to followed from each start node, its literals and its links).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import pyoxigraph as ox
from rdflib import OWL

from . import independence, queries, rules, shapes
from .namespaces import META_GRAPH, QA, RDF
from .shacl import fallback
from .shacl.report import Result

XSD = "http://www.w3.org/2001/XMLSchema#"
RECORD_PROPERTIES = {QA + "dependentOrganisation", QA + "onOrganisation", QA + "dependencyKind",
                     QA + "ownershipShare", QA + "startDate", QA + "endDate"}
ROUTE_PROPERTIES = {*independence.ROLES, QA + "assuranceLevel"}
REGISTER_PROPERTIES = {r.property for r in rules.REGISTERS}
_SHORTCUTS = "|".join(f"<{p}>|^<{p}>" for p in independence.SHORTCUTS)
_RECORDS = (f"(^<{QA}dependentOrganisation>/<{QA}onOrganisation>)"
            f"|(^<{QA}onOrganisation>/<{QA}dependentOrganisation>)")
# One step of a dependency either way, from the organisations bound by VALUES ?n.
STEP = f"SELECT DISTINCT ?x WHERE {{ %VALUES% ?n {_SHORTCUTS}|{_RECORDS} ?x }}"
UNDESCRIBED_BATCH = 2000  # IRIs looked up per query

Select = Callable[..., list[dict[str, Any]]]


@dataclass
class Touched:
    """What the rules look at again after a change."""

    routes: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)  # whose dependencies changed
    numbers: set[str] = field(default_factory=set)  # whose register numbers changed
    triples: list[ox.Triple] = field(default_factory=list)  # for literals and links


def touched(select: Select, changed: Iterable[ox.Triple]) -> Touched:
    found = Touched()
    records: set[object] = set()
    for t in changed:
        found.triples.append(t)
        p = t.predicate.value
        if p in ROUTE_PROPERTIES and isinstance(t.subject, ox.NamedNode):
            found.routes.add(t.subject.value)
        if p in independence.SHORTCUTS:
            found.organisations |= {n.value for n in (t.subject, t.object) if isinstance(n, ox.NamedNode)}
        if p in RECORD_PROPERTIES:
            records.add(t.subject)
        if p in REGISTER_PROPERTIES and isinstance(t.subject, ox.NamedNode):
            found.numbers.add(t.subject.value)
    for record in records:
        rows = select(f"SELECT ?r ?o WHERE {{ ?r <{QA}dependentOrganisation>|<{QA}onOrganisation> ?o }}",
                      {"r": record})
        found.organisations |= {r["o"].value for r in rows if isinstance(r.get("o"), ox.NamedNode)}
    return found


def component(select: Select, organisations: Iterable[str]) -> set[str]:
    """The organisations joined to any of `organisations` by dependencies: followed one
    step at a time from the organisations found so far, in one query per step (a path
    repeated with `*` from several start nodes can make the store evaluate it from every
    node of the store; one step from bound nodes reads only their edges)."""
    found = set(organisations)
    frontier = sorted(found)
    while frontier:
        reached: set[str] = set()
        for start in range(0, len(frontier), 400):
            text = STEP.replace("%VALUES%", _values("n", frontier[start:start + 400]))
            reached |= {r["x"].value for r in select(text) if isinstance(r.get("x"), ox.NamedNode)}
        frontier = sorted(reached - found)
        found |= reached
    return found


def _values(var: str, iris: Sequence[str]) -> str:
    return f"VALUES ?{var} {{ " + " ".join(f"<{i}>" for i in iris) + " }"


def _routes_of(select: Select, organisations: set[str]) -> set[str]:
    roles = " ".join(f"<{r}>" for r in independence.ROLES)
    found: set[str] = set()
    orgs = sorted(organisations)
    for start in range(0, len(orgs), 400):
        rows = select(f"SELECT DISTINCT ?route WHERE {{ {_values('org', orgs[start:start + 400])} "
                      f"VALUES ?role {{ {roles} }} ?route ?role ?org }}")
        found |= {r["route"].value for r in rows}
    return found


# -- independence and numbers ---------------------------------------------------------------


def dependences(store: Any, routes: Iterable[str] | None, day: date,
                levels: tuple[str, ...] = (independence.LVL + "C1",)) -> list[independence.Dependence]:
    """The dependences of `routes` (every route when None) on `day`, over the part of the
    dependency graph their role players belong to, found from each of them (a page asks
    this of one route: never the whole graph)."""
    select = store.select if hasattr(store, "select") else _selector(store)
    info = independence.routes_from_store(store, routes)
    if routes is None:
        edges = independence.edges_from_store(store)
    else:
        players = {org for _c, _l, by_role in info.values() for orgs in by_role.values() for org in orgs}
        edges = independence.edges_from_store(store, component(select, players))
    return independence.find(info, independence.build(edges, day), levels)


def _selector(store: Any) -> Select:
    from .shacl.engine import rows

    def select(text: str, bindings: Any = None) -> list[dict[str, Any]]:
        return rows(store.query(text, bindings=bindings))

    return select


def _independence(view: Any, routes: set[str] | None, day: date) -> list[Result]:
    """Findings of independence for `routes` (every route when None), on `day`."""
    return rules.findings_of(dependences(view, routes, day), day)


def _numbers(select: Select, orgs: set[str] | None) -> list[Result]:
    values = " ".join(f"<{p}>" for p in sorted(REGISTER_PROPERTIES))
    text = f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o }}"
    rows: list[dict[str, Any]] = []
    if orgs is None:
        rows = select(text)
    else:
        for org in sorted(orgs):
            rows += select(text, {"s": ox.NamedNode(org)})
    return rules.number_findings_of((fallback.to_rdflib(r["s"]), r["p"].value, fallback.to_rdflib(r["o"]))
                                    for r in rows)


# -- literals -------------------------------------------------------------------------------------


def _kept(name: str) -> Any:
    return shapes.kept(name)


def expected_classes() -> dict[str, str]:
    kept = _kept("expected_classes")
    return kept if isinstance(kept, dict) else rules.expected_classes()


def typed_predicates() -> list[str]:
    kept = _kept("typed_predicates")
    return kept if isinstance(kept, list) else _typed_predicates()


@cache
def _typed_predicates() -> list[str]:
    """The predicates whose values are typed literals: the ontology's datatype properties
    and the paths the shapes give a datatype. The literals of these are checked, in a
    whole-store validation, a load and an in-memory graph alike (reading every literal
    of the store would take a scan of all of it)."""
    from rdflib import RDF as RDF_NS
    from rdflib import URIRef

    found = {str(p) for p in rules.ontology_graph().subjects(RDF_NS.type, OWL.DatatypeProperty)
             if isinstance(p, URIRef)}
    for shape in shapes.shapes_model().by_node.values():
        if shape.path is not None and shape.path.kind == "iri" and any(
                c.component == "DatatypeConstraintComponent" for c in shape.constraints):
            found.add(shape.path.iri)
    return sorted(found)


# Datatypes whose values the store parses when it loads them: a value of one of these that
# its XPath constructor function (xsd:date(?o)) accepts is well-formed.
CASTABLE = ("boolean", "integer", "decimal", "double", "float", "date", "dateTime", "time",
            "duration", "dayTimeDuration", "yearMonthDuration")


def _candidates(predicate: str) -> str:
    """The distinct literals of `predicate` that may be ill-typed: those of a datatype in
    CASTABLE that the store cannot cast to it, and those of any other datatype (but
    xsd:string and language-tagged strings)."""
    casts = "true"
    for name in reversed(CASTABLE):
        casts = f"IF(?dt = <{XSD}{name}>, <{XSD}{name}>(?o), {casts})"
    others = ", ".join(f"<{XSD}{name}>" for name in ("string", *CASTABLE))
    return (f"SELECT ?o WHERE {{ {{ SELECT DISTINCT ?o WHERE {{ ?s <{predicate}> ?o "
            f"FILTER(isLiteral(?o) && lang(?o) = \"\") }} }} BIND(datatype(?o) AS ?dt) "
            f"BIND({casts} AS ?ok) FILTER(?dt NOT IN ({others}) || !BOUND(?ok)) }}")


def _ill_typed_in_store(select: Select) -> list[dict[str, Any]]:
    """Triples whose literal is ill-typed, over the typed predicates: the distinct values
    of each predicate that the store cannot read as their datatype are read (none, or a
    few, not the thousands of dates), rdflib decides which are ill-typed, and only their
    triples are fetched."""
    rows: list[dict[str, Any]] = []
    for predicate in typed_predicates():
        values = select(_candidates(predicate))
        bad = [r["o"] for r in values
               if isinstance(r.get("o"), ox.Literal) and not r["o"].language
               and getattr(fallback.to_rdflib(r["o"]), "ill_typed", False)]
        for value in bad:
            rows += [dict(r, p=ox.NamedNode(predicate), o=value)
                     for r in select(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}", {"o": value})]
    return rows


def _literals(rows: Iterable[dict[str, Any]]) -> list[Result]:
    triples = [(fallback.to_rdflib(r["s"]), fallback.to_rdflib(r["p"]), fallback.to_rdflib(r["o"]))
               for r in rows]
    return rules.literal_findings(triples, set(typed_predicates()))


# -- links to IRIs nothing is said about ------------------------------------------------------------


def _instances(select: Select) -> Callable[[str], list[str]]:
    def instances(cls: str) -> list[str]:
        rows = select(f"{queries.load('instances-of-class').text}\nLIMIT 100000", {"class": ox.NamedNode(cls)})
        return [r["x"].value for r in rows if isinstance(r.get("x"), ox.NamedNode)]

    return instances


def _link_query(objects: str) -> str:
    """(s, p, o, expected class) of links to the IRIs bound by `objects`."""
    classes = expected_classes()
    typed = " ".join(f"(<{p}> <{c}>)" for p, c in sorted(classes.items()))
    mappings = " ".join(f"<{p}>" for p in sorted(rules.MAPPING_PROPERTIES))
    credential = QA + "Credential"
    return f"""SELECT DISTINCT ?s ?p ?o ?class WHERE {{ {objects}
      {{ VALUES (?p ?class) {{ {typed} }} ?s ?p ?o . }}
      UNION {{ VALUES ?p {{ {mappings} }} ?s ?p ?o . ?s a <{credential}> . BIND(<{credential}> AS ?class) }}
      UNION {{ VALUES ?p {{ <{OWL.annotatedSource}> <{OWL.annotatedTarget}> }} ?s ?p ?o .
               ?s <{OWL.annotatedProperty}> ?mp . VALUES ?mp {{ {mappings} }} BIND(<{credential}> AS ?class) }}
      FILTER(isIRI(?s) && isIRI(?o) && ?s != <{META_GRAPH}>) }}"""


def _known_iris(select: Select, objects: Sequence[str]) -> list[Result]:
    """Findings for the undescribed IRIs among `objects`, with every link to them."""
    links: list[tuple[str, str, str, str]] = []
    for start in range(0, len(objects), 400):
        for r in select(_link_query(_values("o", objects[start:start + 400]))):
            links.append((r["s"].value, r["p"].value, r["o"].value, r["class"].value))
    return rules.known_iri_findings_of(sorted(links), lambda _o: False, _instances(select))


def _undescribed(select: Select, candidates: str, whole: bool = False) -> list[str]:
    """IRIs bound to ?o by `candidates` that nothing is said about (no triple has them as
    its subject). The distinct candidates are read first, then looked up in batches: in
    one query Oxigraph took four times as long (3.4 s against 0.9 s at 1M triples). Over
    the `whole` store, the candidates that are the subject of an rdf:type triple (said
    something about, so described) are left out first, by hashing the store's types: one
    pass, where looking up each of 450,000 IRIs took 17 s of CPU at 10M triples."""
    distinct = f"SELECT DISTINCT ?o WHERE {{ {candidates} }}"
    if whole:
        distinct = f"SELECT DISTINCT ?o WHERE {{ {{ {distinct} }} MINUS {{ ?o a ?_type }} }}"
    rows = select(distinct)
    iris = sorted({r["o"] for r in rows if isinstance(r.get("o"), ox.NamedNode)}, key=str)
    found: set[str] = set()
    for start in range(0, len(iris), UNDESCRIBED_BATCH):
        values = " ".join(str(o) for o in iris[start:start + UNDESCRIBED_BATCH])
        found |= {r["o"].value for r in select(f"SELECT ?o WHERE {{ VALUES ?o {{ {values} }} "
                                               f"FILTER NOT EXISTS {{ ?o ?x ?y }} }}")}
    return sorted(found)


def _link_objects() -> str:
    classes = expected_classes()
    props = " ".join(f"<{p}>" for p in sorted({*classes, *rules.MAPPING_PROPERTIES,
                                                str(OWL.annotatedSource), str(OWL.annotatedTarget)}))
    return f"VALUES ?p {{ {props} }} ?s ?p ?o . FILTER(?s != <{META_GRAPH}>)"


# -- together -----------------------------------------------------------------------------------


def everything(view: Any, on: date | None = None) -> list[Result]:
    """Every rule over the whole view."""
    day = on or date.today()
    select = view.select
    found = _independence(view, None, day) + _numbers(select, None)
    found += _literals(_ill_typed_in_store(select))
    found += _known_iris(select, _undescribed(select, _link_objects(), whole=True))
    return found


def for_change(view: Any, what: Touched, on: date | None = None) -> list[Result]:
    """The rules' findings for what a change touched: the routes it changed or whose part
    of the dependency graph it changed, the organisations whose numbers it changed, and
    the literals and links among its triples."""
    day = on or date.today()
    select = view.select
    routes = set(what.routes)
    if what.organisations:
        routes |= _routes_of(select, component(select, what.organisations))
    found: list[Result] = []
    if routes:
        found += _independence(view, routes, day)
    if what.numbers:
        found += _numbers(select, what.numbers)
    literals = [t for t in what.triples if isinstance(t.object, ox.Literal)]
    if literals:
        found += _literals({"s": t.subject, "p": t.predicate, "o": t.object} for t in literals)
    objects = sorted({t.object.value for t in what.triples if isinstance(t.object, ox.NamedNode)
                      and t.predicate.value != RDF + "type"})
    if objects:
        values = _values("o", objects[:20000])
        found += _known_iris(select, _undescribed(select, values))
    return found


def for_nodes(view: Any, nodes: set[str], on: date | None = None) -> list[Result]:
    """The rules' findings whose focus is one of `nodes` (routes, organisations, and the
    subjects of literals and links), for an entity page."""
    day = on or date.today()
    select = view.select
    found = _independence(view, nodes, day) + _numbers(select, nodes)
    ordered = sorted(nodes)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(ordered), 400):  # the nodes' own triples, a batch of nodes at a time
        rows += select(f"SELECT ?s ?p ?o WHERE {{ {_values('s', ordered[start:start + 400])} ?s ?p ?o }}")
    found += _literals(r for r in rows if isinstance(r.get("o"), ox.Literal))
    objects = sorted({r["o"].value for r in rows if isinstance(r.get("o"), ox.NamedNode)})
    if objects:  # every object once, whichever of the nodes links to it
        found += _known_iris(select, _undescribed(select, _values("o", objects)))
    return [f for f in found if f.focus in nodes]


def drop_ill_typed(results: list[Any], findings: Sequence[Result]) -> list[Any]:
    """An ill-typed literal is reported once, by the rule that names its value and form:
    the SHACL results about the same focus node and value are left out."""
    ill = {(f.focus, f.value) for f in findings if f.shape == "qash:LiteralFormShape"}
    return [r for r in results if (r.focus, r.value) not in ill]
