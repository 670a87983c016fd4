"""Table rows kept up to date by patching: a row is rebuilt only when its object changed
(the store says which), never on a clock tick. Ages tick at draw time instead, for the
visible rows only (`ResourceTable` renders the AGE column from `created`)."""

from __future__ import annotations

from typing import Callable, Iterable

from .age import parse_time
from .json_types import Obj

Row = tuple[tuple[str, ...], str]  # (cells, health)
RowFn = Callable[[Obj, float], Row]


class RowModel:
    def __init__(self, row_fn: RowFn, when: Callable[[Obj], float] | None = None):
        """`when`: the time the ticking column counts from (creation; an event's last
        occurrence for LAST SEEN)."""
        self.row_fn = row_fn
        self.when = when or _created
        self.rows: dict[str, Row] = {}
        self.created: dict[str, float] = {}  # key -> creationTimestamp, for live ages

    def apply(self, reset: bool, dirty: Iterable[str], items: dict[str, Obj],
              now: float) -> tuple[set[str], set[str]]:
        """Bring the rows up to date; returns (added or changed keys, removed keys)."""
        fn, rows, created, _created = self.row_fn, self.rows, self.created, self.when
        if reset:
            old = set(rows)
            rows.clear()
            created.clear()
            for key, obj in items.items():
                rows[key] = fn(obj, now)
                created[key] = _created(obj)
            return set(rows), old - set(rows)
        changed: set[str] = set()
        removed: set[str] = set()
        for key in dirty:
            found = items.get(key)
            if found is None:
                if rows.pop(key, None) is not None:
                    created.pop(key, None)
                    removed.add(key)
            else:
                rows[key] = fn(found, now)
                created[key] = _created(found)
                changed.add(key)
        return changed, removed


def _created(obj: Obj) -> float:
    return parse_time((obj.get("metadata") or {}).get("creationTimestamp")) or 0.0
