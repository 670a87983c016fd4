"""The fleet: every context of every kubeconfig file at once, each as one live row.

Per context, a `ContextSource` keeps only what its row needs, live: nodes (ready,
cordoned, allocatable), pods through a slim watch (phase, readiness, restarts and the
last restart time, requests: small tuples, never the pod objects), Warning events
(`fieldSelector=type=Warning`), /version, whether the credentials work (an exec
plugin's error in one line), when the client certificate or token expires, and
"stale since" when it stops answering. Each context runs on threads of its own with
short connect timeouts: one that is unreachable, slow or asks a slow credential plugin
delays no other row. No Textual here: the screen (ui/screens/fleet.py) reads `rows()`.

Contexts that share a name across files are one row (the first file wins, as kubectl
has it); the row lists what the later files defined under its names (`shadows`)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Generic, cast

import orjson
import urllib3

from .client import ApiError, KubeClient
from .cluster import candidate_namespaces, may_watch
from .config import KubeConfigError, KubeConfigSet
from .credentials import Expiry, exec_expiry, kubeconfig_expiry
from .fleet_slim import EVENTS, NODES, PODS, Decoder
from .fleet_watch import EventSums, NodeSums, PodSums, SlimTable, SlimWatch, Sums, V
from .informer import BACKOFF, FORBIDDEN, LIVE, describe_failure
from .kinds import KINDS, Kind
from .outage import OutageLog

log = logging.getLogger("kubetui.fleet")

CONNECTING, REACHABLE, AUTH_FAILED, UNREACHABLE, STALE, CONFIG_ERROR = (
    "connecting", "reachable", "auth failed", "unreachable", "stale", "kubeconfig error")
QUIET = 150.0  # a watch that sent bookmarks and then nothing for this long: stale
VERSION_TIMEOUT = (3, 5)


@dataclass
class Row:
    """One context as the fleet screen shows it (plain data)."""
    context: str
    file: str
    server: str = ""
    shadows: list[str] = field(default_factory=list)
    state: str = CONNECTING
    reason: str = ""
    since: float = 0.0  # when it went stale
    version: str = ""
    nodes_total: int | None = None
    nodes_ready: int = 0
    cordoned: int = 0
    cpu_alloc: int = 0
    mem_alloc: int = 0
    pods_total: int | None = None
    not_ready: int = 0
    pending: int = 0
    restarts_1h: int = 0
    restarts_at_least: bool = False  # restarts_1h is a lower bound (see PodSums)
    cpu_req: int = 0
    mem_req: int = 0
    warnings_15m: int | None = None
    expiry: Expiry | None = None
    unknown: dict[str, str] = field(default_factory=dict)  # part -> why it is not known
    scope: dict[str, str] = field(default_factory=dict)  # part -> "shop only" and the like


class Part(Generic[V]):
    """One kind a row reads: one cluster-wide slim watch, or, when that is forbidden,
    one per namespace of the context the user may read (sharing one table)."""

    def __init__(self, name: str, kind: Kind, decoder: Decoder[Any, V], sums: Sums[V],
                 field_selector: str | None = None) -> None:
        self.name, self.kind, self.decoder = name, kind, decoder
        self.field_selector = field_selector
        self.table = SlimTable(sums)
        if isinstance(sums, EventSums):  # it counts at read time, from the table
            sums.table = cast("SlimTable[float]", self.table)  # sums is EventSums: V is float
        self.watches: list[SlimWatch[V]] = []
        self.scoped: list[str] | None = None  # the namespaces watched after a 403
        self.denied = ""  # why nothing could be watched

    def start(self, client: KubeClient, namespace: str | None = None) -> None:
        watch = SlimWatch(client, self.kind, self.decoder, self.table, namespace,
                          self.field_selector)
        watch.start()
        self.watches.append(watch)

    def stop(self, wait: float = 2.0) -> None:
        watches, self.watches = self.watches, []
        for w in watches:
            w._stop.set()
            if w._stream is not None:
                w._stream.close()
        for w in watches:
            w.stop(wait)

    @property
    def synced(self) -> bool:
        return bool(self.watches) and all(w.synced.is_set() for w in self.watches)

    def forbidden(self) -> str:
        """The 403 message if the cluster-wide watch was refused (not a 401)."""
        if self.scoped is not None or len(self.watches) != 1:
            return ""
        h = self.watches[0].health
        return h.message if h.state == FORBIDDEN and "Unauthorized" not in h.message else ""

    def fall_back(self, client: KubeClient, namespaces: list[str]) -> None:
        """Cluster-wide is forbidden: watch the namespaces (of those given) the user may
        list and watch, or say that it may read none."""
        why = self.forbidden()
        self.stop()
        self.table.clear()
        allowed = []
        if self.kind.namespaced:
            for ns in namespaces:
                try:
                    if may_watch(client, self.kind, ns):
                        allowed.append(ns)
                except ApiError:
                    log.exception("%s: may the user watch %s in %s?", client.context.name,
                                  self.kind.plural, ns)
        self.scoped = allowed
        for ns in allowed:
            self.start(client, ns)
        if not allowed:
            self.denied = why or f"{self.kind.plural} cannot be listed"


class ContextSource:
    """One context's row, live. `start()` starts its thread; `row()` reads it (any
    thread); `stop()` ends every thread it started."""

    recheck = 2.0  # seconds between looks at the watches' health
    backoff_scale = 1.0  # times the waits after a failure (tests shorten them)

    def __init__(self, kc: KubeConfigSet, name: str):
        self.kc = kc
        self.name = name
        self.info = kc.contexts[name]
        self.client: KubeClient | None = None
        self.version = ""
        self.connect_error = ""  # the kubeconfig or credential plugin failed
        self.auth_error = ""  # the server said 401
        self.reach_error = ""  # /version could not be had
        self.ever_live = False  # it answered once: failing from now on is "stale"
        self._failing = False  # a watch was backing off at the last look
        self._outage = OutageLog(log, f"fleet {name}")  # a traceback once an outage
        self.parts: dict[str, Part[Any]] = {}  # nodes, pods, warnings: each its own V
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"fleet {name}")
        self.changes = 0  # bumped when the row's state (not its counts) changed
        self.static_expiry = kubeconfig_expiry(kc, name)

    def start(self) -> "ContextSource":
        self._thread.start()
        return self

    def stop(self, wait: float = 2.0) -> None:
        self._stop.set()
        for part in list(self.parts.values()):
            part.stop(wait=0)
        for part in list(self.parts.values()):
            part.stop(wait)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(wait)
        if self.client is not None:
            self.client.close()

    @property
    def threads_alive(self) -> int:
        return int(self._thread.is_alive()) + sum(
            1 for p in list(self.parts.values()) for w in list(p.watches) if w.alive)

    @property
    def data_version(self) -> int:
        return self.changes + sum(p.table.version for p in list(self.parts.values()))

    # -- the thread
    def _run(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            ok = False
            try:
                if self.client is None:
                    self.client = KubeClient.connect(self.kc, self.name)
                    self._said("connect_error", "")
                if not self.version or self.reach_error or self.auth_error:
                    self._read_version()
                if not self.parts:
                    self._start_parts()
                self._check_parts()
                self._outage.recovered()
                delay, ok = self.recheck, True
            except KubeConfigError as exc:
                self._outage.failed(f"cannot connect: {exc}")
                self._said("connect_error", str(exc).splitlines()[0] if str(exc) else
                           type(exc).__name__)
                delay = min(120.0, max(delay * 2, 5.0))
            except ApiError as exc:
                self._outage.failed(f"/version: {exc.status} {exc.message}")
                if exc.status == 401:
                    self._said("auth_error", exc.message)
                else:  # reachable, but /version refused: go on without it
                    self.version = self.version or "?"
                    self._said("reach_error", "")
                    self.ever_live = True
                    if not self.parts:
                        self._start_parts()
                delay = min(60.0, max(delay * 2, 2.0))
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                server = self.client.server if self.client else self.info.server
                self._outage.failed(f"/version: {describe_failure(exc, server)}")
                self._said("reach_error", describe_failure(exc, server))
                delay = min(30.0, max(delay * 2, 2.0))
            except Exception as exc:  # noqa: BLE001 - a bug: logged (OutageLog), said on the row, retried
                self._outage.failed(f"unexpected {type(exc).__name__}: {exc}"[:300])
                self._said("reach_error", f"unexpected {type(exc).__name__}: {exc}"[:200])
                delay = 30.0
            self._stop.wait(delay if ok else delay * self.backoff_scale)

    def _said(self, attr: str, value: str) -> None:
        if getattr(self, attr) != value:
            setattr(self, attr, value)
            self.changes += 1

    def _read_version(self) -> None:
        client = self.client
        if client is None:
            return
        data = client.request("GET", "/version", timeout=VERSION_TIMEOUT)
        version = orjson.loads(data).get("gitVersion", "?")
        if version != self.version:
            self.version = version
            self.changes += 1
        self._said("reach_error", "")
        self._said("auth_error", "")
        if not self.ever_live:
            self.ever_live = True  # it answered: reachable from now on, stale if it stops
            self.changes += 1

    def _start_parts(self) -> None:
        client = self.client
        if client is None:
            return
        self.parts = {
            "nodes": Part("nodes", KINDS["Node"], NODES, NodeSums()),
            "pods": Part("pods", KINDS["Pod"], PODS, PodSums()),
            "warnings": Part("warnings", KINDS["Event"], EVENTS, EventSums(),
                             field_selector="type=Warning"),
        }
        for part in self.parts.values():
            part.start(client)
        self.changes += 1

    def _check_parts(self) -> None:
        client = self.client
        for part in list(self.parts.values()):
            if part.forbidden() and client is not None:
                log.info("fleet %s: %s cluster-wide forbidden; trying namespaces",
                         self.name, part.name)
                part.fall_back(client, candidate_namespaces(self.info.namespace))
                self.changes += 1
        healths = [w.health.state for p in self.parts.values() for w in p.watches]
        failing = BACKOFF in healths
        if self._failing and not failing and LIVE in healths:
            self._read_version()  # back after failing: it may have been upgraded meanwhile
        self._failing = failing

    # -- the row
    def row(self, now: float | None = None) -> Row:
        now = time.time() if now is None else now
        info = self.info
        r = Row(info.name, info.source, info.server, self.kc.shadows_of(self.name),
                version=self.version)
        r.expiry = self.expiry()
        if self.connect_error:
            r.state, r.reason = AUTH_FAILED if _is_auth(self.kc, self.name) else \
                CONFIG_ERROR, self.connect_error
            r.unknown = {p: r.state for p in ("nodes", "pods", "warnings")}
            return r
        if self.auth_error:
            r.state, r.reason = AUTH_FAILED, self.auth_error
            r.unknown = {p: r.state for p in ("nodes", "pods", "warnings")}
            return r
        parts = dict(self.parts)
        healths = [w.health for p in parts.values() for w in list(p.watches)]
        unauthorized = next((h for h in healths if h.state == FORBIDDEN and
                             "Unauthorized" in h.message), None)
        if unauthorized is not None:
            r.state, r.reason = AUTH_FAILED, unauthorized.message
        elif self.reach_error and not self.ever_live:
            r.state, r.reason = UNREACHABLE, self.reach_error
        else:
            failing = [h for h in healths if h.state == BACKOFF]
            quiet = [w for p in parts.values() for w in list(p.watches)
                     if w.health.state == LIVE and w.bookmarks and
                     now - w.last_line > QUIET]
            if failing or quiet or (self.reach_error and self.ever_live):
                r.state = STALE
                times = [h.live_until for h in failing if h.live_until] + \
                    [w.last_line for w in quiet]
                r.since = min(times) if times else now
                r.reason = (failing[0].message if failing else self.reach_error or
                            "the watches went quiet (no bookmark for "
                            f"{int(now - quiet[0].last_line)}s)")
            elif self.ever_live:
                r.state = REACHABLE
            else:
                r.state = CONNECTING
                r.reason = self.reach_error
        self._fill(r, parts, now)
        return r

    def _fill(self, r: Row, parts: dict[str, Part[Any]], now: float) -> None:
        for name, part in parts.items():
            if part.denied:
                r.unknown[name] = f"forbidden: {part.denied}"
                continue
            if not part.synced:
                r.unknown[name] = "syncing" if r.state != STALE else r.state
                continue
            if part.scoped is not None:
                r.scope[name] = ",".join(part.scoped) + " only"
            sums = part.table.sums
            if isinstance(sums, NodeSums):
                r.nodes_total, r.nodes_ready, r.cordoned = sums.total, sums.ready, \
                    sums.cordoned
                r.cpu_alloc, r.mem_alloc = sums.cpu, sums.mem
            elif isinstance(sums, PodSums):
                r.pods_total, r.not_ready, r.pending = sums.total, sums.not_ready, \
                    sums.pending
                r.cpu_req, r.mem_req = sums.cpu, sums.mem
                r.restarts_1h = sums.restarts_since(now - 3600)
                r.restarts_at_least = now < sums.inexact_until
            elif isinstance(sums, EventSums):
                r.warnings_15m = sums.since(now - 900)
        for name in ("nodes", "pods", "warnings"):
            if name not in parts:
                r.unknown.setdefault(name, r.state if r.state != REACHABLE else "syncing")

    def expiry(self) -> Expiry | None:
        """The soonest known expiry: the kubeconfig's client certificate or token, or
        what the exec plugin said (expirationTimestamp, or its certificate)."""
        found = [e for e in (self.static_expiry, exec_expiry(self.client)) if e is not None]
        return min(found, key=lambda e: e.when) if found else None


class Fleet:
    """Every context of a kubeconfig set, each a ContextSource on threads of its own."""

    def __init__(self, kc: KubeConfigSet, contexts: list[str] | None = None):
        self.kc = kc
        names = contexts if contexts is not None else sorted(kc.contexts)
        self.sources = {n: ContextSource(kc, n) for n in names}
        self.started = time.monotonic()

    def start(self) -> "Fleet":
        for source in self.sources.values():
            source.start()
        return self

    def stop(self, wait: float = 2.0) -> None:
        stoppers = [threading.Thread(target=s.stop, args=(wait,), daemon=True)
                    for s in self.sources.values()]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join(wait + 1)

    @property
    def version(self) -> int:
        return sum(s.data_version for s in self.sources.values())

    def rows(self, now: float | None = None) -> list[Row]:
        now = time.time() if now is None else now
        return [s.row(now) for s in self.sources.values()]

    @property
    def threads_alive(self) -> int:
        return sum(s.threads_alive for s in self.sources.values())


# -- credentials and when they expire
def _is_auth(kc: KubeConfigSet, name: str) -> bool:
    """Whether a connect error is about credentials (a user with an exec plugin, an
    auth provider, a certificate or token) rather than the kubeconfig's shape."""
    ctx = kc.contexts[name]
    user = (kc.users.get(ctx.user) or ({}, ""))[0] or {}
    return bool(user) and ctx.cluster in kc.clusters


__all__ = ["AUTH_FAILED", "CONFIG_ERROR", "CONNECTING", "ContextSource", "Expiry", "Fleet",
           "REACHABLE", "Row", "STALE", "UNREACHABLE"]
