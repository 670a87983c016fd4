"""A slim informer: list then watch as `Informer` does (relist on 410, resume after a
cut stream, back off, reload credentials on 401, health as data, "stale since"), but its
store is a table of small tuples (see fleet_slim), filled page by page, and the sums a
fleet row shows are kept as the table changes (never recounted over every pod)."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any, Generic, TypeVar

import msgspec

from .client import ApiError, KubeClient
from .fleet_slim import Decoder, NodeRow, PodRow
from .informer import LIVE, Expired, Informer
from .kinds import Kind
from .outage import OutageLog

log = logging.getLogger("kubetui.fleet")
LIST_TIMEOUT = (3, 60)  # (connect, read): an unreachable server costs 3 s, not 10
V = TypeVar("V")  # a table's small value (fleet_slim's PodRow, NodeRow, an event's time)


class SlimTable(Generic[V]):
    """key -> small value, with running sums (`Sums`); thread-safe; `version` is bumped
    on every change."""

    def __init__(self, sums: Sums[V]) -> None:
        self._lock = threading.Lock()
        self.items: dict[str, V] = {}
        self.sums = sums
        self.version = 0

    def __len__(self) -> int:
        return len(self.items)

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._put(key, value)
            self.version += 1

    def _put(self, key: str, value: V) -> None:
        """(Under the lock.) Set a row, its old one taken out of the sums first."""
        old = self.items.get(key)
        if old is not None:
            self.sums.remove(old)
        self.items[key] = value
        self.sums.add(value, old)

    def delete(self, key: str) -> None:
        with self._lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.sums.remove(old)
                self.version += 1

    def replace(self, fresh: dict[str, V], scope: str | None = None) -> None:
        """A (re)list: what it has, in place of what the table had (in `scope`, a
        namespace, when several namespaced watches share the table)."""
        with self._lock:
            prefix = f"{scope}/" if scope else None
            for key in [k for k in self.items if prefix is None or k.startswith(prefix)]:
                if key not in fresh:
                    self.sums.remove(self.items.pop(key))
            for key, value in fresh.items():
                self._put(key, value)
            self.version += 1

    def clear(self) -> None:
        with self._lock:
            self.items.clear()
            self.sums.reset()
            self.version += 1


class Sums(Generic[V]):
    def add(self, value: V, old: V | None) -> None: ...
    def remove(self, value: V) -> None: ...
    def reset(self) -> None: ...


class PodSums(Sums[PodRow]):
    """Pods: total, not ready, pending, requests; and the restarts of the last hour:
    those seen happen while watching, plus one for each pod whose last restart (when
    first seen) was in the last hour (its earlier ones are not known: a lower bound,
    `inexact_until` says until when)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = self.not_ready = self.pending = self.cpu = self.mem = 0
        self.restarts: deque[tuple[float, int]] = deque()
        # a pod first seen with restarts, the last within the hour, may have had more in
        # it before: the count is a lower bound until that last one is an hour old
        self.inexact_until = 0.0

    def _count(self, v: PodRow, sign: int) -> None:
        phase, ready, _, _, cpu, mem = v
        self.total += sign
        done = phase in ("Succeeded", "Failed")
        if not ready and not done:
            self.not_ready += sign
        if phase == "Pending":
            self.pending += sign
        if not done:
            self.cpu += sign * cpu
            self.mem += sign * mem

    def add(self, value: PodRow, old: PodRow | None) -> None:
        self._count(value, 1)
        restarts, last = value[2], value[3]
        if old is None:
            if restarts and last and last > time.time() - 3600:
                self.restarts.append((last, 1))
                if restarts > 1:
                    self.inexact_until = max(self.inexact_until, last + 3600)
        elif restarts > old[2]:
            self.restarts.append((last or time.time(), restarts - old[2]))

    def remove(self, value: PodRow) -> None:
        self._count(value, -1)

    def restarts_since(self, since: float) -> int:
        while self.restarts and self.restarts[0][0] < since - 60:  # (a little slack)
            self.restarts.popleft()
        return sum(n for t, n in list(self.restarts) if t >= since)


