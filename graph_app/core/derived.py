"""Values derived from the whole store (statistics, the search catalogue), computed once
per store generation: on first use and right after each commit, never per request.
Whole-graph aggregates are slow at scale (DESIGN.md), so pages read these instead."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from .store import Store

T = TypeVar("T")


class PerGeneration(Generic[T]):
    """One value per store, recomputed by `compute` when the store's generation moves."""

    def __init__(self, compute: Callable[[Store], T]) -> None:
        self._compute = compute
        self._values: weakref.WeakKeyDictionary[Store, tuple[int, T]] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._hooked: weakref.WeakSet[Store] = weakref.WeakSet()

    def get(self, store: Store) -> T:
        """The value for the store's current generation."""
        cached = self._values.get(store)
        if cached is not None and cached[0] == store.generation:
            return cached[1]
        with self._lock:
            cached = self._values.get(store)
            if cached is None or cached[0] != store.generation:
                generation = store.generation
                cached = (generation, self._compute(store))
                self._values[store] = cached
            return cached[1]

    def keep_up_to_date(self, store: Store) -> None:
        """Recompute right after every commit, so that no request waits (once per store)."""
        if store in self._hooked:
            return
        self._hooked.add(store)

        def refresh() -> None:
            self.get(store)

        store.add_commit_hook(refresh)
