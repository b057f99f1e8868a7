"""A small bounded LRU cache of search results, emptied whenever the index changes.

The engine keys results by (normalised query, part filter, page, limit) and clears the
cache when it opens a new index generation, so a rebuild is never answered from stale
results. Not thread-safe by itself: the engine calls it under its own lock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LruCache(Generic[V]):
    """At most ``size`` entries; the least recently used one goes first."""

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self.hits = 0

    def get(self, key: Hashable) -> V | None:
        value = self._entries.get(key)
        if value is None:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return value

    def put(self, key: Hashable, value: V) -> None:
        if self.size == 0:
            return
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
