"""The live lint: `diagnose.lint.Linter` fed from informers. It watches, cluster-wide,
the kinds the enabled rules read (sharing the informers the views use: one cache per
kind, no copies), follows each store's changes through a tap of its own, and on
`refresh()` hands the changed objects to the linter, which re-checks only what they
touch. ConfigMaps and Secrets are watched through the Table API with metadata only:
the rules need when they changed, never their data. Events are only the kubelet's
`Unhealthy` ones. Pod usage comes from metrics.k8s.io once a minute, when served.

No Textual here: the UI runs `build()` (the first pass) and `poll_metrics()` in worker
threads, and `refresh()` on a timer."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import urllib3

from kubetui.diagnose.lint import KINDS, LintConfig, Linter
from kubetui.diagnose.lint_workloads import near_limit_pods
from kubetui.render.json_types import Obj

from .client import ApiError
from .informer import BACKOFF, FORBIDDEN, describe_failure
from .metrics_read import pod_reads

if TYPE_CHECKING:
    from .cluster import Cluster, InformerGroup
    from .store import Tap

log = logging.getLogger("kubetui.lint")
METRICS_AGE = 20.0  # a read of every pod this recent (the usage columns') is taken
# how each kind is watched (default: whole objects, no selector)
WATCH: dict[str, dict[str, Any]] = {"ConfigMap": {"table": True}, "Secret": {"table": True},
         "Event": {"field_selector": "reason=Unhealthy"}}


class LiveLint:
    metrics_every = 60.0  # (usage moves one rule, tight-memory-limit: a minute is soon)
    tick_every = 20.0  # time alone turns a Terminating namespace stuck

    def __init__(self, cluster: Cluster, config: LintConfig | None = None) -> None:
        self.cluster = cluster
        self.config = config or LintConfig()
        self.linter = Linter(self.config)
        self.kinds = [k for k in KINDS if k in self.config.reads()]
        self.groups: dict[str, InformerGroup] = {}
        self.taps: dict[str, Tap] = {}
        self.metrics_served: bool | None = None  # None: not asked yet
        self._metrics: Obj | None = None  # read by a worker, taken by refresh()
        self._metrics_at = 0.0
        self._ticked = time.monotonic()
        self.changes = 0  # objects handed to the linter (for benchmarks)
        self.built = False  # the first pass is done (see build)
        self.building = False
        self.stopped = False
        self._lock = threading.Lock()  # (build's thread against stop)
        for kind in self.kinds:
            self._watch(kind)

    def _watch(self, kind: str) -> None:
        opts = WATCH.get(kind, {})
        group = self.cluster.watch(kind, None, field_selector=opts.get("field_selector"),
                                   table=opts.get("table", False))
        self.groups[kind] = group
        self.taps[kind] = group.store.tap()

    # -- the first pass (a worker thread)
    def ready_to_build(self) -> bool:
        """Every kind listed (or known to be unreadable) and no first pass yet."""
        return not self.built and not self.building and self.listed

    def build(self) -> None:
        """The first pass over everything (0.7 s at 10,000 pods), in a worker thread, on
        a linter of its own: the UI keeps the empty one, and keeps drawing, until this
        one is complete and takes its place. Changes meanwhile wait in the taps."""
        if self.stopped:
            return
        self.building = True
        try:
            linter = Linter(self.config)
            self._take(linter)
            linter.flush()
            with self._lock:
                if self.stopped:  # (the session ended meanwhile: nobody will read it)
                    linter.close()
                    return
                self.linter = linter
                self.built = True
        finally:
            self.building = False

    # -- taking changes (the UI's thread, once built)
    def refresh(self) -> bool:
        """Hand what changed to the linter; True when a finding changed. Before the
        first pass, it runs it here once every kind is listed (the UI runs `build` in
        a worker instead, and calls this only once built)."""
        if not self.built:
            if not self.ready_to_build():
                return False
            self.build()
            return True
        self._take(self.linter)
        if time.monotonic() - self._ticked > self.tick_every:
            self._ticked = time.monotonic()
            self.linter.tick()
        return self.linter.flush()

    def _take(self, linter: Linter) -> None:
        cluster = self.cluster
        for kind in self.kinds:
            group, tap = self.groups.get(kind), self.taps.get(kind)
            if group is None or tap is None:
                return  # stopped meanwhile (a first pass in a worker)
            if not any(g is group for g in cluster.groups.values()):
                with self._lock:  # (never a new watch on a session that ended)
                    if self.stopped:
                        return
                    group.store.untap(tap)  # stopped after views let it go: anew
                    self._watch(kind)
                    group, tap = self.groups[kind], self.taps[kind]
            cluster.touch(group)
            reset, dirty, items = group.store.take_tap(tap)
            if reset:
                linter.reset(kind, items)
                self.changes += len(items)
            else:
                for key in dirty:
                    linter.set(kind, key, items.get(key))
                self.changes += len(dirty)
        metrics, self._metrics = self._metrics, None
        if metrics is not None:
            linter.set_metrics(metrics.get("items"), metrics.get("near"))

    # -- metrics (a worker thread)
    def metrics_due(self) -> bool:
        """Whether to read pod metrics now; a yes takes the turn (one read at a time)."""
        now = time.monotonic()
        if self.metrics_served is False or now - self._metrics_at < self.metrics_every:
            return False
        self._metrics_at = now
        return True

    def poll_metrics(self) -> None:
        """Read every pod's usage (a thread worker); refresh() hands it over."""
        try:
            reads = pod_reads(self.cluster.client)  # (the usage columns' too)
            found = reads.read(self.cluster.client, max_age=METRICS_AGE)
        except ValueError:
            log.error("the lint could not read pod metrics", exc_info=True)
            return
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            # the server down or cut off: the informers' health says so; this read was
            # a worker's failure, a raw MaxRetryError notification every minute
            log.error("the lint could not read pod metrics: %s",
                      describe_failure(exc, self.cluster.client.server), exc_info=True)
            return
        except ApiError as exc:
            if exc.status in (403, 404):  # not served, or not to us: it lasts
                log.info("the lint reads no pod metrics: %s", exc.message)
                self.metrics_served = False
                return
            if exc.status == 503:  # the aggregator has no metrics-server now: asked
                # again at the next turn (it had stopped the lint's reads for the
                # session: a metrics-server restarting, or one 503 of a busy server)
                log.info("the lint reads no pod metrics now: %s", exc.message)
                return
            log.error("the lint could not read pod metrics", exc_info=True)
            return
        self.metrics_served = True
        # which pods are near their memory limit: every pod looked at, here, not on the
        # UI's thread (the objects are the informers', read, never changed)
        near = near_limit_pods(self.linter.objs["Pod"], found)
        # the lint reads usage as the last read has it (a fix's requests): not a copy of
        # its own beside the usage columns' newer one
        self._metrics = {"items": reads.view(), "near": near}

    # -- what the UI shows
    @property
    def synced(self) -> bool:
        return all(g.synced for g in self.groups.values())

    @property
    def listed(self) -> bool:
        """Every kind listed, or known to be unreadable."""
        return all(g.synced or g.health.state in (FORBIDDEN, BACKOFF)
                   for g in self.groups.values())

    @property
    def settled(self) -> bool:
        """Every kind listed (or known to be unreadable) and the first pass done: the
        findings are not partial (a Service listed ahead of its pods selects none)."""
        return self.built and self.listed

    def unread(self) -> dict[str, str]:
        """Kinds it cannot read now, and why (forbidden, backing off)."""
        out = {}
        for group in self.groups.values():
            health = group.health
            if health.state in (FORBIDDEN, BACKOFF):
                out[group.kind.plural] = health.message or health.state
        return out

    def stop(self) -> None:
        """(A context switch.) Its informers go back to the session, and its linter lets
        go of the cluster's objects and findings at once (see `Linter.close`)."""
        with self._lock:
            self.stopped = True
            groups, taps, self.groups, self.taps = self.groups, self.taps, {}, {}
            self.linter.close()
        for kind, group in groups.items():
            group.store.untap(taps[kind])
            self.cluster.release(group)


__all__ = ["LiveLint", "WATCH"]