class NodeSums(Sums[NodeRow]):
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total = self.ready = self.cordoned = self.cpu = self.mem = 0

    def _count(self, v: NodeRow, sign: int) -> None:
        ready, cordoned, cpu, mem = v
        self.total += sign
        self.ready += sign * ready
        self.cordoned += sign * cordoned
        self.cpu += sign * cpu
        self.mem += sign * mem

    def add(self, value: NodeRow, old: NodeRow | None) -> None:
        self._count(value, 1)

    def remove(self, value: NodeRow) -> None:
        self._count(value, -1)


class EventSums(Sums[float]):
    """Warning events: counted by when they last happened, at read time."""

    def __init__(self) -> None:
        self.table: SlimTable[float] | None = None

    def since(self, when: float) -> int:
        items: dict[str, Any] = self.table.items if self.table is not None else {}
        return sum(1 for t in list(items.values()) if isinstance(t, (int, float)) and t >= when)

    def add(self, value: float, old: float | None) -> None:
        pass

    def remove(self, value: float) -> None:
        pass

    def reset(self) -> None:
        pass


class SlimWatch(Informer, Generic[V]):
    """An Informer whose store is a SlimTable of `decoder`'s small values."""

    def __init__(self, client: KubeClient, kind: Kind, decoder: Decoder[Any, V],
                 table: SlimTable[V],
                 namespace: str | None = None, field_selector: str | None = None):
        super().__init__(client, kind, namespace=namespace, field_selector=field_selector)
        self.decoder = decoder
        self.slim = table  # (not `table`: the Informer reads that as "ask for Tables")
        self.last_line = 0.0  # when the stream last said anything (a bookmark counts)
        self.bookmarks = 0
        # a fleet watches many clusters for hours: a traceback once an outage, not a retry
        self._outage = OutageLog(log, f"{client.context.name}: {self.path}")

    def _log_failure(self, state: str, message: str, delay: float) -> None:
        self._outage.failed(f"{message} ({state})")

    def _set(self, state: str, message: str = "", **kw: Any) -> None:
        if state == LIVE:  # (the stream is open: the outage, if any, is over)
            self._outage.recovered()
        super()._set(state, message, **kw)

    def _list(self) -> None:
        fresh: dict[str, V] = {}
        cont, rv = None, None
        while True:
            data = self.client.request("GET", self.path, {
                "limit": self.page_size, "continue": cont,
                "fieldSelector": self.field_selector}, timeout=LIST_TIMEOUT)
            try:
                items, meta = self.decoder.page(data)
            except msgspec.ValidationError as exc:
                raise ValueError(f"an answer not shaped as a {self.kind.kind} list: "
                                 f"{exc}") from exc
            fresh.update(items)
            rv = rv or meta.resourceVersion
            cont = meta.cont
            if not cont or self._stop.is_set():
                break
        self.slim.replace(fresh, scope=self.namespace)
        self.resource_version = rv
        self.last_line = time.time()
        self.lists += 1

    def _apply(self, line: bytes) -> None:
        self.last_line = time.time()
        try:
            etype, key, value, rv, status = self.decoder.event(line)
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
            # one odd line must not stop the row: skip it, say so in the log
            log.exception(
                "%s: skipped a watch line: %r", self.path, line[:80])
            return
        if etype == "ERROR":
            code = (status or {}).get("code")
            if code == 410:
                raise Expired((status or {}).get("message", "resource version expired"))
            raise ApiError(code or 500, (status or {}).get("reason", ""),
                           (status or {}).get("message", "watch error"))
        if etype in ("ADDED", "MODIFIED"):
            assert value is not None  # (for mypy) decoder.event gives these their value
            self.slim.put(key, value)
        elif etype == "DELETED":
            self.slim.delete(key)
        elif etype == "BOOKMARK":
            self.bookmarks += 1
        self.events += 1
        if rv:
            self.resource_version = rv


__all__ = ["EventSums", "NodeSums", "PodSums", "SlimTable", "SlimWatch"]
