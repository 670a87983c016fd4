"""An informer's cache: objects keyed `namespace/name` (or `name`), a change counter the
UI compares to skip repaints, and cheap snapshots (objects are never mutated in place).
Besides the one view that paints a store (`take_changes`), other readers (the live lint)
follow its changes through taps of their own."""

from __future__ import annotations

import threading
from collections.abc import Callable

from kubetui.render.json_types import Obj


def object_key(obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace")
    return f"{ns}/{meta.get('name', '')}" if ns else meta.get("name", "")


class Tap:
    """What changed in a store since its reader last looked (`Store.take_tap`)."""

    def __init__(self) -> None:
        self.dirty: set[str] = set()
        self.reset = True  # everything changed (first look, a relist): read it all


class Store:
    def __init__(self, wake: Callable[[], None] | None = None) -> None:
        self.wake = wake  # called after each change, from the thread that made it
        self._lock = threading.Lock()
        self._items: dict[str, Obj] = {}
        self.version = 0  # bumped on every change
        self._dirty: set[str] = set()  # keys changed since the last take_changes()
        self._reset = True  # everything changed (a relist): rebuild, don't patch
        self._taps: list[Tap] = []

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> Obj | None:
        return self._items.get(key)

    def _changed(self, key: str) -> None:
        """(Under the lock.) The view and every tap will take `key` as changed."""
        self._dirty.add(key)
        for tap in self._taps:
            tap.dirty.add(key)

    def _woken(self) -> None:
        """(After the lock.) Tell the UI, if one listens."""
        if self.wake is not None:
            self.wake()

    def upsert(self, obj: Obj) -> None:
        key = object_key(obj)
        with self._lock:
            self._items[key] = obj
            self._changed(key)
            self.version += 1
        self._woken()

    def delete(self, obj: Obj) -> None:
        key = object_key(obj)
        with self._lock:
            if self._items.pop(key, None) is None:
                return
            self._changed(key)
            self.version += 1
        self._woken()

    def merge_page(self, objs: list[Obj]) -> set[str]:
        """A page of a list (the first, or a relist), taken object by object: one the
        store holds at the same resourceVersion is kept (the decoded copy is dropped at
        once), any other is set and counted as changed. Returns the page's keys. A
        relist so never holds two copies of the cache, and changes only what changed."""
        keys: set[str] = set()
        changed = False
        with self._lock:
            items = self._items
            for obj in objs:
                key = object_key(obj)
                keys.add(key)
                rv = (obj.get("metadata") or {}).get("resourceVersion")
                if rv and self.holds(key, rv):
                    continue
                items[key] = obj
                self._changed(key)
                changed = True
            if changed:
                self.version += 1
        if changed:
            self._woken()
        return keys

    def holds(self, key: str, resource_version: str) -> bool:
        """Whether the store has `key` at this resourceVersion (a relist skips it)."""
        obj = self._items.get(key)
        return obj is not None and (obj.get("metadata") or {}).get(
            "resourceVersion") == resource_version

    def retain(self, keys: set[str], scope: str | None = None) -> None:
        """After a list: drop what it did not have (in `scope`, a namespace, if given)."""
        prefix = f"{scope}/" if scope else None
        with self._lock:
            gone = [k for k in self._items if k not in keys and (
                prefix is None or k.startswith(prefix))]
            for key in gone:
                del self._items[key]
                self._changed(key)
            if gone:
                self.version += 1
        if gone:
            self._woken()

    def replace(self, objs: list[Obj], scope: str | None = None) -> None:
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
            self._reset = True
            self._dirty = set()
            for tap in self._taps:
                tap.reset, tap.dirty = True, set()
            self.version += 1
        self._woken()

    def snapshot(self) -> tuple[int, dict[str, Obj]]:
        with self._lock:
            return self.version, dict(self._items)

    def take_changes(self) -> tuple[bool, set[str], dict[str, Obj]]:
        """For the one view painting this store: (rebuild everything?, keys changed since
        the last call, the items). After a rebuild the items are a copy to iterate;
        otherwise the live dict, which the caller must only `get` from."""
        with self._lock:
            reset, dirty = self._reset, self._dirty
            self._reset, self._dirty = False, set()
            items = dict(self._items) if reset else self._items
        return reset, dirty, items

    def tap(self) -> Tap:
        """A reader of this store's changes of its own (beside the painting view's)."""
        tap = Tap()
        with self._lock:
            self._taps.append(tap)
        return tap

    def untap(self, tap: Tap) -> None:
        with self._lock:
            self._taps = [t for t in self._taps if t is not tap]

    def take_tap(self, tap: Tap) -> tuple[bool, set[str], dict[str, Obj]]:
        """As take_changes, for a tap: (read everything?, keys changed since its last
        look, the items). After a reset the items are a copy to iterate; otherwise the
        live dict, to `get` from only."""
        with self._lock:
            reset, dirty = tap.reset, tap.dirty
            tap.reset, tap.dirty = False, set()
            items = dict(self._items) if reset else self._items
        return reset, dirty, items

    def mark_reset(self) -> None:
        """The next take_changes() hands over everything (a new view starts painting)."""
        with self._lock:
            self._reset = True

    def clear(self, scope: str | None = None) -> None:
        self.replace([], scope)
