"""An informer's cache: objects keyed `namespace/name` (or `name`), a change counter the
UI compares to skip repaints, and cheap snapshots (objects are never mutated in place)."""

from __future__ import annotations

import threading


def object_key(obj: dict) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{ns}/{meta.get('name', '')}" if ns else meta.get("name", "")


class Store:
    def __init__(self):
        self._lock = threading.Lock()
        self._items: dict[str, dict] = {}
        self.version = 0  # bumped on every change

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> dict | None:
        return self._items.get(key)

    def upsert(self, obj: dict) -> None:
        with self._lock:
            self._items[object_key(obj)] = obj
            self.version += 1

    def delete(self, obj: dict) -> None:
        with self._lock:
            if self._items.pop(object_key(obj), None) is not None:
                self.version += 1

    def replace(self, objs: list[dict]) -> None:
        """Make the store hold exactly these objects (after a relist), counting one change
        when anything differs, so a relist does not flicker an unchanged view."""
        fresh = {object_key(o): o for o in objs}
        with self._lock:
            same = fresh.keys() == self._items.keys() and all(
                (self._items[k].get("metadata") or {}).get("resourceVersion")
                == (o.get("metadata") or {}).get("resourceVersion") for k, o in fresh.items())
            if not same:
                self._items = fresh
                self.version += 1

    def snapshot(self) -> tuple[int, dict[str, dict]]:
        with self._lock:
            return self.version, dict(self._items)
