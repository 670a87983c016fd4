"""List, then watch from the list's resourceVersion, forever: relist on 410 Gone, resume
after a dropped stream, back off with jitter on errors (honouring Retry-After), reload
credentials on 401, and report health as data the UI can show. Runs in its own thread
and only writes its store (its namespace's slice of it, when scoped)."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypedDict, Unpack

import orjson
import urllib3

from kubetui.render.json_types import Obj

from .client import ApiError, KubeClient, Stream
from .config import KubeConfigError
from .gc_hold import full_collections_held
from .kinds import Kind
from .slim import TABLE, decode_event, decode_list, decode_pod_relist, decode_table, table_event
from .store import Store

log = logging.getLogger("kubetui.informer")

SYNCING, LIVE, RELISTING, BACKOFF, FORBIDDEN, STOPPED = (
    "syncing", "live", "relisting", "backing off", "forbidden", "stopped")


class Expired(Exception):
    """The watch's resourceVersion is gone from the server's window: relist."""


@dataclass(frozen=True)
class Health:
    state: str = SYNCING
    message: str = ""
    since: float = 0.0  # when this state began
    attempt: int = 0
    next_try: float = 0.0
    listed: int = 0  # objects listed so far in the current (re)list
    total: int = 0  # what the server says the list holds (remainingItemCount), if known
    live_until: float = 0.0  # the data is as of then when not live ("stale since")


class _Retry(TypedDict, total=False):
    """What a state change may also set in Health (`Informer._set`)."""

    attempt: int
    next_try: float


class Informer:
    page_size = 500
    backoff_base = 0.5
    backoff_max = 30.0

    def __init__(self, client: KubeClient, kind: Kind, store: Store | None = None,
                 namespace: str | None = None, label_selector: str | None = None,
                 field_selector: str | None = None, table: bool = False,
                 watch_seconds: tuple[int, int] = (240, 300)):
        self.client = client
        self.kind = kind
        self.namespace = namespace
        self.path = kind.path(namespace)
        self.store = store if store is not None else Store()
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.table = table  # rows from the server's Table API (kinds without a built-in view)
        self.columns: list[Obj] | None = None
        self.watch_seconds = watch_seconds
        self.health = Health(since=time.time())
        self.on_state: Callable[[], None] | None = None  # told when the state changes
        self.resource_version: str | None = None
        self.synced = threading.Event()
        self.events = 0  # watch events applied (for benchmarks)
        self.lists = 0  # full lists done (the first, and a relist after each 410)
        self.watches = 0  # watch streams opened (a dropped one is opened again)
        self._stop = threading.Event()
        self._attempt = 0
        self._stream: Stream | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> "Informer":
        self._thread = threading.Thread(target=self._run, name=f"informer {self.path}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(wait)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _set(self, state: str, message: str = "", **kw: Unpack[_Retry]) -> None:
        old = self.health
        since = old.since if state == old.state else time.time()
        live_until = time.time() if old.state == LIVE and state != LIVE else old.live_until
        self.health = replace(old, state=state, message=message, since=since,
                              live_until=live_until, **kw)
        if self.store.wake is not None:  # (the UI shows the health)
            self.store.wake()
        if state != old.state and self.on_state is not None:
            self.on_state()  # (its group's supervisor: a 403 makes it look at namespaces)

    # -- the loop
    def _run(self) -> None:
        """The thread's body: it ends only when stopped. Whatever goes wrong is logged
        with its traceback, shown as the health (with the reason) and retried after a
        backoff; nothing kills the thread behind a health that still says live."""
        self._attempt = 0  # failures in a row; the watch resets it once its stream opens
        while not self._stop.is_set():
            try:
                if self.resource_version is None:
                    self._set(RELISTING if self.synced.is_set() else SYNCING)
                    with full_collections_held():
                        self._list()
                    self.synced.set()
                self._watch()  # live from the moment the stream is open
            except Expired as exc:
                log.info("%s: %s; relisting", self.path, exc)
                self.resource_version = None
            except ApiError as exc:
                self._attempt += 1
                if exc.status == 401 and self._attempt == 1:
                    log.info("%s: 401, credentials reloaded; trying again", self.path)
                    continue  # the client reloaded credentials; try again at once
                state = FORBIDDEN if exc.status in (401, 403) else BACKOFF
                if exc.status == 410:
                    self.resource_version = None
                self._pause(state, exc.message, exc.retry_after)
            except KubeConfigError as exc:
                self._attempt += 1
                self._pause(BACKOFF, str(exc), None)
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                if self._stop.is_set():
                    break
                self._attempt += 1
                self._pause(BACKOFF, describe_failure(exc, self.client.server), None)
            except Exception as exc:  # noqa: BLE001 - thread body: a bug, or an answer nothing here expected
                if self._stop.is_set():
                    break
                self._attempt += 1
                # what was applied before it may be half a change: start from a list
                self.resource_version = None
                self._pause(BACKOFF, f"unexpected {type(exc).__name__}: {str(exc)[:200]}",
                            None)
        self._set(STOPPED)

    def _pause(self, state: str, message: str, retry_after: float | None) -> None:
        """Back off after the failure being handled (called in its except block, so the
        log record carries its traceback)."""
        attempt = self._attempt
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        delay = delay * (0.5 + random.random() / 2)
        if retry_after:
            delay = max(delay, retry_after)
        # logged first: whoever sees the health say so finds the record in the log
        self._log_failure(state, message, delay)
        self._set(state, message, attempt=attempt, next_try=time.time() + delay)
        self._stop.wait(delay)

    def _log_failure(self, state: str, message: str, delay: float) -> None:
        """(In the except block.) Every failure, with its traceback."""
        log.error("%s: %s (%s; retry in %.1fs)", self.path, message, state, delay,
                  exc_info=True)

    def _list(self) -> None:
        """List page by page into the store (merge_page: an unchanged object stays, the
        first rows show while the rest arrives), then drop what the list did not have.
        Never two copies of the cache at once: a relist of 10,000 pods used to hold the
        new list whole beside the store, and the memory it left stayed with the process."""
        seen: set[str] = set()
        cont = None
        rv = None
        self.health = replace(self.health, listed=0, total=0)
        while True:
            data = self.client.request("GET", self.path, {
                "limit": self.page_size, "continue": cont,
                "labelSelector": self.label_selector, "fieldSelector": self.field_selector,
                "includeObject": "Metadata" if self.table else None},
                timeout=(10, 60), accept=TABLE if self.table else "application/json")
            if self.table:
                page, meta, columns = decode_table(data)
                self.columns = columns or self.columns
            elif self.kind.kind == "Pod" and len(self.store):  # a relist: decode what moved
                page, meta, held = decode_pod_relist(data, self.store.holds)
                seen.update(held)
            else:
                page, meta = decode_list(self.kind.kind, data)
            seen |= self.store.merge_page(page)
            del page, data
            remaining = meta.get("remainingItemCount") or 0
            self.health = replace(self.health, listed=len(seen), total=len(seen) + remaining)
            rv = rv or meta.get("resourceVersion")
            cont = meta.get("continue")
            if self._stop.is_set():
                return  # (half a list: the store keeps what it had)
            if not cont:
                break
        self.store.retain(seen, scope=self.namespace)
        self.resource_version = rv
        self.lists += 1

    def _watch(self) -> None:
        seconds = random.randint(*self.watch_seconds)
        stream = self.client.stream(self.path, {
            "watch": "1", "resourceVersion": self.resource_version,
            "allowWatchBookmarks": "true", "timeoutSeconds": seconds,
            "labelSelector": self.label_selector, "fieldSelector": self.field_selector,
            "includeObject": "Metadata" if self.table else None,
        }, timeout=(10, seconds + 30), accept=TABLE if self.table else "application/json")
        self._stream = stream
        self.watches += 1
        self._set(LIVE, attempt=0)
        self._attempt = 0
        try:
            if self._stop.is_set():
                return
            for line in stream.lines():
                self._apply(line)
        finally:
            self._stream = None
            stream.close()

    def _apply(self, line: bytes) -> None:
        try:
            if self.table:
                etype, obj = table_event(line)
            else:
                etype, obj = decode_event(self.kind.kind, line)
        except orjson.JSONDecodeError:
            log.exception("%s: skipped a watch line that is not JSON: %r", self.path,
                          line[:80])
            return
        if etype == "ERROR":
            code = obj.get("code")
            if code == 410:
                raise Expired(obj.get("message", "resource version expired"))
            raise ApiError(code or 500, obj.get("reason", ""), obj.get("message", "watch error"))
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        if etype in ("ADDED", "MODIFIED"):
            self.store.upsert(obj)
        elif etype == "DELETED":
            self.store.delete(obj)
        self.events += 1
        if rv:
            self.resource_version = rv


def describe_failure(exc: Exception, server: str) -> str:
    text = str(exc)
    if "Connection refused" in text or isinstance(exc, ConnectionRefusedError):
        return f"cannot reach {server}: connection refused"
    if "timed out" in text.lower():
        return f"{server} did not answer in time"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return f"the stream from {server} was cut"
    return f"{server}: {text[:200]}"
