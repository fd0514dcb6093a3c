"""Counts by class and by assurance level."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import pyoxigraph as ox

from . import queries
from .store import OxigraphStore


@dataclass(frozen=True)
class LevelCount:
    level: str
    notation: str
    rank: int | None
    routes: int
    credentials: int


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def class_counts(store: OxigraphStore) -> list[tuple[str, int]]:
    """(class IRI, number of resources) for each qagraph class in the store."""
    result = store.query(queries.load("stats-classes").text)
    assert isinstance(result, ox.QuerySolutions)
    return [(row["class"].value, _int(row["count"])) for row in result]


def level_counts(store: OxigraphStore) -> list[LevelCount]:
    """Routes and credentials per assurance level, strongest first."""
    result = store.query(queries.load("stats-levels").text)
    assert isinstance(result, ox.QuerySolutions)
    out = []
    for row in result:
        notation = row["notation"]
        rank = row["rank"]
        out.append(
            LevelCount(
                level=row["level"].value,
                notation=notation.value if notation is not None else row["level"].value.rsplit("/", 1)[-1],
                rank=_int(rank) if rank is not None else None,
                routes=_int(row["routes"]),
                credentials=_int(row["credentials"]),
            )
        )
    return out


@dataclass(frozen=True)
class Summary:
    """What the home page shows; computed once per store generation (after each commit),
    never per request: whole-graph aggregates are slow at scale (DESIGN.md)."""

    generation: int
    classes: list[tuple[str, int]]
    levels: list[LevelCount]
    triples: int


_summaries: weakref.WeakKeyDictionary[OxigraphStore, Summary] = weakref.WeakKeyDictionary()
_summary_lock = threading.Lock()
_hooked: weakref.WeakSet[OxigraphStore] = weakref.WeakSet()


def summary(store: OxigraphStore) -> Summary:
    """Counts by class and level and the triple count, cached until the next commit."""
    cached = _summaries.get(store)
    if cached is not None and cached.generation == store.generation:
        return cached
    with _summary_lock:
        cached = _summaries.get(store)
        if cached is None or cached.generation != store.generation:
            generation = store.generation
            cached = Summary(generation, class_counts(store), level_counts(store), store.triple_count())
            _summaries[store] = cached
        return cached


def keep_up_to_date(store: OxigraphStore) -> None:
    """Recompute the summary right after each commit, so that no request waits for it."""
    if store not in _hooked:
        _hooked.add(store)

        def refresh() -> None:
            summary(store)

        store.add_commit_hook(refresh)
