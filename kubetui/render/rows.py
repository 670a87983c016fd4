"""Table rows, built lazily: a row is formatted only when something asks for it (the
table drawing the rows on screen, a filter or a column sort reading every row), then
kept until its object changes (the store says which) or the columns' inputs change
(`invalidate`, e.g. new metrics). Ages tick at draw time, for the visible rows only
(`ResourceTable` renders the AGE column from `created`).

At 10,000 pods a sync used to format every row on the UI thread (0.3 s), and a metrics
read every 15 s formatted them all again (0.5 s each time, most of an idle app's CPU):
now a sync or a metrics read formats the screenful that is shown."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping

from .age import parse_time
from .json_types import Obj

Row = tuple[tuple[str, ...], str]  # (cells, health)
RowFn = Callable[[Obj, float], Row]


ExtraFn = Callable[[Obj], tuple[str, ...]]


class LazyRows(Mapping[str, Row]):
    """key -> row, formatted on first read from the object the model holds for it.

    `extra` adds cells from outside the object (the usage columns, from metrics.k8s.io):
    they are kept apart, so a new metrics read (`invalidate_extra`) re-reads only them
    and the object's own cells stay formatted."""

    def __init__(self, row_fn: RowFn, clock: Callable[[], float],
                 extra: ExtraFn | None = None):
        self.row_fn = row_fn
        self.extra = extra
        self.clock = clock
        self.objs: dict[str, Obj] = {}
        self.cache: dict[str, Row] = {}  # the object's own cells
        self.extras: dict[str, tuple[str, ...]] = {}  # the extra cells
        self.texts: dict[str, str] = {}  # key -> the row's cells joined (see text)
        self.built = 0  # rows formatted so far (for tests and benchmarks)

    def _own(self, key: str) -> Row:
        row = self.cache.get(key)
        if row is None:
            row = self.row_fn(self.objs[key], self.clock())
            self.cache[key] = row
            self.built += 1
        return row

    def __getitem__(self, key: str) -> Row:
        row = self._own(key)
        if self.extra is None:
            return row
        cells = self.extras.get(key)
        if cells is None:
            cells = self.extras[key] = self.extra(self.objs[key])
        return (*row[0], *cells), row[1]

    def cell(self, key: str, i: int) -> str:
        """Column `i` of a row (a sort by one of the object's columns reads no extra)."""
        own = self._own(key)[0]
        return own[i] if i < len(own) else self[key][0][i]

    def column(self, keys: Iterable[str], i: int) -> list[str]:
        """Column `i` of each of `keys`, in one pass (a sort reads every row's)."""
        cache, own, out = self.cache, self._own, []
        for key in keys:
            cells = (cache.get(key) or own(key))[0]
            out.append(cells[i] if i < len(cells) else self[key][0][i])
        return out

    def invalidate_extra(self) -> None:
        self.extras.clear()
        self.texts.clear()

    def text(self, key: str) -> str:
        """The row's cells on lines of their own (one regex search per row for a
        filter, `^` and `$` at each cell's ends with re.MULTILINE), kept with the row."""
        text = self.texts.get(key)
        if text is None:
            text = self.texts[key] = "\n".join(self[key][0])
        return text

    def refresh_since(self, keys: Iterable[str], i: int) -> bool:
        """Rows whose cell `i` counts from a moment, as a pod's RESTARTS does ("2 (10s
        ago)", formatted when the row was): formatted again now, as the AGE column
        ticks; whether any of them reads differently. (Asked for the visible rows, once
        a second: they stood still while AGE beside them went on.)"""
        changed = False
        for key in keys:
            row = self.cache.get(key)
            if row is None or i >= len(row[0]) or not row[0][i].endswith(" ago)"):
                continue
            fresh = self.row_fn(self.objs[key], self.clock())
            if fresh != row:
                self.cache[key] = fresh
                self.texts.pop(key, None)
                changed = True
        return changed

    def forget(self, key: str) -> None:
        self.cache.pop(key, None)
        self.extras.pop(key, None)
        self.texts.pop(key, None)

    def __contains__(self, key: object) -> bool:
        return key in self.objs

    def __iter__(self) -> Iterator[str]:
        return iter(self.objs)

    def __len__(self) -> int:
        return len(self.objs)


class RowModel:
    def __init__(self, row_fn: RowFn, when: Callable[[Obj], float] | None = None,
                 clock: Callable[[], float] | None = None, extra: ExtraFn | None = None):
        """`when`: the time the ticking column counts from (creation; an event's last
        occurrence for LAST SEEN). `clock`: the `now` rows are formatted at. `extra`:
        cells from outside the object (see LazyRows)."""
        self.when = when or _created
        self.rows = LazyRows(row_fn, clock or time.time, extra)
        self.created: dict[str, float] = {}  # key -> creationTimestamp, for live ages

    @property
    def row_fn(self) -> RowFn:
        return self.rows.row_fn

    def invalidate(self) -> None:
        """Every row's inputs changed (not its object): format again when read."""
        self.rows.cache.clear()
        self.rows.invalidate_extra()

    def invalidate_extra(self) -> None:
        """The extra cells' source changed (a metrics read): re-read only those."""
        self.rows.invalidate_extra()

    def apply(self, reset: bool, dirty: Iterable[str], items: Mapping[str, Obj],
              now: float) -> tuple[set[str], set[str]]:
        """Take the objects' changes; returns (added or changed keys, removed keys).
        No row is formatted here. A reset (a new filter or sort on the same view, a
        relist) keeps the rows whose object is the very same one (the stores replace
        an object when it changes)."""
        rows, created, when = self.rows, self.created, self.when
        objs, cache = rows.objs, rows.cache
        if reset:  # (a row already formatted from the very same object is kept)
            old_objs, old_created = objs, dict(created)
            rows.objs = objs = dict(items)
            rows.cache = {k: row for k, row in cache.items()
                          if objs.get(k) is old_objs.get(k)}
            rows.extras = {k: c for k, c in rows.extras.items() if k in rows.cache}
            rows.texts = {k: t for k, t in rows.texts.items() if k in rows.cache}
            created.clear()
            for key, obj in objs.items():
                created[key] = old_created[key] if old_objs.get(key) is obj else when(obj)
            return set(objs), set(old_objs) - set(objs)
        changed: set[str] = set()
        removed: set[str] = set()
        for key in dirty:
            found = items.get(key)
            rows.forget(key)
            if found is None:
                if objs.pop(key, None) is not None:
                    created.pop(key, None)
                    removed.add(key)
            else:
                objs[key] = found
                created[key] = when(found)
                changed.add(key)
        return changed, removed


def _created(obj: Obj) -> float:
    return parse_time((obj.get("metadata") or {}).get("creationTimestamp")) or 0.0
