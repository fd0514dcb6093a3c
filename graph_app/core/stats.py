"""Counts by class and by assurance level."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from . import queries
from .derived import PerGeneration
from .store import Store


@dataclass(frozen=True)
class LevelCount:
    level: str
    notation: str
    rank: int | None
    routes: int
    credentials: int


def _int(term: object) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0


def class_counts(store: Store) -> list[tuple[str, int]]:
    """(class IRI, number of resources) for each qagraph class in the store."""
    result = store.query(queries.load("stats-classes").text)
    assert isinstance(result, ox.QuerySolutions)
    return [(row["class"].value, _int(row["count"])) for row in result]


def level_counts(store: Store) -> list[LevelCount]:
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
    """What the home page shows: counts by class and level, and the triple count."""

    classes: list[tuple[str, int]]
    levels: list[LevelCount]
    triples: int


def _summarise(store: Store) -> Summary:
    # The triples as counted when each source was loaded (its provenance), not counted
    # again: a COUNT of every graph takes seconds at 10M triples.
    triples = sum(info.triples for info in store.sources())
    return Summary(class_counts(store), level_counts(store), triples)


_summaries: PerGeneration[Summary] = PerGeneration(_summarise, "summary")


def summary(store: Store) -> Summary:
    """The store's summary, computed once per commit (never per request)."""
    return _summaries.get(store)


def keep_up_to_date(store: Store, background: bool = True) -> None:
    """Recompute the summary right after each commit (in the background when it is slow,
    unless `background` is false)."""
    _summaries.keep_up_to_date(store, background)


def adopt(store: Store) -> None:
    """For a server that starts: see `PerGeneration.adopt`."""
    _summaries.adopt(store)
