"""Statistics that pages show, counted by the engine that is fastest at them.

A SPARQL server (Virtuoso: a count per level over 10M triples in 0.07 s) counts with a
GROUP BY query; the embedded store, where such a query takes seconds at that size
(DESIGN.md), counts over the catalogue kept in memory. Both give the same numbers (a test
compares them on both stores); stores say which they are by `fast_aggregates`. Either
way a value is computed once per store generation, never per request.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pyoxigraph as ox

from . import queries
from .catalogue import catalogue
from .derived import PerGeneration
from .store import Store

Chart = dict[str, dict[str, Counter[str]]]  # axis -> value -> level IRI -> credentials
AXES = ("sector", "country")


def chart_by_query(store: Store) -> Chart:
    """Credentials per level by sector and by country, counted by the store's engine."""
    result = store.query(queries.load("levels-chart").text)
    assert isinstance(result, ox.QuerySolutions)
    out: Chart = {axis: defaultdict(Counter) for axis in AXES}
    for row in result:
        out[row["axis"].value][row["value"].value][row["level"].value] += int(row["n"].value)
    return out


def chart_by_catalogue(store: Store) -> Chart:
    """The same counts over the catalogue in memory."""
    out: Chart = {axis: defaultdict(Counter) for axis in AXES}
    for entry in catalogue(store).of_kind("credential"):
        for level in entry.facets.get("level", ()):
            for axis in AXES:
                for value in entry.facets.get(axis, ()) or {"—"}:
                    out[axis][value][level] += 1
    return out


_charts: PerGeneration[Chart] = PerGeneration(
    lambda store: chart_by_query(store) if store.fast_aggregates else chart_by_catalogue(store))


def level_chart(store: Store) -> Chart:
    """Credentials per level by sector and by country, once per store generation."""
    return _charts.get(store)
