"""List, then watch from the list's resourceVersion, forever: relist on 410 Gone, resume
after a dropped stream, back off with jitter on errors (honouring Retry-After), and
report health as data the UI can show. Runs in its own thread and only writes its store."""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, replace

import orjson
import urllib3

from .client import ApiError, KubeClient, Stream
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
    since: float = 0.0
    attempt: int = 0
    next_try: float = 0.0
    listed: int = 0


class Informer:
    page_size = 500
    backoff_base = 0.5
    backoff_max = 30.0

    def __init__(self, client: KubeClient, path: str, store: Store | None = None,
                 label_selector: str | None = None, watch_seconds: tuple[int, int] = (240, 300)):
        self.client = client
        self.path = path
        self.store = store or Store()
        self.label_selector = label_selector
        self.watch_seconds = watch_seconds
        self.health = Health(since=time.time())
        self.resource_version: str | None = None
        self._stop = threading.Event()
        self._stream: Stream | None = None
        self._thread: threading.Thread | None = None
        self._synced = False

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

    def _set(self, state: str, message: str = "", **kw) -> None:
        since = self.health.since if state == self.health.state else time.time()
        self.health = replace(self.health, state=state, message=message, since=since, **kw)

    # -- the loop
    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                if self.resource_version is None:
                    self._set(RELISTING if self._synced else SYNCING)
                    self._list()
                    self._synced = True
                self._set(LIVE, attempt=0)
                attempt = 0
                self._watch()
            except Expired:
                self.resource_version = None
            except ApiError as exc:
                attempt += 1
                state = FORBIDDEN if exc.status == 403 else BACKOFF
                self._pause(attempt, state, exc.message, exc.retry_after)
                if exc.status == 410:
                    self.resource_version = None
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                if self._stop.is_set():
                    break
                attempt += 1
                self._pause(attempt, BACKOFF, _describe(exc, self.client.server), None)
        self._set(STOPPED)

    def _pause(self, attempt: int, state: str, message: str, retry_after: float | None):
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        delay = delay * (0.5 + random.random() / 2)
        if retry_after:
            delay = max(delay, retry_after)
        self._set(state, message, attempt=attempt, next_try=time.time() + delay)
        log.info("%s: %s (retry in %.1fs)", self.path, message, delay)
        self._stop.wait(delay)

    def _list(self) -> None:
        items: list[dict] = []
        cont = None
        rv = None
        while True:
            data = orjson.loads(self.client.request("GET", self.path, {
                "limit": self.page_size, "continue": cont,
                "labelSelector": self.label_selector}))
            page = data.get("items") or []
            for obj in page:
                _slim(obj)
            items.extend(page)
            self.health = replace(self.health, listed=len(items))
            meta = data.get("metadata") or {}
            rv = rv or meta.get("resourceVersion")
            cont = meta.get("continue")
            if not cont or self._stop.is_set():
                break
        self.store.replace(items)
        self.resource_version = rv

    def _watch(self) -> None:
        seconds = random.randint(*self.watch_seconds)
        stream = self.client.stream(self.path, {
            "watch": "1", "resourceVersion": self.resource_version,
            "allowWatchBookmarks": "true", "timeoutSeconds": seconds,
            "labelSelector": self.label_selector,
        }, timeout=(10, seconds + 30))
        self._stream = stream
        try:
            if self._stop.is_set():
                return
            for line in stream.lines():
                self._apply(orjson.loads(line))
        finally:
            self._stream = None
            stream.close()

    def _apply(self, event: dict) -> None:
        etype, obj = event.get("type"), event.get("object") or {}
        if etype == "ERROR":
            code = obj.get("code")
            if code == 410:
                raise Expired(obj.get("message", "resource version expired"))
            raise ApiError(code or 500, obj.get("reason", ""), obj.get("message", "watch error"))
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        if etype in ("ADDED", "MODIFIED"):
            self.store.upsert(_slim(obj))
        elif etype == "DELETED":
            self.store.delete(obj)
        if rv:
            self.resource_version = rv


def _slim(obj: dict) -> dict:
    """Drop what no view needs and costs the most memory."""
    (obj.get("metadata") or {}).pop("managedFields", None)
    return obj


def _describe(exc: Exception, server: str) -> str:
    text = str(exc)
    if "Connection refused" in text or isinstance(exc, ConnectionRefusedError):
        return f"cannot reach {server}: connection refused"
    if "timed out" in text.lower():
        return f"{server} did not answer in time"
    if isinstance(exc, urllib3.exceptions.ProtocolError):
        return f"the stream from {server} was cut"
    return f"{server}: {text[:200]}"
