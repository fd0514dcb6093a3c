"""Independence of issuers and examiners from trainers, on a date, with networkx.

Two organisations depend on each other when a path of any length, in either direction,
joins them through ownership (with an optional share; over 50 % is a majority), control,
sub-organisation or shared management (DOMAIN.md: at level C1 "no dependency between
issuer and trainer"). A dependency is a shortcut property (qa:ownedBy, …) that always
holds, or a qa:Dependency node with a kind, a share and the dates on which it holds; on a
given date only the dependencies that hold then count. Membership of an association is
not a dependency: two members of one federation are not dependent (a common membership
on a C1 route is a warning of its own, qash:CommonMembershipShape).

The shortest path is the explanation. The same reasoning runs over the store (`qagraph
independence`, entity pages) and over the small in-memory graph that a load validates
(graph_app/core/rules.py), so that the load message names the whole path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib import Literal as RdfLiteral

from . import queries
from .messages import message, normalise_language
from .namespaces import DPK, LVL, QA, compact
from .store import Store
from .terms import literal_date

if TYPE_CHECKING:  # networkx takes a tenth of a second to import: only when a graph is built
    import networkx as nx

# The shortcut properties and the dependency kinds they stand for.
SHORTCUTS = {
    QA + "ownedBy": DPK + "Ownership",
    QA + "controlledBy": DPK + "Control",
    QA + "subOrganisationOf": DPK + "SubOrganisation",
    QA + "sharesManagementWith": DPK + "SharedManagement",
}
PROPERTY_OF_KIND = {kind: prop for prop, kind in SHORTCUTS.items()}
ROLES = (QA + "issuer", QA + "trainingProvider", QA + "examinationProvider")


@dataclass(frozen=True)
class Step:
    """One edge of an explanation: `subject` depends on `object` (`property` is the
    shortcut property of its kind), with the share and dates of a qa:Dependency node
    (`record`) where there is one."""

    subject: str
    property: str
    object: str
    kind: str = ""
    share: float | None = None
    start: date | None = None
    end: date | None = None
    record: str = ""

    def is_majority(self) -> bool:
        """Ownership of more than half."""
        return self.share is not None and self.share > 50

    def holds_on(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Dependence:
    """A route whose `party` (issuer or examiner) depends on one of its trainers."""

    route: str
    credential: str
    level: str
    role: str
    party: str
    trainer: str
    path: tuple[Step, ...]


def _to_float(value: object) -> float | None:
    text = getattr(value, "value", None) if not isinstance(value, RdfLiteral) else str(value)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


# -- reading the edges ------------------------------------------------------------------


def edges_from_store(store: Store, orgs: Iterable[str] | None = None) -> list[Step]:
    """Every dependency in the store: shortcut triples and qa:Dependency nodes; or only
    those whose dependent organisation is one of `orgs` (for a connected part)."""
    out = []
    for row in _rows(store, "dependency-edges", "a", orgs):
        prop = row["dep"].value
        out.append(Step(row["a"].value, prop, row["b"].value, SHORTCUTS[prop]))
    for row in _rows(store, "dependency-records", "a", orgs):
        kind = row["kind"].value
        if kind not in PROPERTY_OF_KIND:
            continue
        out.append(Step(row["a"].value, PROPERTY_OF_KIND[kind], row["b"].value, kind,
                        _to_float(row["share"]), literal_date(row["start"]), literal_date(row["end"]),
                        row["record"].value))
    return out


def _rows(store: Store, name: str, var: str, only: Iterable[str] | None) -> Iterator[ox.QuerySolution]:
    """The rows of a canned query, for all nodes or, in batches, for the given ones."""
    text = queries.load(name).text
    if only is None:
        batches: list[list[str] | None] = [None]
    else:
        nodes = sorted(set(only))
        batches = [nodes[i:i + 500] for i in range(0, len(nodes), 500)]
    for batch in batches:
        query = text if batch is None else queries.with_values(text, var, [ox.NamedNode(n) for n in batch])
        result = store.query(query)
        assert isinstance(result, ox.QuerySolutions)
        yield from result


def edges_from_graph(graph: Graph) -> list[Step]:
    """The same, read from an in-memory rdflib graph (the data a load validates)."""
    out = []
    for prop, kind in SHORTCUTS.items():
        for a, b in graph.subject_objects(URIRef(prop)):
            if isinstance(a, URIRef) and isinstance(b, URIRef):
                out.append(Step(str(a), prop, str(b), kind))
    for record, dependent in graph.subject_objects(URIRef(QA + "dependentOrganisation")):
        on = graph.value(record, URIRef(QA + "onOrganisation"))
        kind = str(graph.value(record, URIRef(QA + "dependencyKind")))
        if not isinstance(dependent, URIRef) or not isinstance(on, URIRef) or kind not in PROPERTY_OF_KIND:
            continue
        out.append(Step(str(dependent), PROPERTY_OF_KIND[kind], str(on), kind,
                        _to_float(graph.value(record, URIRef(QA + "ownershipShare"))),
                        literal_date(graph.value(record, URIRef(QA + "startDate"))),
                        literal_date(graph.value(record, URIRef(QA + "endDate"))), str(record)))
    return out


def build(edges: Iterable[Step], on: date | None = None) -> nx.Graph:
    """Undirected graph of organisations over the dependencies that hold `on` (all of them
    when None); each edge keeps its directed steps."""
    import networkx as nx

    graph = nx.Graph()
    for step in edges:
        if not step.holds_on(on):
            continue
        a, b = step.subject, step.object
        if graph.has_edge(a, b):
            graph[a][b]["steps"].append(step)
        else:
            graph.add_edge(a, b, steps=[step])
    return graph


def dependency_graph(store: Store, on: date | None = None) -> nx.Graph:
    """The dependency graph of the store on `on` (every dependency when None)."""
    return build(edges_from_store(store), on)


def explain(graph: nx.Graph, a: str, b: str) -> tuple[Step, ...] | None:
    """The shortest dependency path between `a` and `b` (empty when they are the same
    organisation), or None when they are independent."""
    if a == b:
        return ()
    if a not in graph or b not in graph:
        return None
    import networkx as nx

    try:
        nodes = nx.shortest_path(graph, a, b)
    except nx.NetworkXNoPath:
        return None
    return tuple(graph[x][y]["steps"][0] for x, y in zip(nodes, nodes[1:], strict=False))


# -- routes -----------------------------------------------------------------------------

Routes = dict[str, tuple[str, str, dict[str, set[str]]]]  # route -> (credential, level, role -> orgs)


def routes_from_store(store: Store, routes: Iterable[str] | None = None) -> Routes:
    """Each route (or each of `routes`) with its credential, level and role players."""
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    info: dict[str, tuple[str, str]] = {}
    for row in _rows(store, "route-roles", "route", routes):
        route = row["route"].value
        credential = row["credential"].value if row["credential"] is not None else ""
        info[route] = (credential, row["level"].value)
        roles[route][row["role"].value].add(row["org"].value)
    return {r: (*info[r], roles[r]) for r in info}


def routes_from_graph(graph: Graph) -> Routes:
    out: Routes = {}
    for route, level in graph.subject_objects(URIRef(QA + "assuranceLevel")):
        credential = graph.value(None, URIRef(QA + "hasRoute"), route)
        roles: dict[str, set[str]] = {}
        for role in ROLES:
            roles[role] = {str(o) for o in graph.objects(route, URIRef(role)) if isinstance(o, URIRef)}
        out[str(route)] = (str(credential) if credential is not None else "", str(level), roles)
    return out


def find(routes: Routes, graph: nx.Graph, levels: tuple[str, ...] = (LVL + "C1",)) -> list[Dependence]:
    """Routes at `levels` whose issuer or examiner depends on a trainer, with the path."""
    found = []
    for route, (credential, level, by_role) in sorted(routes.items()):
        if level not in levels:
            continue
        for role in (QA + "issuer", QA + "examinationProvider"):
            for party in sorted(by_role.get(role, ())):
                for trainer in sorted(by_role.get(QA + "trainingProvider", ())):
                    path = explain(graph, party, trainer)
                    if path is not None:
                        found.append(Dependence(route, credential, level, role, party, trainer, path))
    return found


def dependences(store: Store, levels: tuple[str, ...] = (LVL + "C1",),
                on: date | None = None) -> list[Dependence]:
    """Routes at `levels` whose issuer or examiner depends on a trainer on `on` (today when
    None), with the path."""
    return find(routes_from_store(store), dependency_graph(store, on or date.today()), levels)


# -- in words ---------------------------------------------------------------------------


def step_text(step: Step, lang: str | None = None, label: Callable[[str], str] = compact) -> str:
    """One dependency in words: "A ägs av B (60 %, majoritet, från 2019-01-01)"."""
    lang = normalise_language(lang)
    text = message("dep_" + step.kind, lang, a=label(step.subject), b=label(step.object))
    extra = []
    if step.share is not None:
        extra.append(message("dep_share", lang, share=f"{step.share:g}"))
        if step.is_majority():
            extra.append(message("dep_majority", lang))
    if step.start:
        extra.append(message("dep_from", lang, date=step.start.isoformat()))
    if step.end:
        extra.append(message("dep_until", lang, date=step.end.isoformat()))
    return text + (f" ({', '.join(extra)})" if extra else "")


def path_text(path: tuple[Step, ...], lang: str | None = None,
              label: Callable[[str], str] = compact) -> str:
    """A whole path in words, steps joined by "; " ("samma organisation" when empty)."""
    if not path:
        return message("dep_same", lang)
    return "; ".join(step_text(s, lang, label) for s in path)
