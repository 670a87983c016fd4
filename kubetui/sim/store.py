"""The sim's etcd: objects by kind, one global resourceVersion, a bounded event log for
watch replay (older versions answer 410 Gone), and the watchers to notify."""

from __future__ import annotations

import asyncio
import builtins
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Callable

from .meta import already_exists, not_found
from .resources import Registry, Resource
from .selectors import Matcher

# Status fields the API's Go types write even at zero (no omitempty; "required" in the
# OpenAPI): a real server's object always has them, from its creation on, and a client
# that checks the schema (kubernetes>=37 does) refuses an object without them. The sim's
# controllers fill them in a moment after a create; until then it answered `status: {}`.
ZERO_STATUS: dict[str, tuple[str, ...]] = {
    "ReplicaSet": ("replicas",),
    "ReplicationController": ("replicas",),
    "StatefulSet": ("replicas",),
    "DaemonSet": ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                  "numberReady"),
    "HorizontalPodAutoscaler": ("desiredReplicas",),
}

ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"
CLOSE = object()  # queued to a watch to end it (dropped connection, fault)


@dataclass(slots=True)
class Change:
    rv: int
    res: Resource
    type: str
    obj: dict
    old: dict | None


@dataclass(eq=False)
class Watcher:
    res: Resource
    namespace: str | None
    match: Matcher | None
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)

    def translate(self, change: Change) -> str | None:
        """The event type this watcher sees for a change, honouring selectors: an object
        that stops matching is DELETED for it, one that starts matching is ADDED."""
        if change.res is not self.res:
            return None
        if self.namespace and change.obj["metadata"].get("namespace") != self.namespace:
            return None
        if self.match is None:
            return change.type
        now = self.match(change.obj)
        if change.type != MODIFIED:
            return change.type if now else None
        before = change.old is not None and self.match(change.old)
        if now and before:
            return MODIFIED
        if now:
            return ADDED
        if before:
            return DELETED
        return None


class Store:
    def __init__(self, log_limit: int = 50_000, first_rv: int = 1000):
        self.rv = first_rv
        self.compacted = first_rv
        self.log_limit = log_limit
        self._log: deque[Change] = deque()
        self.registry = Registry()
        self._objects: dict[str, dict[tuple[str, str], dict]] = defaultdict(dict)
        self._keys: dict[str, list[tuple[str, str]]] = defaultdict(list)  # sorted, per kind
        self.watchers: set[Watcher] = set()
        self.listeners: list[Callable[[Change], None]] = []

    # -- reads
    def get(self, res: Resource, namespace: str | None, name: str) -> dict | None:
        return self._objects[res.key].get((namespace or "", name))

    def must_get(self, res: Resource, namespace: str | None, name: str) -> dict:
        obj = self.get(res, namespace, name)
        if obj is None:
            raise not_found(res, name)
        return obj

    def list(self, res: Resource, namespace: str | None = None,
             match: Matcher | None = None) -> list[dict]:
        return self.page(res, namespace, match)[0]

    def page(self, res: Resource, namespace: str | None = None, match: Matcher | None = None,
             after: tuple[str, str] | None = None,
             limit: int = 0) -> tuple[builtins.list[dict], int]:
        """Objects in key order after `after`, at most `limit` (0: all), and how many
        more match beyond them (-1: some, with a selector; 0: none). A page costs what it
        returns, not the whole kind: keys are kept sorted as objects come and go."""
        objs, keys = self._objects[res.key], self._keys[res.key]
        lo, hi = 0, len(keys)
        if namespace:  # the namespace's keys are one run of the sorted index
            lo = bisect_left(keys, (namespace, ""))
            hi = bisect_left(keys, (namespace + "\0", ""), lo)
        start = max(lo, bisect_right(keys, after, lo, hi)) if after is not None else lo
        out: list[dict] = []
        for i in range(start, hi):
            obj = objs[keys[i]]
            if match is None or match(obj):
                if limit and len(out) == limit:
                    # more to come: how many is known without a selector (the real server
                    # gives remainingItemCount only then), and costs nothing to say
                    return out, (hi - i if match is None else -1)
                out.append(obj)
        return out, 0

    def count(self, res: Resource) -> int:
        return len(self._objects[res.key])

    # -- writes: each bumps the global resourceVersion and notifies
    def _record(self, res: Resource, etype: str, obj: dict, old: dict | None) -> dict:
        if (zeros := ZERO_STATUS.get(res.kind)) is not None and etype != DELETED:
            status = obj.get("status")
            if not isinstance(status, dict):
                status = obj["status"] = {}
            for name in zeros:
                status.setdefault(name, 0)
        self.rv += 1
        obj["metadata"]["resourceVersion"] = str(self.rv)
        change = Change(self.rv, res, etype, obj, old)
        self._log.append(change)
        if len(self._log) > self.log_limit:
            self.compacted = self._log.popleft().rv
        for w in self.watchers:
            if (etype_seen := w.translate(change)) is not None:
                w.queue.put_nowait((etype_seen, obj))
        for listener in self.listeners:
            listener(change)
        return obj

    def add(self, res: Resource, obj: dict) -> dict:
        meta = obj["metadata"]
        key = (meta.get("namespace", "") if res.namespaced else "", meta["name"])
        if key in self._objects[res.key]:
            raise already_exists(res, meta["name"])
        self._objects[res.key][key] = obj
        insort(self._keys[res.key], key)
        return self._record(res, ADDED, obj, None)

    def replace(self, res: Resource, obj: dict) -> dict:
        meta = obj["metadata"]
        key = (meta.get("namespace", "") if res.namespaced else "", meta["name"])
        old = self._objects[res.key].get(key)
        if old is None:
            raise not_found(res, meta["name"])
        self._objects[res.key][key] = obj
        return self._record(res, MODIFIED, obj, old)

    def remove(self, res: Resource, namespace: str | None, name: str) -> dict:
        key = (namespace or "" if res.namespaced else "", name)
        old = self._objects[res.key].pop(key, None)
        if old is None:
            raise not_found(res, name)
        keys = self._keys[res.key]
        del keys[bisect_left(keys, key)]
        gone = dict(old)
        gone["metadata"] = dict(old["metadata"])
        return self._record(res, DELETED, gone, old)

    # -- watch support
    def replay(self, since: int) -> builtins.list[Change] | None:
        """Changes after `since`, or None when that version is compacted away (410)."""
        if since < self.compacted:
            return None
        out = []
        for c in reversed(self._log):  # from the newest: costs what it returns
            if c.rv <= since:
                break
            out.append(c)
        out.reverse()
        return out

    def expire(self) -> None:
        """Forget the event log (as a compaction does): a watch from any version handed
        out so far gets 410; a list taken afterwards can be watched from."""
        self._log.clear()
        self.rv += 1
        self.compacted = self.rv

    def drop_watches(self) -> None:
        for w in list(self.watchers):
            w.queue.put_nowait(CLOSE)
