"""Turning a store snapshot into table rows without redoing unchanged work: a row is
recomputed only when its object's resourceVersion changed, or when ages must tick."""

from __future__ import annotations

from typing import Callable

Row = tuple[tuple[str, ...], str]  # (cells, health)
RowFn = Callable[[dict, float], Row]


class RowCache:
    def __init__(self, row_fn: RowFn):
        self.row_fn = row_fn
        self._cache: dict[str, tuple[str, Row]] = {}
        self._version = -1
        self._second = -1

    def rows(self, version: int, items: dict[str, dict], now: float,
             force: bool = False) -> dict[str, Row] | None:
        """The rows for this snapshot, or None when nothing visible changed since the
        last call (same store version, same second) and `force` is not set."""
        second = int(now)
        if version == self._version and second == self._second:
            return {k: v[1] for k, v in self._cache.items()} if force else None
        retick = second != self._second
        self._version, self._second = version, second
        fresh: dict[str, tuple[str, Row]] = {}
        cache = self._cache
        row_fn = self.row_fn
        for key, obj in items.items():
            rv = (obj.get("metadata") or {}).get("resourceVersion", "")
            hit = cache.get(key)
            if hit is not None and hit[0] == rv and not retick:
                fresh[key] = hit
            else:
                fresh[key] = (rv, row_fn(obj, now))
        self._cache = fresh
        return {k: v[1] for k, v in fresh.items()}
