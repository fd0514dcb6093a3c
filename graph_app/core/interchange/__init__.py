"""Interchange with the registers: the European Learning Model (ELM, Europass) in and out,
and Credential Engine's CTDL JSON-LD out.

The mappings are data: SPARQL CONSTRUCT files under `elm/` and `ctdl/`, each with a
comment header, run by the store (export) or by an in-memory Oxigraph store (import).
Python only selects the nodes, checks what a register profile requires, and serialises.
See docs/interchange.md for the tables of terms and of what is lost each way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .. import queries
from ..store import Store
from ..terms import graph_from_triples

HERE = Path(__file__).resolve().parent
ELM_DIR = HERE / "elm"
CTDL_DIR = HERE / "ctdl"


PER_NODE = 16  # up to this many nodes, a mapping runs once per node with ?node bound


def construct(store: Store | ox.Store, directory: Path, name: str,
              nodes: Iterable[str] | None = None, into: Graph | None = None,
              rows: tuple[Sequence[str], Sequence[Sequence[ox.Literal]]] | None = None) -> Graph:
    """Run the mapping `directory/name.rq` (a CONSTRUCT) and add its triples to a graph.

    `nodes` restricts the query's ?node to those IRIs; None means all. A few nodes are
    bound one at a time (pre-binding: the store plans the query from the node, about a
    millisecond at 1M triples), more in one VALUES clause (with which the store may first
    evaluate the mapping's branches over every node: hundreds of milliseconds at 1M).
    `rows` binds further variables (their names, and a row of terms per solution)."""
    text = queries.load(name, directory).text
    graph = into if into is not None else Graph()
    bound: list[ox.NamedNode | None] = [None]
    if nodes is not None:
        chosen = sorted(set(nodes))
        if not chosen:
            return graph
        if len(chosen) <= PER_NODE:
            bound = [ox.NamedNode(n) for n in chosen]
        else:
            text = queries.with_values(text, "node", (ox.NamedNode(n) for n in chosen))
    if rows is not None:
        if not rows[1]:
            return graph
        text = queries.with_rows(text, *rows)
    for node in bound:
        result: object
        if isinstance(store, ox.Store):
            result = store.query(text, substitutions={ox.Variable("node"): node} if node else None)
        else:
            result = store.query(text, bindings={"node": node} if node else None)
        assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)), f"{name} is not a CONSTRUCT query"
        graph_from_triples(result, into=graph)
    return graph


def typed(store: Store, classes: Sequence[str], nodes: Iterable[str] | None = None,
          graph: str | None = None) -> dict[str, set[str]]:
    """The IRIs of instances of each class (restricted to `nodes`, or to one graph)."""
    values = " ".join(f"<{c}>" for c in classes)
    text = f"SELECT DISTINCT ?node ?class WHERE {{ VALUES ?class {{ {values} }} ?node a ?class FILTER(isIRI(?node)) }}"
    if nodes is not None:
        chosen = sorted(set(nodes))
        if not chosen:
            return {c: set() for c in classes}
        text = queries.with_values(text, "node", (ox.NamedNode(n) for n in chosen))
    result = store.query(text, default_graphs=[graph] if graph else None)
    found: dict[str, set[str]] = {c: set() for c in classes}
    for row in result:  # type: ignore[union-attr]
        found[row["class"].value].add(row["node"].value)
    return found
