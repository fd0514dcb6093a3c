"""Rendered pages, kept per committed state of the store and interface language.

An entity page depends only on the store's data (its generation), the language and the
request's parameters; rendering it again for every visitor is work that can be done once
per state (measured: 7-13 ms of CPU a credential page at 1M triples, of which queries are
a third and the template the rest). The cache holds the most recently used pages up to
a number of bytes; a commit makes a new generation, so no page outlives its data.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

MAX_BYTES = 64 * 1024 * 1024


class PageCache:
    """Least recently used pages, up to `max_bytes` of text."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: str) -> None:
        size = len(page)
        if size > self.max_bytes // 16:
            return
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._pages[key] = page
            self._bytes += size
            while self._bytes > self.max_bytes and self._pages:
                _key, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._pages)


PAGES = PageCache()
