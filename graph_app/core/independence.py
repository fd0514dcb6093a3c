"""Independence of issuers and examiners from trainers, with networkx.

Two organisations depend on each other when a path of any length, in either direction,
joins them through ownership, control, sub-organisation, membership or shared management
(DOMAIN.md: at level C1 "no dependency between issuer and trainer"). The shortest such
path is the explanation. The SHACL shapes reject such C1 routes on load; this module
finds them across the whole store (data loaded with --allow-violations, or a dependency
added later by another source) and explains each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from . import queries
from .namespaces import LVL, QA
from .store import Store


@dataclass(frozen=True)
class Step:
    """One edge of an explanation: `subject` --property--> `object`."""

    subject: str
    property: str
    object: str


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


def dependency_graph(store: Store) -> nx.Graph:
    """Undirected graph of organisations; each edge keeps its directed statements."""
    graph = nx.Graph()
    result = store.query(queries.load("dependency-edges").text)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        a, dep, b = row["a"].value, row["dep"].value, row["b"].value
        if graph.has_edge(a, b):
            graph[a][b]["steps"].append(Step(a, dep, b))
        else:
            graph.add_edge(a, b, steps=[Step(a, dep, b)])
    return graph


def explain(graph: nx.Graph, a: str, b: str) -> tuple[Step, ...] | None:
    """The shortest dependency path between `a` and `b` (empty when they are the same
    organisation), or None when they are independent."""
    if a == b:
        return ()
    if a not in graph or b not in graph:
        return None
    try:
        nodes = nx.shortest_path(graph, a, b)
    except nx.NetworkXNoPath:
        return None
    return tuple(graph[x][y]["steps"][0] for x, y in zip(nodes, nodes[1:], strict=False))


def dependences(store: Store, levels: tuple[str, ...] = (LVL + "C1",)) -> list[Dependence]:
    """Routes at `levels` whose issuer or examiner depends on a trainer, with the path."""
    graph = dependency_graph(store)
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    info: dict[str, tuple[str, str]] = {}
    result = store.query(queries.load("route-roles").text)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        route = row["route"].value
        credential = row["credential"].value if row["credential"] is not None else ""
        info[route] = (credential, row["level"].value)
        roles[route][row["role"].value].add(row["org"].value)
    found = []
    for route, by_role in sorted(roles.items()):
        credential, level = info[route]
        if level not in levels:
            continue
        for role in (QA + "issuer", QA + "examinationProvider"):
            for party in sorted(by_role.get(role, ())):
                for trainer in sorted(by_role.get(QA + "trainingProvider", ())):
                    path = explain(graph, party, trainer)
                    if path is not None:
                        found.append(Dependence(route, credential, level, role, party, trainer, path))
    return found
