"""The catalogue: what lists, facets, search and the levels overview show, kept in memory.

Whole-store aggregates are slow at scale (DESIGN.md: a count per level takes seconds at
10M triples), so the catalogue is built once from a few queries and rebuilt after every
commit (`Store.add_commit_hook`). Facet counts and search then run over the
catalogue in memory. Persons and awards are not in it: they are the bulk of a big store.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import queries
from .derived import PerGeneration
from .labels import fold, local_name, pick
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


def facet_counts(entries: Iterable[Entry], facets: Sequence[str] = FACETS) -> dict[str, Counter[str]]:
    """For each facet, how many of `entries` have each value."""
    counts: dict[str, Counter[str]] = {f: Counter() for f in facets}
    for entry in entries:
        for f in facets:
            values = entry.facets.get(f)
            if values:
                counts[f].update(values)
    return counts


def select(entries: Iterable[Entry], chosen: Mapping[str, Sequence[str]]) -> list[Entry]:
    """The entries that have, for every facet in `chosen`, one of the chosen values."""
    wanted = {f: set(v) for f, v in chosen.items() if v}
    return [e for e in entries if all(e.facets.get(f, set()) & vals for f, vals in wanted.items())]


def _select(store: Store, name: str) -> ox.QuerySolutions:
    result = store.query(queries.load(name).text)
    assert isinstance(result, ox.QuerySolutions)
    return result


# -- one catalogue per store, rebuilt after each commit ---------------------------

_catalogues: PerGeneration[Catalogue] = PerGeneration(Catalogue.build, "catalogue")


def catalogue(store: Store) -> Catalogue:
    """The store's catalogue, built on first use and after each commit."""
    return _catalogues.get(store)


def keep_up_to_date(store: Store, background: bool = True) -> None:
    """Rebuild the store's catalogue right after every commit (once per store); in the
    background when it is slow, unless `background` is false."""
    _catalogues.keep_up_to_date(store, background)
