"""A table of "one shared copy" per value that forgets what is not used again.

The slim decoder keeps one copy of the maps and strings many pods repeat. A plain dict
capped at N entries (then cleared) also kept every value seen once: under churn each
pod update whose annotations changed added an entry (4,400 every 15 s at 300 updates a
second), and at 20 updates a second the table grew for 40 minutes before its cap
cleared it, which the 30-minute soak showed as growth. Here the entries live in two
generations: a value found in the older one moves to the newer; when the newer is full
the older is dropped. What pods keep sharing stays found; what was seen once goes after
two generations; the table never holds more than two generations' entries."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class OneCopy(Generic[K, V]):
    """`own_key(key, value)` is the key the table keeps for an entry it stores or moves
    to the newer generation: by default the caller's key. The caller's key may be a
    lookup's temporary (orjson's bytes keep 4 KiB of capacity; a freshly decoded
    string duplicates the copy kept): moved with it, 4,600 shared-map entries held 18 MB
    of such keys in a soak's first minutes."""

    def __init__(self, generation: int,
                 own_key: Callable[[K, V], K] | None = None) -> None:
        self.generation = generation  # entries a generation holds before it turns
        self.own_key = own_key
        self.newer: dict[K, V] = {}
        self.older: dict[K, V] = {}
        self.turns = 0  # generations turned (for tests and benchmarks)

    def __len__(self) -> int:
        return len(self.newer) + len(self.older)

    def get(self, key: K) -> V | None:
        found = self.newer.get(key)
        if found is None:
            found = self.older.pop(key, None)
            if found is not None:
                self._put(key, found)
        return found

    def add(self, key: K, value: V) -> V:
        """Keep `value` as the copy for `key` (which must not be held already)."""
        self._put(key, value)
        return value

    def setdefault(self, key: K, value: V) -> V:
        found = self.get(key)
        return self.add(key, value) if found is None else found

    def _put(self, key: K, value: V) -> None:
        if self.own_key is not None:
            key = self.own_key(key, value)
        self.newer[key] = value
        if len(self.newer) >= self.generation:
            self.older, self.newer = self.newer, {}
            self.turns += 1

    def clear(self) -> None:
        self.newer, self.older = {}, {}


__all__ = ["OneCopy"]
