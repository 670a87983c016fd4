"""The browser's rows in the order shown: the keys that pass the filter, sorted by key or
by a column, patched in place as rows change (a sort by key inserts and removes; a
column sort sorts again only when something changed)."""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from kubetui.render.rows import RowModel
from kubetui.render.views import by_number, by_text, sort_key
from kubetui.ui.navigation import Filter


class RowOrder:
    """The filtered, sorted key list of the view shown (`keys`)."""

    def __init__(self) -> None:
        self.visible: set[str] = set()  # keys that pass the filter
        self.keys: list[str] = []
        self.filtered: str | None = None  # the filter `visible` was made with
        self._by_key: list[str] | None = None  # `visible` sorted, while it is unchanged

    def clear(self) -> None:
        self.visible, self.keys, self.filtered = set(), [], None
        self._by_key = None

    def update(self, model: RowModel, f: Filter, headers: tuple[str, ...], column: str | None,
               reverse: bool, rebuild: bool, changed: set[str], removed: set[str],
               items: dict, reset: bool = True) -> bool:
        """Keep the filtered, sorted key list: patched in place when sorted by key, sorted
        again only when a column sort is on and something changed. Returns whether any
        row was added, removed or moved."""
        rows = model.rows

        def keeps(key: str) -> bool:  # (the cells only for a filter that reads them)
            return f.keeps(rows.text(key) if f.reads_cells else "",
                                key.rsplit("/", 1)[-1])

        if rebuild and (reset or self.filtered != f.text):
            self.visible = f.kept(rows, rows.text)
            self.filtered, self._by_key = f.text, None
        else:  # (a patch, or a sort: the rows kept are those kept before, patched)
            if removed or changed:
                self._by_key = None
            for key in removed:
                self.visible.discard(key)
            for key in changed:
                if keeps(key):
                    self.visible.add(key)
                else:
                    self.visible.discard(key)
        if column in headers:
            before, self.keys = self.keys, self._sorted(model, column, headers.index(column),
                                                        reverse, items)
            return before != self.keys
        if rebuild or len(changed) + len(removed) > len(self.keys) // 8 + 64:
            self.keys = sorted(self.visible)  # many at once: sorting beats inserting
            return True
        order, moved = self.keys, False
        for key in removed | (changed - self.visible):
            i = bisect_left(order, key)
            if i < len(order) and order[i] == key:
                del order[i]
                moved = True
        for key in changed & self.visible:
            i = bisect_left(order, key)
            if i >= len(order) or order[i] != key:
                order.insert(i, key)
                moved = True
        return moved

    def _sorted(self, model: RowModel, column: str, i: int, reverse: bool,
                items: dict) -> list[str]:
        """The visible keys by column `i` (ties by key): the values are read in one pass,
        then the positions sorted by value. The keys come sorted first and the sort is
        stable, so ties stay in key order (reversed with the sort): no (value, key) pairs,
        whose tuple comparisons took 2-3 times as long at 100,000 rows."""
        if self._by_key is None:  # (kept: pressing sort keys in turn sorts 100,000 once)
            self._by_key = sorted(self.visible)
        keys = self._by_key[::-1] if reverse else self._by_key  # (read, never changed)
        if column == "AGE":
            created = model.created
            values: list[Any] = [-created.get(k, 0.0) for k in keys]
        else:
            key_fn = sort_key(column)
            cells = model.rows.column(keys, i)
            if key_fn is by_text:
                values = cells
            elif key_fn is by_number:  # each distinct cell once ("0" is most of them)
                number = {c: by_number(c, None) for c in set(cells)}
                values = [number[c] for c in cells]
            else:
                values = [key_fn(c, items.get(k)) for c, k in zip(cells, keys, strict=True)]
        order = sorted(range(len(keys)), key=values.__getitem__, reverse=reverse)
        return [keys[i] for i in order]


__all__ = ["RowOrder"]
