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

    def replace(self, objs: list[dict], scope: str | None = None) -> None:
        """Make the store hold exactly these objects (after a relist), counting one change
        when anything differs, so a relist does not flicker an unchanged view. With a
        scope (a namespace), only that namespace's objects are replaced: informers of
        several namespaces can share one store."""
        fresh = {object_key(o): o for o in objs}
        prefix = f"{scope}/" if scope else None
        with self._lock:
            current = self._items if prefix is None else {
                k: v for k, v in self._items.items() if k.startswith(prefix)}
            same = fresh.keys() == current.keys() and all(
                (current[k].get("metadata") or {}).get("resourceVersion")
                == (o.get("metadata") or {}).get("resourceVersion") for k, o in fresh.items())
            if same:
                return
            if prefix is None:
                self._items = fresh
            else:
                items = {k: v for k, v in self._items.items() if not k.startswith(prefix)}
                items.update(fresh)
                self._items = items
            self.version += 1

    def snapshot(self) -> tuple[int, dict[str, dict]]:
        with self._lock:
            return self.version, dict(self._items)

    def clear(self, scope: str | None = None) -> None:
        self.replace([], scope)
