"""Marked rows, per view (kind and namespace): `space` marks or unmarks the row under
the cursor, `ctrl+space` clears them. Marks are row keys, so they survive row updates
and re-sorting; a row that goes away drops its mark."""

from __future__ import annotations

View = tuple[str, str | None]


class Marks:
    def __init__(self):
        self._by_view: dict[View, set[str]] = {}

    def of(self, view: View) -> set[str]:
        """The marked keys of a view (the same set object each time: the table reads it
        when it draws)."""
        return self._by_view.setdefault(view, set())

    def toggle(self, view: View, key: str) -> bool:
        """Mark or unmark `key`; True when it is marked now."""
        keys = self.of(view)
        if key in keys:
            keys.discard(key)
            return False
        keys.add(key)
        return True

    def clear(self, view: View) -> int:
        keys = self.of(view)
        n = len(keys)
        keys.clear()
        return n

    def drop(self, view: View, gone) -> None:
        """Rows that were deleted lose their marks."""
        keys = self._by_view.get(view)
        if keys:
            keys.difference_update(gone)

    def keep_only(self, view: View, present) -> None:
        """After a full list: only rows that still exist keep their marks."""
        keys = self._by_view.get(view)
        if keys:
            keys.intersection_update(present)
