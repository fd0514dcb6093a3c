"""The catalogue: what lists, facets, search and the levels overview show, kept in memory.

Whole-store aggregates are slow at scale (DESIGN.md: a count per level takes seconds at
10M triples), so the catalogue is built once from a few queries and rebuilt after every
commit (`Store.add_commit_hook`). Facet counts and search then run over the
catalogue in memory. Persons and awards are not in it: they are the bulk of a big store.

A list page counts its facets and pages through a `Listing`: per facet value, the set
of the things that have it, built once per catalogue (that is, per store state), so a
request intersects sets instead of reading every entry (docs/decisions/0010).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import pyoxigraph as ox

from . import queries
from .derived import PerGeneration
from .labels import fold, local_name, pick
from .messages import LANGUAGES
from .namespaces import QA, SKOS
from .store import Store

KINDS: dict[str, str] = {
    QA + "Organisation": "organisation",
    QA + "Credential": "credential",
    QA + "QualityScheme": "scheme",
    QA + "Standard": "standard",
    QA + "Requirement": "requirement",
    QA + "Collaboration": "collaboration",
    QA + "IssuanceRoute": "route",
    QA + "Recognition": "recognition",
    QA + "ControlFunction": "control",
    QA + "Accreditation": "accreditation",
    QA + "LearningOutcome": "outcome",
    SKOS + "Concept": "concept",
}
# When a thing has several classes, the first kind in this order names it.
KIND_ORDER = list(KINDS.values())
# The kinds that have a list page (with facets).
LISTED = ("organisation", "credential", "scheme", "standard", "requirement", "collaboration",
          "route", "recognition", "control", "accreditation")
FACETS = ("type", "level", "country", "sector", "issuer", "standard")


@dataclass
class Entry:
    """One thing in the catalogue."""

    iri: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    alt: list[str] = field(default_factory=list)
    facets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    keys: tuple[str, ...] = ()
    _sort_keys: dict[str, str] = field(default_factory=dict, repr=False)

    def label(self, lang: str) -> str:
        return pick(self.labels, lang, self.iri)

    def sort_key(self, lang: str) -> str:
        """The label in `lang`, folded for sorting (computed once per language)."""
        key = self._sort_keys.get(lang)
        if key is None:
            key = self._sort_keys[lang] = fold(self.label(lang))
        return key


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: int
    matched: str


@dataclass(frozen=True)
class Level:
    iri: str
    notation: str
    rank: int


class Catalogue:
    """Entries by IRI, labels of every labelled node, and an index for search."""

    def __init__(self, generation: int = 0) -> None:
        self.generation = generation
        self.entries: dict[str, Entry] = {}
        self.labels: dict[str, dict[str, str]] = {}
        self.notations: dict[str, str] = {}
        self.ranks: dict[str, int] = {}
        self._listings: dict[str, Listing] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Listings are rebuilt from the entries on first use; they are not kept on disk.
        state = dict(self.__dict__)
        state["_listings"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_listings", {})

    # -- building -----------------------------------------------------------------

    @classmethod
    def build(cls, store: Store) -> Catalogue:
        cat = cls(store.generation)
        kinds: dict[str, str] = {}
        for row in _select(store, "catalogue-entities"):
            iri, kind = row["s"].value, KINDS[row["class"].value]
            if not isinstance(row["s"], ox.NamedNode):
                continue
            old = kinds.get(iri)
            if old is None or KIND_ORDER.index(kind) < KIND_ORDER.index(old):
                kinds[iri] = kind
        cat.entries = {iri: Entry(iri, kind) for iri, kind in kinds.items()}
        for row in _select(store, "catalogue-labels"):
            subject, prop, lit = row["s"], row["p"].value, row["label"]
            if not isinstance(subject, ox.NamedNode):
                continue
            iri, lang = subject.value, lit.language or ""
            if prop == SKOS + "notation":
                cat.notations.setdefault(iri, lit.value)
            elif prop == SKOS + "altLabel":
                if iri in cat.entries:
                    cat.entries[iri].alt.append(lit.value)
            else:
                cat.labels.setdefault(iri, {}).setdefault(lang, lit.value)
        for row in _select(store, "catalogue-facets"):
            entry = cat.entries.get(row["s"].value)
            if entry is not None:
                entry.facets[row["facet"].value].add(row["v"].value)
        for row in _select(store, "catalogue-ranks"):
            cat.ranks[row["level"].value] = int(row["rank"].value)
        for entry in cat.entries.values():
            entry.labels = cat.labels.get(entry.iri, {})
            names = [*entry.labels.values(), *entry.alt, cat.notations.get(entry.iri, "")]
            entry.keys = tuple(dict.fromkeys(fold(n) for n in names if n))
        # The lists' indexes and their default order, before any page asks for them.
        for kind in LISTED:
            for language in LANGUAGES:
                cat.listing(kind).order(language, "label")
        return cat

    # -- reading ------------------------------------------------------------------

    def label(self, iri: str, lang: str) -> str:
        """The label of any node the catalogue knows (else its local name)."""
        if iri in self.notations and iri in self.ranks:
            return self.notations[iri]
        return pick(self.labels.get(iri), lang, iri)

    def full_label(self, iri: str, lang: str) -> str:
        return pick(self.labels.get(iri), lang, iri)

    def has_labels(self, iri: str) -> bool:
        return iri in self.labels

    def of_kind(self, kind: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind == kind]

    def listing(self, kind: str) -> Listing:
        """The things of `kind` indexed by their facet values (built on first use; two
        requests that race build the same thing, and one of them is kept)."""
        found = self._listings.get(kind)
        if found is None:
            found = self._listings[kind] = Listing(self.of_kind(kind), self.ranks)
        return found

    def levels(self) -> list[Level]:
        """The assurance levels, strongest first."""
        return [Level(iri, self.notations.get(iri, local_name(iri)), rank)
                for iri, rank in sorted(self.ranks.items(), key=lambda kv: (kv[1], kv[0]))]

    def search(self, text: str, limit: int = 50, kinds: Sequence[str] | None = None) -> list[Hit]:
        """Things whose labels or alternative labels (any language) contain every word
        of `text`, ignoring case and diacritics; prefix matches first."""
        words = fold(text).split()
        if not words:
            return []
        phrase = " ".join(words)
        hits = []
        for entry in self.entries.values():
            if kinds and entry.kind not in kinds:
                continue
            best: tuple[int, str] | None = None
            for key in entry.keys:
                if not all(w in key for w in words):
                    continue
                score = 0 if key.startswith(phrase) else 1 if f" {phrase}" in f" {key}" else 2
                if best is None or score < best[0]:
                    best = (score, key)
            if best is not None:
                hits.append(Hit(entry, best[0], best[1]))
        hits.sort(key=lambda h: (h.score, KIND_ORDER.index(h.entry.kind), len(h.matched), h.entry.iri))
        return hits[:limit]


SORTS = ("label", "-label", "country", "level")


class Listing:
    """The things of one kind, with the set of their positions for each facet value.

    What a list page shows is read from these sets: the things that match a choice of
    facet values (within a facet any chosen value, across facets all), how many of them
    have each value of each facet, and one page of them in a sort order. The counts of
    the whole list and each sort order are computed once."""

    def __init__(self, entries: Iterable[Entry], ranks: Mapping[str, int]) -> None:
        self.entries = list(entries)
        self._ranks = dict(ranks)
        postings: dict[str, dict[str, set[int]]] = {f: defaultdict(set) for f in FACETS}
        for position, entry in enumerate(self.entries):
            for f in FACETS:
                for value in entry.facets.get(f, ()):
                    postings[f][value].add(position)
        self.postings: dict[str, dict[str, frozenset[int]]] = {
            f: {v: frozenset(ps) for v, ps in by_value.items()} for f, by_value in postings.items()}
        self._everything = frozenset(range(len(self.entries)))
        self._all_counts = {f: {v: len(ps) for v, ps in by_value.items()}
                            for f, by_value in self.postings.items()}
        self._orders: dict[tuple[str, str], list[int]] = {}

    def matching(self, chosen: Mapping[str, Sequence[str]]) -> frozenset[int]:
        """The positions of the things that have, for every facet in `chosen`, one of
        the chosen values."""
        found = self._everything
        for f, values in chosen.items():
            if not values:
                continue
            by_value = self.postings.get(f, {})
            either = frozenset().union(*(by_value.get(v, frozenset()) for v in values))
            found = found & either
        return found

    def counts(self, matching: frozenset[int]) -> dict[str, dict[str, int]]:
        """For each facet, how many of the `matching` things have each of its values
        (values no matching thing has are left out)."""
        if len(matching) == len(self.entries):
            return self._all_counts
        out: dict[str, dict[str, int]] = {}
        for f, by_value in self.postings.items():
            here: dict[str, int] = {}
            if len(matching) < len(by_value):  # fewer things than values: read the things
                for position in matching:
                    for value in self.entries[position].facets.get(f, ()):
                        here[value] = here.get(value, 0) + 1
            else:
                for value, positions in by_value.items():
                    n = len(positions & matching)
                    if n:
                        here[value] = n
            out[f] = here
        return out

    def order(self, language: str, sort: str) -> list[int]:
        """All positions in a sort order of `SORTS` (names in `language`), computed once."""
        key = (language, sort)
        found = self._orders.get(key)
        if found is not None:
            return found
        if sort not in SORTS:
            raise ValueError(sort)
        entries = self.entries
        by_label = sorted(range(len(entries)), key=lambda i: (entries[i].sort_key(language), entries[i].iri))
        if sort == "-label":
            found = by_label[::-1]
        elif sort == "country":
            found = sorted(by_label, key=lambda i: min(entries[i].facets.get("country") or {"~"}))
        elif sort == "level":
            found = sorted(by_label, key=lambda i: min(
                (self._ranks.get(v, 99) for v in entries[i].facets.get("level", ())), default=99))
        else:
            found = by_label
        self._orders[key] = found
        return found

    def page(self, matching: frozenset[int], language: str, sort: str, start: int, size: int) -> list[Entry]:
        """The `size` matching things from the `start`-th on, in the sort order."""
        order = self.order(language, sort)
        if len(matching) == len(self.entries):
            return [self.entries[i] for i in order[start:start + size]]
        if start >= len(matching):
            return []
        chosen = (i for i in order if i in matching)
        return [self.entries[i] for i in islice(chosen, start, start + size)]


def _select(store: Store, name: str) -> ox.QuerySolutions:
    result = store.query(queries.load(name).text)
    assert isinstance(result, ox.QuerySolutions)
    return result


# -- one catalogue per store, rebuilt after each commit ---------------------------

_catalogues: PerGeneration[Catalogue] = PerGeneration(Catalogue.build, "catalogue")


def catalogue(store: Store) -> Catalogue:
    """The store's catalogue, built on first use and after each commit."""
    return _catalogues.get(store)


def current(store: Store) -> Catalogue | None:
    """The catalogue of the store's committed state when it is ready, else None (it is
    being rebuilt after a commit): for answers that must not come from an older state."""
    return _catalogues.current(store, start=False)


def keep_up_to_date(store: Store, background: bool = True) -> None:
    """Rebuild the store's catalogue right after every commit (once per store); in the
    background when it is slow, unless `background` is false."""
    _catalogues.keep_up_to_date(store, background)


def adopt(store: Store) -> None:
    """For a server that starts: see `PerGeneration.adopt`."""
    _catalogues.adopt(store)
