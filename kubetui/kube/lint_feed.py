"""The live lint: `diagnose.lint.Linter` fed from informers. It watches, cluster-wide,
the kinds the enabled rules read (sharing the informers the views use: one cache per
kind, no copies), follows each store's changes through a tap of its own, and on
`refresh()` hands the changed objects to the linter, which re-checks only what they
touch. ConfigMaps and Secrets are watched through the Table API with metadata only:
the rules need when they changed, never their data. Events are only the kubelet's
`Unhealthy` ones. Pod usage comes from metrics.k8s.io every 15 s, when served.

No Textual here: the UI calls `refresh()` on a timer and `poll_metrics()` from a
worker thread."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from kubetui.diagnose.lint import KINDS, LintConfig, Linter
from kubetui.render.json_types import Obj

from .client import ApiError
from .informer import BACKOFF, FORBIDDEN

if TYPE_CHECKING:
    from .cluster import Cluster, InformerGroup
    from .store import Tap

log = logging.getLogger("kubetui.lint")
METRICS = "/apis/metrics.k8s.io/v1beta1/pods"
# how each kind is watched (default: whole objects, no selector)
WATCH: dict[str, dict[str, Any]] = {"ConfigMap": {"table": True}, "Secret": {"table": True},
         "Event": {"field_selector": "reason=Unhealthy"}}


class LiveLint:
    metrics_every = 15.0
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
        for kind in self.kinds:
            self._watch(kind)

    def _watch(self, kind: str) -> None:
        opts = WATCH.get(kind, {})
        group = self.cluster.watch(kind, None, field_selector=opts.get("field_selector"),
                                   table=opts.get("table", False))
        self.groups[kind] = group
        self.taps[kind] = group.store.tap()

    # -- taking changes (the UI's thread)
    def refresh(self) -> bool:
        """Hand what changed to the linter; True when a finding changed."""
        linter, cluster = self.linter, self.cluster
        for kind in self.kinds:
            group = self.groups[kind]
            if not any(g is group for g in cluster.groups.values()):
                group.store.untap(self.taps[kind])  # stopped after views let it go: anew
                self._watch(kind)
                group = self.groups[kind]
            cluster.touch(group)
            reset, dirty, items = group.store.take_tap(self.taps[kind])
            if reset:
                linter.reset(kind, items)
                self.changes += len(items)
            else:
                for key in dirty:
                    linter.set(kind, key, items.get(key))
                self.changes += len(dirty)
        metrics, self._metrics = self._metrics, None
        if metrics is not None:
            linter.set_metrics(metrics.get("items"))
        if time.monotonic() - self._ticked > self.tick_every:
            self._ticked = time.monotonic()
            linter.tick()
        return linter.flush()

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
            items = self.cluster.client.get_json(METRICS).get("items") or []
        except ApiError as exc:
            if exc.status in (403, 404, 503):  # not served, or not to us: it lasts
                log.info("the lint reads no pod metrics: %s", exc.message)
                self.metrics_served = False
                return
            log.error("the lint could not read pod metrics", exc_info=True)
            return
        self.metrics_served = True
        self._metrics = {"items": {f"{m['metadata'].get('namespace')}/{m['metadata']['name']}":
                                   m for m in items}}

    # -- what the UI shows
    @property
    def synced(self) -> bool:
        return all(g.synced for g in self.groups.values())

    @property
    def settled(self) -> bool:
        """Every kind listed, or known to be unreadable: the findings are not partial
        (before it, a Service listed ahead of its pods selects none, for a moment)."""
        return all(g.synced or g.health.state in (FORBIDDEN, BACKOFF)
                   for g in self.groups.values())

    def unread(self) -> dict[str, str]:
        """Kinds it cannot read now, and why (forbidden, backing off)."""
        out = {}
        for group in self.groups.values():
            health = group.health
            if health.state in (FORBIDDEN, BACKOFF):
                out[group.kind.plural] = health.message or health.state
        return out

    def stop(self) -> None:
        for kind, group in self.groups.items():
            group.store.untap(self.taps[kind])
            self.cluster.release(group)
        self.groups, self.taps = {}, {}


__all__ = ["LiveLint", "WATCH"]
